package org.mambaplayground.gui.serve;

import atlantafx.base.theme.Styles;
import java.util.Locale;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.PasswordField;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.application.Platform;
import org.mambaplayground.backend.ModelBackend;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.Page;
import org.mambaplayground.gui.metrics.GenerationGate;
import org.mambaplayground.gui.models.ModelHandle;
import org.mambaplayground.gui.serve.ServerController.Status;
import org.mambaplayground.server.ServedRequest;
import org.mambaplayground.server.ServerConfig;

/**
 * Starts and stops the OpenAI-compatible server for the active model, shows its address, an example
 * request and the requests it served. While running it follows the active model. A remote active model is
 * served through a relay that answers GET /v1/models and POST /v1/chat/completions through its backend.
 */
public final class ServerView extends VBox {
    private final AppContext ctx;
    private final ServerController controller;
    private final Label model = new Label();
    private final Button openLibrary = new Button("Open the library");
    private final TextField host = new TextField(ServerConfig.DEFAULT_HOST);
    private final TextField port = new TextField(Integer.toString(ServerConfig.DEFAULT_PORT));
    private final PasswordField apiKey = new PasswordField();
    private final Button start = new Button("Start server");
    private final Button stop = new Button("Stop");
    private final Label status = new Label();
    private final Hyperlink address = new Hyperlink();
    private final Button copy = new Button("Copy address");
    private final TextArea example = new TextArea();
    private final ListView<ServedRequest> log = new ListView<>();

    public ServerView(AppContext ctx) {
        this.ctx = ctx;
        this.controller = ctx.shared(ServerController.class,
                () -> new ServerController(ctx.background(), ctx.shared(GenerationGate.class, GenerationGate::new)));
        setId("server-view");
        setSpacing(12);
        setPadding(new Insets(16));

        Label title = new Label("API server");
        title.getStyleClass().add(Styles.TITLE_2);
        Label subtitle = new Label("OpenAI-compatible: GET /v1/models, POST /v1/completions and /v1/chat/completions, streamed or whole.");
        subtitle.getStyleClass().add(Styles.TEXT_MUTED);
        model.setId("server-model");
        openLibrary.setOnAction(e -> ctx.navigate(Page.LIBRARY));

        host.setId("server-host");
        port.setId("server-port");
                apiKey.setId("server-key");
        host.setPrefColumnCount(24);
        apiKey.setPrefColumnCount(24);
        apiKey.setPromptText("optional: clients must send it as a Bearer token");
        GridPane settings = new GridPane();
        settings.setHgap(8);
        settings.setVgap(6);
        settings.addRow(0, new Label("Host"), host);
        settings.addRow(1, new Label("Port"), port);
        settings.addRow(2, new Label("API key"), apiKey);

        start.setId("server-start");
        start.getStyleClass().add(Styles.ACCENT);
        start.setOnAction(e -> startServer());
        stop.setId("server-stop");
        stop.setOnAction(e -> controller.stop());
        status.setId("server-status");
        status.setWrapText(true);
        address.setId("server-address");
        address.setOnAction(e -> ctx.openLink(address.getText() + "/v1/models"));
        copy.getStyleClass().add(Styles.FLAT);
        copy.setOnAction(e -> javafx.scene.input.Clipboard.getSystemClipboard().setContent(text(address.getText())));
        example.setId("server-example");
        example.setEditable(false);
        example.setPrefRowCount(5);
        example.setStyle("-fx-font-family: monospace;");
        log.setId("server-log");
        log.setPrefHeight(160);
        log.setItems(controller.requests());
        log.setCellFactory(v -> new RequestCell());
        log.setPlaceholder(new Label("No requests yet"));

        HBox buttons = new HBox(8, start, stop);
        HBox where = new HBox(8, new Label("Address"), address, copy);
        where.setAlignment(Pos.CENTER_LEFT);
        Label requests = new Label("Requests");
        requests.getStyleClass().add(Styles.TEXT_BOLD);
        getChildren().addAll(title, subtitle, new HBox(8, model, openLibrary), settings, buttons, status, where,
                new Label("Try it"), example, requests, log);

        // the backend changes with every active model, local or remote; making a remote one active passes through
        // null (the local one is let go first), so the server follows the settled state, not each step
        ctx.models().activeBackendProperty().addListener((obs, was, now) -> Platform.runLater(this::followActiveModel));
        controller.statusProperty().addListener(o -> update());
        controller.addressProperty().addListener(o -> update());
        controller.errorProperty().addListener(o -> update());
        update();
    }

