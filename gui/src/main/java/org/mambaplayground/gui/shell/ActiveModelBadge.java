package org.mambaplayground.gui.shell;

import atlantafx.base.theme.Styles;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.VBox;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.model.Sizes;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.models.LoadTask;
import org.mambaplayground.gui.models.ModelHandle;

/** Shows the active model and, while one loads, its progress with a cancel button. */
public final class ActiveModelBadge extends VBox {
    private final Label caption = new Label("Active model");
    private final Label name = new Label();
    private final Label memory = new Label();
    private final ProgressBar progress = new ProgressBar();
    private final Button cancel = new Button("Cancel");

    public ActiveModelBadge(AppContext ctx) {
        setId("active-model");
        setSpacing(4);
        caption.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        name.setId("active-model-name");
        name.getStyleClass().add(Styles.TEXT_BOLD);
        name.setTextOverrun(javafx.scene.control.OverrunStyle.CENTER_ELLIPSIS); // folder names have no spaces to wrap at
        name.setMaxWidth(Double.MAX_VALUE);
        memory.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        progress.setMaxWidth(Double.MAX_VALUE);
        cancel.getStyleClass().addAll(Styles.SMALL, Styles.FLAT);
        getChildren().addAll(caption, name, memory, progress, cancel);

        ctx.models().activeModelProperty().addListener((obs, was, now) -> showModel(now, ctx));
        ctx.models().openModels().addListener((javafx.collections.ListChangeListener<ModelHandle>) c -> showModel(ctx.models().getActiveModel(), ctx));
        ctx.models().activationProperty().addListener((obs, was, now) -> showLoading(now));
        showModel(null, ctx);
        showLoading(null);
    }

    private void showModel(ModelHandle model, AppContext ctx) {
        name.setText(model == null ? "none loaded" : model.name());
        name.setTooltip(model == null ? null : new javafx.scene.control.Tooltip(model.folder().toString()));
        int open = ctx.models().openModels().size();
        String weights = model == null ? "" : Sizes.bytes(weightsSize(model)) + " of weights mapped";
        memory.setText(open <= 1 ? weights : weights + "\n" + open + " models in memory");
    }

    private static long weightsSize(ModelHandle model) {
        try {
            return java.nio.file.Files.size(model.folder().resolve(ModelLoader.WEIGHTS));
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private void showLoading(LoadTask task) {
        boolean loading = task != null;
        progress.setVisible(loading);
        progress.setManaged(loading);
        cancel.setVisible(loading);
        cancel.setManaged(loading);
        progress.progressProperty().unbind();
        if (loading) {
            progress.progressProperty().bind(task.progressProperty());
            cancel.setOnAction(e -> task.cancel());
        }
    }
}
