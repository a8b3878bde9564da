package org.mambaplayground.gui.library;

import atlantafx.base.theme.Styles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Region;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.mambaplayground.engine.model.Architecture;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.model.Sizes;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.Page;
import org.mambaplayground.gui.models.LoadTask;
import org.mambaplayground.gui.models.ModelHandle;
import org.mambaplayground.gui.shell.FailureAlert;
import org.mambaplayground.gui.shell.Formats;

/** The selected library entry: its facts, a memory estimate for a chosen context, and its actions. */
final class EntryDetails extends ScrollPane {
    private static final long[] CONTEXTS = {1024, 4096, 32768, 131072};
    private final AppContext ctx;
    private final VBox box = new VBox(10);
    private final ComboBox<Long> context = new ComboBox<>();
    private LibraryEntry entry;

    EntryDetails(AppContext ctx) {
        this.ctx = ctx;
        setId("entry-details");
        setFitToWidth(true);
        box.setPadding(new Insets(12, 16, 12, 16));
        setContent(box);
        for (long c : CONTEXTS) context.getItems().add(c);
        context.setValue(4096L);
        context.setConverter(new javafx.util.StringConverter<>() {
            @Override public String toString(Long n) { return n == null ? "" : Formats.tokens(n) + " tokens"; }
            @Override public Long fromString(String s) { return null; }
        });
        context.valueProperty().addListener((obs, was, now) -> show(entry));
        show(null);
    }

    void show(LibraryEntry e) {
        this.entry = e;
        box.getChildren().clear();
        if (e == null) {
            Label hint = new Label("Select a model to see its details.");
            hint.getStyleClass().add(Styles.TEXT_MUTED);
            box.getChildren().add(hint);
            return;
        }
        Label title = new Label(e.name());
        title.setId("details-title");
        title.getStyleClass().add(Styles.TITLE_3);
        Label description = new Label(e.description());
        description.setWrapText(true);
        box.getChildren().addAll(title, description, actions(e), facts(e));
        if (e.spec() != null) box.getChildren().add(memory(e));
        if (!e.problem().isEmpty()) {
            Label problem = new Label(e.problem());
            problem.setId("details-problem");
            problem.setWrapText(true);
            problem.getStyleClass().add(Styles.DANGER);
            box.getChildren().add(problem);
        }
    }

    private GridPane facts(LibraryEntry e) {
        GridPane grid = new GridPane();
        grid.setHgap(12);
        grid.setVgap(4);
        ColumnConstraints keys = new ColumnConstraints();
        keys.setMinWidth(Region.USE_PREF_SIZE);
        grid.getColumnConstraints().addAll(keys, new ColumnConstraints());
        int row = 0;
        row = fact(grid, row, "Folder", e.folder() == null ? "" : e.folder().toString());
        row = fact(grid, row, "State", EntryText.state(e));
        row = fact(grid, row, "On disk", Sizes.bytes(e.bytesOnDisk()));
        if (e.catalog() != null) {
            row = fact(grid, row, "Repository", e.catalog().repo() + (e.catalog().gated() ? " (gated)" : ""));
            row = fact(grid, row, "Download size", "about " + Sizes.bytes(e.catalog().approxBytes()));
        }
        if (e.spec() != null) {
            for (Map.Entry<String, String> f : e.spec().describe().entrySet()) row = fact(grid, row, f.getKey(), f.getValue());
        }
        return grid;
    }

    private static int fact(GridPane grid, int row, String name, String value) {
        Label k = new Label(name);
        k.getStyleClass().add(Styles.TEXT_MUTED);
        Label v = new Label(value);
        v.setWrapText(true);
        grid.addRow(row, k, v);
        return row + 1;
    }

    private VBox memory(LibraryEntry e) {
        ModelSpec spec = e.spec();
        Label heading = new Label("Memory estimate");
        heading.getStyleClass().add(Styles.TEXT_BOLD);
        Path weights = e.folder() == null ? null : e.folder().resolve(ModelLoader.WEIGHTS);
        MemoryEstimate estimate = weights != null && Files.isRegularFile(weights)
                ? MemoryEstimate.of(spec, context.getValue(), size(weights))
                : MemoryEstimate.of(spec, context.getValue());
        Label total = new Label("\u2248 " + Sizes.bytes(estimate.totalBytes()));
        total.setId("memory-estimate");
        total.getStyleClass().add(Styles.TITLE_4);
        Label parts = new Label(estimate.describe());
        parts.setWrapText(true);
        VBox v = new VBox(4, heading, total, parts);
        if (spec.architecture() == Architecture.TRANSFORMER) {
            HBox pick = new HBox(8, new Label("Context"), context);
            pick.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
            v.getChildren().add(pick);
        }
        return v;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException ex) {
            return 0;
        }
    }

    private HBox actions(LibraryEntry e) {
        HBox bar = new HBox(8);
        ModelHandle active = ctx.models().getActiveModel();
        if (active != null && e.folder() != null
                && active.folder().toAbsolutePath().normalize().equals(e.folder().toAbsolutePath().normalize())) {
            Button unload = new Button("Unload");
            unload.setId("unload-model");
            unload.setTooltip(new javafx.scene.control.Tooltip("Release the weights (other views keep them while they use them)"));
            unload.setOnAction(a -> ctx.models().unloadActive());
            Button chat = new Button("Chat with it");
            chat.getStyleClass().add(Styles.ACCENT);
            chat.setOnAction(a -> ctx.navigate(Page.CHAT));
            bar.getChildren().addAll(chat, unload);
        } else if (e.state() == LibraryEntry.InstallState.INSTALLED) {
            Button load = new Button("Load");
            load.setId("load-model");
            load.getStyleClass().add(Styles.ACCENT);
            load.setDisable(!e.loadable());
            load.setOnAction(a -> load(e));
            bar.getChildren().add(load);
        }
        if (e.downloadable()) {
            Button download = new Button(e.state() == LibraryEntry.InstallState.PARTIAL ? "Resume download\u2026" : "Download\u2026");
            download.setId("download-model");
            download.getStyleClass().add(Styles.ACCENT);
            download.setOnAction(a -> DownloadLauncher.open(ctx, e.catalog(), getScene().getWindow()));
            bar.getChildren().add(download);
        }
        if (e.kind() == LibraryEntry.Kind.FOLDER) {
            Button remove = new Button("Remove from library");
            remove.setOnAction(a -> FailureAlert.on(ctx.library().removeFolder(e.folder()), "Could not remove " + e.folder()));
            bar.getChildren().add(remove);
        }
        return bar;
    }

    private void load(LibraryEntry e) {
        LoadTask task = ctx.models().activate(e.folder());
        task.setOnFailed(f -> showLoadError(e, task.getException()));
        task.setOnSucceeded(s -> ctx.navigate(Page.CHAT));
    }

    private void showLoadError(LibraryEntry e, Throwable error) {
        Label problem = new Label("Could not load " + e.name() + ": " + (error == null ? "unknown error" : error.getMessage()));
        problem.setId("load-error");
        problem.setWrapText(true);
        problem.getStyleClass().add(Styles.DANGER);
        box.getChildren().add(problem);
    }
}
