package org.mambaplayground.gui.download;

import atlantafx.base.theme.Styles;
import java.time.Duration;
import javafx.beans.InvalidationListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;
import org.mambaplayground.assets.CatalogModel;
import org.mambaplayground.engine.load.MachineMemory;
import org.mambaplayground.engine.model.Sizes;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.download.DownloadSession.Problem;
import org.mambaplayground.gui.download.DownloadSession.State;
import org.mambaplayground.gui.library.LoadChoices;
import org.mambaplayground.gui.shell.Formats;

/**
 * The download wizard's content: pick a catalog model, see its files, sizes and the free disk space, enter
 * a token for gated repositories, then download with per-file and total progress, pause, resume, cancel.
 */
public final class DownloadPane extends VBox {
    static final String TOKENS_PAGE = "https://huggingface.co/settings/tokens";
    private final AppContext ctx;
    private final ComboBox<CatalogModel> models = new ComboBox<>();
    private final Label repo = new Label();
    private final Label gated = new Label();
    private final PasswordField token = new PasswordField();
    private final Label tokenNote = new Label();
    private final Label target = new Label();
    private final GgufChoiceList ggufChoices = new GgufChoiceList();
    private final FilesTable table = new FilesTable();
    private final Label summary = new Label();
    private final ProgressBar total = new ProgressBar(0);
    private final Label totalText = new Label();
    private final Label problem = new Label();
    private final Label problemHint = new Label();
    private final Hyperlink problemLink = new Hyperlink("Open the model page");
    private final Button copyProblem = new Button("Copy error");
    private final CheckBox rememberToken = new CheckBox("Remember it");
    private final Button check = new Button("Check files");
    private final Button start = new Button("Download");
    private final Button pause = new Button("Pause");
    private final Button cancel = new Button("Cancel");
    private final Button loadNow = new Button("Load it now");
    private final InvalidationListener refresh = o -> update();
    private DownloadSession session;

    public DownloadPane(AppContext ctx, CatalogModel initial) {
        this.ctx = ctx;
        setId("download-pane");
        setSpacing(10);
        setPadding(new Insets(16));
        setPrefWidth(720);

        Label title = new Label("Download a model");
        title.getStyleClass().add(Styles.TITLE_3);
        models.setId("wizard-model");
        models.getItems().setAll(ctx.library().catalog().downloadable());
        models.setConverter(new StringConverter<>() {
            @Override public String toString(CatalogModel m) { return m == null ? "" : m.name(); }
            @Override public CatalogModel fromString(String s) { return null; }
        });
        models.valueProperty().addListener((obs, was, now) -> select(now));

        Hyperlink page = new Hyperlink("Model page");
        page.setId("model-page-link");
        page.setOnAction(e -> ctx.openLink(session.model().pageUrl()));
        problemLink.setOnAction(e -> ctx.openLink(session.model().pageUrl()));
        gated.setWrapText(true);
        gated.getStyleClass().add(Styles.WARNING);

        token.setId("token-field");
        token.setPromptText("hf_\u2026 (only for gated models)");
        HBox.setHgrow(token, Priority.ALWAYS);
        Hyperlink getToken = new Hyperlink("Get a token");
        getToken.setOnAction(e -> ctx.openLink(TOKENS_PAGE));
        check.setId("check-files");
        check.setOnAction(e -> session.check(token.getText()));
        token.textProperty().addListener(refresh);
        rememberToken.setId("remember-token");
        rememberToken.setTooltip(new javafx.scene.control.Tooltip(
                "Saves an accepted token where huggingface_hub keeps it ($HF_HOME/token, readable only by you);"
                        + " the command line uses it too."));
        rememberToken.selectedProperty().addListener((o, was, now) -> session.setRememberToken(now));
        tokenNote.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);

