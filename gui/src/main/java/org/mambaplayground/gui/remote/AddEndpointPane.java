package org.mambaplayground.gui.remote;

import atlantafx.base.theme.Styles;
import java.util.List;
import javafx.application.Platform;
import javafx.collections.FXCollections;
import javafx.event.ActionEvent;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.PasswordField;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.remote.Endpoint;
import org.mambaplayground.remote.EndpointKind;
import org.mambaplayground.remote.KnownModels;
import org.mambaplayground.remote.RemoteModel;

/**
 * "Add remote endpoint": a server kind preset (vLLM, llama.cpp server, Ollama, LM Studio, another Mamba Playground,
 * all OpenAI-compatible; Mistral's API), its base URL, an optional API key, "Test connection" (GET /v1/models) and
 * the models to add to the Library. The key is stored in a file of its own with mode 0600 and is never shown again.
 */
public final class AddEndpointPane extends VBox {
    private final AppContext ctx;
    private final ComboBox<EndpointKind> kind = new ComboBox<>(FXCollections.observableArrayList(EndpointKind.values()));
    private final TextField name = new TextField();
    private final TextField url = new TextField();
    private final PasswordField key = new PasswordField();
    private final Button test = new Button("Test connection");
    private final Label status = new Label("Test the connection to list the endpoint's models.");
    private final ListView<String> models = new ListView<>();
    private boolean urlTyped;
    private boolean nameTyped;
    private boolean adjusting;

    public AddEndpointPane(AppContext ctx) {
        super(10);
        this.ctx = ctx;
        setId("add-endpoint-pane");
        setPadding(new Insets(12));
        kind.setId("endpoint-kind");
        kind.setCellFactory(list -> kindCell());
        kind.setButtonCell(kindCell());
        name.setId("endpoint-name");
        url.setId("endpoint-url");
        key.setId("endpoint-key");
        key.setPromptText("optional (Mistral's API needs one)");
        test.setId("endpoint-test");
        status.setId("endpoint-status");
        status.setWrapText(true);
        models.setId("endpoint-models");
        models.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        models.setPrefHeight(140);
        url.textProperty().addListener((o, was, now) -> { if (!adjusting) urlTyped = true; });
        name.textProperty().addListener((o, was, now) -> { if (!adjusting) nameTyped = true; });
        kind.valueProperty().addListener((o, was, now) -> applyPreset(now));
        kind.setValue(EndpointKind.VLLM);
        test.setOnAction(e -> testConnection());

        GridPane form = new GridPane(10, 8);
        form.addRow(0, new Label("Server"), kind);
        form.addRow(1, new Label("Name"), name);
        form.addRow(2, new Label("Base URL"), url);
        form.addRow(3, new Label("API key"), key);
        GridPane.setHgrow(url, Priority.ALWAYS);
        url.setPrefColumnCount(32);
        Label pick = new Label("Models to add to the Library (all selected ones become entries):");
        pick.getStyleClass().add(Styles.TEXT_MUTED);
        getChildren().addAll(form, test, status, pick, models);
    }

    public ComboBox<EndpointKind> kindBox() { return kind; }

    public TextField nameField() { return name; }

    public TextField urlField() { return url; }

    public PasswordField keyField() { return key; }

    public Button testButton() { return test; }

    public Label statusLabel() { return status; }

    public ListView<String> modelList() { return models; }

    /** The endpoint as typed (its base URL normalized); throws IllegalArgumentException with a one-line message. */
    public Endpoint endpoint() {
        return new Endpoint(name.getText(), url.getText(), kind.getValue(), models.getSelectionModel().getSelectedItems(), null);
    }

    /**
     * Saves the endpoint with the selected models and its key, and rescans the Library. Returns an error to show,
     * or null when saved.
     */
    public String save() {
        if (models.getSelectionModel().getSelectedItems().isEmpty()) return "Test the connection and select at least one model.";
        try {
            RemoteModels.of(ctx).add(endpoint(), key.getText());
        } catch (RuntimeException e) {
            return e.getMessage();
        }
        ctx.library().refresh();
        return null;
    }

    /** Lists the models in the background; the catalog's known models are selected first (Mistral's API lists dozens). */
    public void testConnection() {
        Endpoint endpoint;
        try {
            endpoint = endpoint();
        } catch (IllegalArgumentException e) {
            status.setText(e.getMessage());
            return;
        }
        String typedKey = key.getText();
        test.setDisable(true);
        status.setText("Connecting to " + endpoint.baseUrl() + "\u2026");
        ctx.background().execute(() -> {
            List<RemoteModel> listed = null;
            String failure = null;
            try {
                listed = RemoteModels.listModels(endpoint, typedKey);
            } catch (RuntimeException e) {
                failure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            }
            List<RemoteModel> found = listed;
            String why = failure;
            Platform.runLater(() -> showListed(endpoint, found, why));
        });
    }

    private void showListed(Endpoint endpoint, List<RemoteModel> listed, String failure) {
        test.setDisable(false);
        if (failure != null) {
            status.setText("Could not list the models: " + failure);
            models.getItems().clear();
            return;
        }
        List<String> ids = listed.stream().map(RemoteModel::id).toList();
        models.getItems().setAll(ids);
        KnownModels known = KnownModels.bundled();
        List<String> knownIds = ids.stream().filter(id -> known.match(id).isPresent()).toList();
        models.getSelectionModel().clearSelection();
        for (String id : knownIds.isEmpty() ? ids : knownIds) models.getSelectionModel().select(id);
        status.setText(ids.isEmpty() ? endpoint.baseUrl() + " answered, but lists no models."
                : "Connected: " + ids.size() + (ids.size() == 1 ? " model" : " models") + " at " + endpoint.baseUrl()
                        + (knownIds.isEmpty() ? "" : "; " + knownIds.size() + " known to the catalog selected"));
    }

    private void applyPreset(EndpointKind preset) {
        if (preset == null) return;
        adjusting = true;
        try {
            if (!urlTyped || url.getText().isBlank()) url.setText(preset.defaultBaseUrl());
            if (!nameTyped || name.getText().isBlank()) name.setText(preset.label());
        } finally {
            adjusting = false;
        }
    }

    private static ListCell<EndpointKind> kindCell() {
        return new ListCell<>() {
            @Override protected void updateItem(EndpointKind item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : item == EndpointKind.MISTRAL || item == EndpointKind.OPENAI_COMPATIBLE
                        ? item.label() + (item == EndpointKind.OPENAI_COMPATIBLE ? " (any other server)" : "")
                        : item.label() + " (OpenAI-compatible)");
            }
        };
    }

    /** Opens the pane in a dialog; "Add" saves, and stays open with the reason when it cannot. */
    public static void showDialog(AppContext ctx, Window owner) {
        AddEndpointPane pane = new AddEndpointPane(ctx);
        Dialog<ButtonType> dialog = new Dialog<>();
        dialog.setTitle("Add remote endpoint");
        dialog.setHeaderText("A server that speaks the OpenAI API (vLLM, llama.cpp, Ollama, LM Studio, another playground) or Mistral's API");
        if (owner != null) dialog.initOwner(owner);
        ButtonType add = new ButtonType("Add", javafx.scene.control.ButtonBar.ButtonData.OK_DONE);
        dialog.getDialogPane().getButtonTypes().addAll(ButtonType.CANCEL, add);
        dialog.getDialogPane().setContent(pane);
        dialog.getDialogPane().lookupButton(add).addEventFilter(ActionEvent.ACTION, e -> {
            String problem = pane.save();
            if (problem != null) {
                pane.status.setText(problem);
                e.consume();
            }
        });
        dialog.show();
    }
}