    private void startServer() {
        ModelHandle active = ctx.models().getActiveModel();
        ModelBackend remote = active == null ? ctx.models().getActiveBackend() : null;
        if (active == null && remote == null) return;
        ServerConfig config;
        try {
            config = ServerConfig.defaults()
                    .withHost(host.getText().strip())
                    .withPort(Integer.parseInt(port.getText().strip()))
                    .withApiKey(apiKey.getText());
        } catch (NumberFormatException e) {
            controller.errorProperty().set("Port must be a number from 0 to 65535, not '" + port.getText() + "'");
            return;
        } catch (IllegalArgumentException e) {
            controller.errorProperty().set(e.getMessage());
            return;
        }
        if (active != null) controller.start(active, config); else controller.start(remote, config);
    }

    private void followActiveModel() {
        Status s = controller.statusProperty().get();
        if (s != Status.RUNNING) {
            update();
            return;
        }
        if (ctx.models().getActiveBackend() == null) controller.stop(); else startServer();
    }

    private void update() {
        ModelHandle local = ctx.models().getActiveModel();
        ModelBackend active = ctx.models().getActiveBackend();
        Status s = controller.statusProperty().get();
        boolean running = s == Status.RUNNING;
        ModelHandle servedLocal = controller.servedProperty().get();
        String served = servedLocal != null ? servedLocal.name() : controller.servedNameProperty().get();
        model.setText(active == null ? "No model loaded: load one in the library first."
                : local != null ? "Model: " + local.name() : "Model: " + active.label() + " (remote: relayed, chat completions only)");
        openLibrary.setVisible(active == null);
        openLibrary.setManaged(active == null);
        start.setDisable(active == null || s == Status.STARTING || s == Status.STOPPING || running);
        stop.setDisable(!running);
        for (TextField f : new TextField[] {host, port, apiKey}) f.setDisable(running || s == Status.STARTING);
        String err = controller.errorProperty().get();
        status.getStyleClass().remove(Styles.DANGER);
        if (err != null && !err.isEmpty()) {
            status.setText(err);
            status.getStyleClass().add(Styles.DANGER);
        } else {
            status.setText(switch (s) {
                case STOPPED -> "Stopped";
                case STARTING -> "Starting\u2026";
                case RUNNING -> "Running, serving " + (served == null ? "" : served);
                case STOPPING -> "Stopping\u2026";
                case FAILED -> "Failed";
            });
        }
        var uri = controller.addressProperty().get();
        address.setText(uri == null ? "" : uri.toString());
        copy.setDisable(uri == null);
        example.setText(uri == null ? "Start the server to get its address." : curl(uri.toString(), served));
    }

    private String curl(String base, String served) {
        String key = apiKey.getText().isBlank() ? "" : " \\\n  -H 'Authorization: Bearer " + apiKey.getText().strip() + "'";
        return "curl " + base + "/v1/chat/completions -H 'Content-Type: application/json'" + key + " \\\n"
                + "  -d '{\"model\": \"" + (served == null ? "" : served) + "\", \"stream\": true,\n"
                + "       \"messages\": [{\"role\": \"user\", \"content\": \"Write a Python function that reverses a string.\"}]}'";
    }

    private static ClipboardContent text(String s) {
        ClipboardContent c = new ClipboardContent();
        c.putString(s);
        return c;
    }

    private static final class RequestCell extends ListCell<ServedRequest> {
        @Override
        protected void updateItem(ServedRequest r, boolean empty) {
            super.updateItem(r, empty);
            if (empty || r == null) {
                setText(null);
                return;
            }
            var st = r.stats();
            setText(st == null ? r.endpoint() : String.format(Locale.ROOT,
                    "%s  \u00b7  %d prompt + %d generated tokens  \u00b7  %.1f tok/s  \u00b7  first token %.0f ms%s",
                    r.endpoint(), st.promptTokens(), st.generatedTokens(), st.tokensPerSecond(),
                    st.timeToFirstTokenMillis(), r.clientDisconnected() ? "  \u00b7  client left" : ""));
        }
    }
}
