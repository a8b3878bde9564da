package org.mambaplayground.gui.shell;

import atlantafx.base.theme.Styles;
import java.io.IOException;
import java.nio.file.Files;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.OverrunStyle;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.mambaplayground.engine.model.Sizes;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.models.LoadTask;
import org.mambaplayground.gui.models.ModelHandle;

/** Shows the active model and its precision and, while one loads, its stage and progress with a cancel button. */
public final class ActiveModelBadge extends VBox {
    private final Label caption = new Label("Active model");
    private final Label name = new Label();
    private final Label precision = new Label();
    private final Label memory = new Label();
    private final Label stage = new Label();
    private final ProgressBar progress = new ProgressBar();
    private final Button cancel = new Button("Cancel");

    public ActiveModelBadge(AppContext ctx) {
        setId("active-model");
        setSpacing(4);
        caption.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        name.setId("active-model-name");
        name.getStyleClass().add(Styles.TEXT_BOLD);
        name.setTextOverrun(OverrunStyle.CENTER_ELLIPSIS); // folder names have no spaces to wrap at
        name.setMaxWidth(Double.MAX_VALUE);
        precision.setId("active-model-precision");
        precision.getStyleClass().addAll("precision-chip", Styles.TEXT_SMALL);
        precision.setMinWidth(Region.USE_PREF_SIZE);
        memory.setId("active-model-memory");
        memory.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        memory.setMinWidth(0);
        // the precision on the line below the name: the sidebar is too narrow for both on one line
        HBox details = new HBox(6, precision, memory);
        details.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        stage.setId("active-model-stage");
        stage.getStyleClass().add(Styles.TEXT_SMALL);
        stage.setWrapText(true);
        progress.setMaxWidth(Double.MAX_VALUE);
        cancel.setId("cancel-load");
        cancel.getStyleClass().addAll(Styles.SMALL, Styles.FLAT);
        getChildren().addAll(caption, name, details, stage, progress, cancel);

        ctx.models().activeModelProperty().addListener((obs, was, now) -> showModel(now, ctx));
        ctx.models().openModels().addListener((javafx.collections.ListChangeListener<ModelHandle>) c -> showModel(ctx.models().getActiveModel(), ctx));
        ctx.models().activationProperty().addListener((obs, was, now) -> showLoading(now));
        ctx.models().activeBackendProperty().addListener((obs, was, now) -> {
            if (now != null && ctx.models().getActiveModel() == null) showRemote(now);
        });
        showModel(null, ctx);
        showLoading(null);
    }

    private void showModel(ModelHandle model, AppContext ctx) {
        name.setText(model == null ? "none loaded" : model.name());
        // a long folder name (no spaces to wrap at) gets a smaller font rather than a "..." in its middle
        name.setStyle(name.getText().length() > 16 ? "-fx-font-size: 11px" : "");
        name.setTooltip(model == null ? null : new Tooltip(model.label() + "\n" + model.folder()));
        precision.setText(model == null ? "" : model.choice().label());
        precision.setVisible(model != null);
        precision.setManaged(model != null);
        int open = ctx.models().openModels().size();
        String weights = model == null ? "" : Sizes.bytes(weightsSize(model)) + " mapped";
        memory.setTooltip(model == null ? null : new Tooltip("Weights mapped from " + model.choice().weightsFile(model.folder())));
        memory.setText(String.join("\n", java.util.stream.Stream.of(weights, inMemory(open, model != null))
                .filter(s -> !s.isEmpty()).toList()));
    }

    /**
     * The count of mapped models, said whenever it is more than the active one alone: also when no model is
     * active and the comparison (or the server) still holds one.
     */
    static String inMemory(int open, boolean oneIsActive) {
        if (open == 0 || (open == 1 && oneIsActive)) return "";
        return open + (open == 1 ? " model" : " models") + " in memory";
    }

    /** A remote model is active: its name, and where it is served (no weights here). */
    private void showRemote(org.mambaplayground.backend.ModelBackend remote) {
        name.setText(remote.name());
        name.setStyle(name.getText().length() > 16 ? "-fx-font-size: 11px" : "");
        name.setTooltip(new Tooltip(remote.label()));
        precision.setText("remote");
        precision.setVisible(true);
        precision.setManaged(true);
        memory.setTooltip(null);
        memory.setText("served by the endpoint");
    }

    /** The size of the file actually mapped: the checkpoint, or the converted copy. */
    private static long weightsSize(ModelHandle model) {
        try {
            return Files.size(model.choice().weightsFile(model.folder()));
        } catch (IOException e) {
            return -1;
        }
    }

    private void showLoading(LoadTask task) {
        boolean loading = task != null;
        for (var node : new javafx.scene.Node[] {stage, progress, cancel}) {
            node.setVisible(loading);
            node.setManaged(loading);
        }
        progress.progressProperty().unbind();
        stage.textProperty().unbind();
        if (loading) {
            progress.progressProperty().bind(task.progressProperty());
            stage.textProperty().bind(task.messageProperty()); // e.g. "Converting to Q4_0 (once)"
            cancel.setOnAction(e -> task.cancel());
        }
    }
}