        summary.setId("download-summary");
        total.setId("total-progress");
        total.setMaxWidth(Double.MAX_VALUE);
        totalText.setId("total-progress-text");
        problem.setId("download-problem");
        // The whole text, on as many lines as it needs: a cut error ("...") hides the part that says what to do.
        problem.setWrapText(true);
        problem.setMinHeight(Region.USE_PREF_SIZE);
        problem.getStyleClass().add(Styles.DANGER);
        problemHint.setId("download-problem-hint");
        problemHint.setWrapText(true);
        problemHint.setMinHeight(Region.USE_PREF_SIZE);
        copyProblem.setId("copy-problem");
        copyProblem.getStyleClass().add(Styles.SMALL);
        copyProblem.setOnAction(e -> {
            Problem p = session.problemProperty().get();
            if (p == null) return;
            var content = new javafx.scene.input.ClipboardContent();
            content.putString(p.hint().isEmpty() ? p.message() : p.message() + "\n" + p.hint());
            javafx.scene.input.Clipboard.getSystemClipboard().setContent(content);
        });

        start.setId("start-download");
        start.getStyleClass().add(Styles.ACCENT);
        start.setOnAction(e -> Downloads.of(ctx).enqueue(session, token.getText()));
        pause.setId("pause-download");
        pause.setOnAction(e -> {
            if (session.stateProperty().get() == State.PAUSED) session.resume(); else session.pause();
        });
        cancel.setId("cancel-download");
        cancel.setOnAction(e -> session.cancel());
        loadNow.setId("load-downloaded");
        loadNow.getStyleClass().add(Styles.SUCCESS);
        loadNow.setOnAction(e -> {
            // at the precision the library would choose: a model too big for this machine in BF16 gets Q8_0 or Q4_0
            ctx.models().activate(session.modelPath(),
                    LoadChoices.of(ctx).choiceFor(session.modelPath(), ctx.library().entries(), MachineMemory.read()));
            getScene().getWindow().hide();
        });
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);

        getChildren().addAll(
                title,
                new HBox(8, fixedWidth(new Label("Model")), models, repo, page),
                gated,
                new HBox(8, new Label("Token"), token, rememberToken, getToken, check),
                tokenNote,
                target,
                ggufChoices,
                table,
                summary,
                total,
                totalText,
                problem, problemHint, new HBox(8, problemLink, copyProblem),
                new HBox(8, spacer, cancel, pause, start, loadNow));
        for (var row : getChildren()) if (row instanceof HBox h) h.setAlignment(Pos.CENTER_LEFT);
        models.setValue(initial != null ? initial : models.getItems().getFirst());
    }

    /** A label that keeps its whole text when its row is short of room (the model names can be long). */
    private static Label fixedWidth(Label label) {
        label.setMinWidth(Region.USE_PREF_SIZE);
        return label;
    }

    /** The GGUF quantizations shown for a GGUF repository (for tests). */
    GgufChoiceList ggufChoices() { return ggufChoices; }

    /** The session shown now (for tests and the window's close handler). */
    public DownloadSession session() { return session; }

    /** Shows {@code model}'s download: the one under way or waiting if there is one, else a new one. */
    public void select(CatalogModel model) {
        if (model == null || session != null && session.model() == model) return;
        if (models.getValue() != model) {
            models.setValue(model); // comes back here through the listener
            return;
        }
        if (session != null) {
            for (var p : observed(session)) p.removeListener(refresh);
            if (!session.isActive() && Downloads.of(ctx).sessions().stream().noneMatch(s -> s == session)) session.close();
        }
        var existing = Downloads.of(ctx).of(model);
        boolean fresh = existing.isEmpty();
        session = existing.orElseGet(() -> Downloads.of(ctx).newSession(model));
        session.setRememberToken(rememberToken.isSelected());
        table.setItems(session.files());
        ggufChoices.bind(session);
        for (var p : observed(session)) p.addListener(refresh);
        total.progressProperty().bind(session.fractionProperty());
        repo.setText(model.repo());
        gated.setText(model.gated()
                ? "Gated repository: accept its terms on the model page while signed in, then enter a token of that account."
                : "");
        gated.setManaged(model.gated());
        gated.setVisible(model.gated());
        target.setText("Saves to " + session.target());
        if (fresh) session.check(token.getText());
        update();
    }

    private static javafx.beans.Observable[] observed(DownloadSession s) {
        return new javafx.beans.Observable[] {s.stateProperty(), s.problemProperty(), s.totalBytesProperty(),
                s.bytesToFetchProperty(), s.bytesDoneProperty(), s.freeBytesProperty(), s.bytesPerSecondProperty(), s.etaProperty()};
    }

    private void update() {
        State state = session.stateProperty().get();
        boolean running = state == State.DOWNLOADING || state == State.PAUSED;
        check.setDisable(running || state == State.CHECKING);
        // After a refused token or a failed check, the main button checks again (with the token as typed now).
        start.setDisable(running || state == State.CHECKING || state == State.DONE || state == State.QUEUED
                || session.needsToken() && !session.tokenChanged(token.getText()));
        boolean fetchedSome = session.bytesDoneProperty().get() > 0;
        start.setText((state == State.CANCELLED || state == State.FAILED) && fetchedSome ? "Resume download" : "Download");
        pause.setDisable(!running);
        pause.setText(state == State.PAUSED ? "Resume" : "Pause");
        cancel.setDisable(!running && state != State.CHECKING && state != State.QUEUED);
        loadNow.setVisible(state == State.DONE);
        loadNow.setManaged(state == State.DONE);
        tokenNote.setText(state == State.CHECKING ? "Asking the hub\u2026 (Cancel stops)"
                : session.hasToken() ? "A token is set (typed here, HF_TOKEN or the saved huggingface token)."
                : "No token: public repositories only.");

        long totalBytes = session.totalBytesProperty().get();
        summary.setText(totalBytes < 0 ? "" : "Total " + Sizes.bytes(totalBytes)
                + "  \u00b7  to fetch " + Sizes.bytes(session.bytesToFetchProperty().get())
                + "  \u00b7  free disk space " + Sizes.bytes(session.freeBytesProperty().get()));
        totalText.setText(progressText(state, totalBytes));

        Problem p = session.problemProperty().get();
        problem.setText(p == null ? "" : p.message());
        problemHint.setText(p == null ? "" : p.hint());
        boolean gatedProblem = p != null && p.kind() != null
                && switch (p.kind()) { case GATED, INVALID_TOKEN, REPO_NOT_FOUND -> true; default -> false; };
        for (var n : new javafx.scene.Node[] {problem, problemHint, copyProblem}) {
            n.setVisible(p != null);
            n.setManaged(p != null);
        }
        problemLink.setVisible(gatedProblem);
        problemLink.setManaged(gatedProblem);
        growWindowToFit();
    }

    /** A longer error needs more height than the window was opened with: grow it rather than hide the end. */
    private void growWindowToFit() {
        if (getScene() == null || !(getScene().getWindow() instanceof javafx.stage.Stage stage)) return;
        javafx.application.Platform.runLater(() -> {
            if (getScene() != null && prefHeight(getWidth()) > getScene().getHeight() + 0.5) stage.sizeToScene();
        });
    }

    private String progressText(State state, long totalBytes) {
        String done = Sizes.bytes(session.bytesDoneProperty().get()) + " of " + Sizes.bytes(Math.max(totalBytes, 0));
        return switch (state) {
            case IDLE -> "Not checked: Check files or Download asks the hub.";
            case CHECKING, READY -> "";
            case QUEUED -> "Waiting for the download ahead of it (the sidebar shows them all).";
            case DOWNLOADING -> {
                Duration eta = session.etaProperty().get();
                yield done + "  \u00b7  " + Sizes.bytes((long) session.bytesPerSecondProperty().get()) + "/s"
                        + (eta == null ? "" : "  \u00b7  " + Formats.duration(eta.toMillis() / 1000.0) + " left");
            }
            case PAUSED -> done + "  \u00b7  paused";
            case DONE -> "Installed in " + session.target() + ": it is in the library now.";
            case FAILED -> totalBytes < 0 ? ""
                    : session.bytesDoneProperty().get() == 0 ? "Stopped before any byte was fetched."
                    : done + "  \u00b7  stopped; what was fetched is kept";
            case CANCELLED -> session.bytesDoneProperty().get() == 0 ? "Cancelled."
                    : done + "  \u00b7  cancelled; what was fetched is kept and a new start resumes it";
        };
    }
}
