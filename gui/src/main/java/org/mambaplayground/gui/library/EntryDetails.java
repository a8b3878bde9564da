package org.mambaplayground.gui.library;

import atlantafx.base.theme.Styles;
import java.util.Map;
import java.util.function.Supplier;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.mambaplayground.engine.load.MachineMemory;
import org.mambaplayground.engine.model.Sizes;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.Page;
import org.mambaplayground.gui.models.LoadChoice;
import org.mambaplayground.gui.models.LoadTask;
import org.mambaplayground.gui.models.ModelHandle;
import org.mambaplayground.gui.shell.FailureAlert;
import org.mambaplayground.gui.download.Downloads;

/** The selected library entry: its facts, its memory at each precision against this machine, and its actions. */
final class EntryDetails extends ScrollPane {
    private final AppContext ctx;
    private final VBox box = new VBox(10);
    private final HBox actions = new HBox(8);
    private final MemoryPanel memory;
    private final LiveStates states;
    private LibraryEntry entry;

    /**
     * @param machine this machine's memory, read each time an entry is shown (tests pretend a small one)
     * @param states the State words, as the table says them
     */
    EntryDetails(AppContext ctx, Supplier<MachineMemory> machine, LiveStates states) {
        this.ctx = ctx;
        this.states = states;
        this.memory = new MemoryPanel(LoadChoices.of(ctx), machine, () -> showActions(entry));
        setId("entry-details");
        setFitToWidth(true);
        box.setPadding(new Insets(12, 16, 12, 16));
        setContent(box);
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
        memory.show(e.remote() ? null : e); // a remote model's weights are the server's: no precision to choose here
        showActions(e);
        box.getChildren().addAll(title, description, actions);
        if (e.spec() != null && !e.remote()) box.getChildren().add(memory);
        box.getChildren().add(e.remote() ? RemoteEntryDetails.facts(ctx, e) : facts(e));
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
        ColumnConstraints values = new ColumnConstraints();
        values.setHgrow(Priority.ALWAYS); // the values' width is the panel's, so a path can break to fit it
        grid.getColumnConstraints().addAll(keys, values);
        int row = 0;
        row = pathFact(grid, row, "Folder", e.folder() == null ? "" : e.folder().toString());
        row = fact(grid, row, "State", states.of(e));  // as the table says it, live
        row = fact(grid, row, "On disk", states.onDisk(e)); // live while it downloads
        if (e.catalog() != null) {
            row = pathFact(grid, row, "Repository", e.catalog().repo() + (e.catalog().gated() ? " (gated)" : ""));
            row = fact(grid, row, "Download size", "about " + Sizes.bytes(e.catalog().approxBytes()));
        }
        if (e.spec() != null) {
            for (Map.Entry<String, String> f : e.spec().describe().entrySet()) row = fact(grid, row, f.getKey(), f.getValue());
        }
        return grid;
    }

    private static int fact(GridPane grid, int row, String name, String value) {
        return fact(grid, row, name, new javafx.beans.property.SimpleStringProperty(value));
    }

    /** A path or repository, broken after a separator or hyphen (not mid-name) where it is wider than the panel. */
    private static int pathFact(GridPane grid, int row, String name, String path) {
        Label v = factValue(grid, row, name);
        v.setText(path);
        v.setMaxWidth(Double.MAX_VALUE); // as wide as the column, whatever the text: breaking it cannot shrink it
        v.widthProperty().addListener((obs, was, now) -> v.setText(LineBreaks.after(path, "/\\-", v.getFont(),
                now.doubleValue() - v.snappedLeftInset() - v.snappedRightInset())));
        return row + 1;
    }

    private static int fact(GridPane grid, int row, String name, javafx.beans.value.ObservableValue<String> value) {
        factValue(grid, row, name).textProperty().bind(value);
        return row + 1;
    }

    /** Row {@code row}'s name and its empty, wrapping value label. */
    private static Label factValue(GridPane grid, int row, String name) {
        Label k = new Label(name);
        k.getStyleClass().add(Styles.TEXT_MUTED);
        Label v = new Label();
        v.setId("fact-" + name.toLowerCase(java.util.Locale.ROOT).replace(' ', '-'));
        v.setWrapText(true);
        grid.addRow(row, k, v);
        return v;
    }

    /** Load (at the chosen precision), or Chat and Unload when this entry is the active model at that precision. */
    private void showActions(LibraryEntry e) {
        actions.getChildren().clear();
        if (e == null) return;
        if (e.remote()) {
            actions.getChildren().addAll(RemoteEntryDetails.actions(ctx, e));
            return;
        }
        LoadChoice choice = memory.choice();
        boolean downloading = EntryText.download(e, Downloads.of(ctx)).isPresent();
        ModelHandle active = ctx.models().getActiveModel();
        boolean activeHere = active != null && e.folder() != null
                && active.folder().toAbsolutePath().normalize().equals(e.folder().toAbsolutePath().normalize());
        if (activeHere && active.choice().equals(choice)) {
            Button chat = new Button("Chat with it");
            chat.getStyleClass().add(Styles.ACCENT);
            chat.setOnAction(a -> ctx.navigate(Page.CHAT));
            actions.getChildren().add(chat);
        } else if (e.state() == LibraryEntry.InstallState.INSTALLED) {
            Button load = new Button(activeHere ? "Load at " + choice.label() : "Load");
            load.setId("load-model");
            load.getStyleClass().add(Styles.ACCENT);
            load.setDisable(!e.loadable());
            load.setTooltip(new Tooltip(choice.converts() ? "Loads the " + choice.precision() + " copy (converted first if there is none)"
                    : "Maps the checkpoint as it is"));
            load.setOnAction(a -> load(e, choice));
            actions.getChildren().add(load);
        }
        if (activeHere) {
            Button unload = new Button("Unload");
            unload.setId("unload-model");
            unload.setTooltip(new Tooltip("Release the weights (other views keep them while they use them)"));
            unload.setOnAction(a -> ctx.models().unloadActive());
            actions.getChildren().add(unload);
        }
        if (e.downloadable()) {
            // While it downloads, the wizard shows that download (Pause and Cancel are in the sidebar). The Library
            // shows these actions again when a download starts or ends.
            Button download = new Button(downloading ? "Show download\u2026"
                    : e.state() == LibraryEntry.InstallState.PARTIAL ? "Resume download\u2026" : "Download\u2026");
            download.setId("download-model");
            download.getStyleClass().add(Styles.ACCENT);
            download.setOnAction(a -> DownloadLauncher.open(ctx, e.catalog(), getScene().getWindow()));
            actions.getChildren().add(download);
        }
        if (e.catalog() != null) {
            for (var gguf : ctx.library().catalog().ggufModelsOf(e.catalog())) {
                Button files = new Button("GGUF files\u2026");
                files.setId("download-gguf");
                files.setTooltip(new Tooltip("Choose one quantization of " + gguf.repo() + " to download: a smaller file, run as it is stored"));
                files.setOnAction(a -> DownloadLauncher.open(ctx, gguf, getScene().getWindow()));
                actions.getChildren().add(files);
            }
        }
        if (e.catalog() != null && e.state() != LibraryEntry.InstallState.NOT_INSTALLED) {
            Button delete = new Button("Delete from disk\u2026");
            delete.setId("delete-model");
            boolean inMemory = ctx.models().openModels().stream().anyMatch(h -> e.folder() != null
                    && h.folder().toAbsolutePath().normalize().equals(e.folder().toAbsolutePath().normalize()));
            delete.setDisable(inMemory || downloading);
            delete.setTooltip(new Tooltip(inMemory ? "Unload it first" : downloading ? "Cancel its download first"
                    : "Removes the files the app downloaded; other files in the folder stay"));
            delete.setOnAction(a -> confirmDelete(e));
            actions.getChildren().add(delete);
        }
        if (e.kind() == LibraryEntry.Kind.FOLDER) {
            Button remove = new Button("Remove from library");
            remove.setOnAction(a -> FailureAlert.on(ctx.library().removeFolder(e.folder()), "Could not remove " + e.folder()));
            actions.getChildren().add(remove);
        }
    }

    private void confirmDelete(LibraryEntry e) {
        var confirm = new javafx.scene.control.Alert(javafx.scene.control.Alert.AlertType.CONFIRMATION,
                "This removes the " + e.catalog().files().size() + " files the app downloaded (" + Sizes.bytes(e.bytesOnDisk())
                        + ") from " + e.folder() + ". Other files there stay. Download it again at any time.",
                javafx.scene.control.ButtonType.CANCEL, javafx.scene.control.ButtonType.OK);
        confirm.setHeaderText("Delete " + e.name() + " from disk?");
        confirm.setTitle("Delete from disk");
        if (getScene() != null) confirm.initOwner(getScene().getWindow());
        confirm.showAndWait().filter(b -> b == javafx.scene.control.ButtonType.OK)
                .ifPresent(b -> FailureAlert.on(ctx.library().deleteDownloaded(e.catalog()), "Could not delete " + e.name()));
    }

    private void load(LibraryEntry e, LoadChoice choice) {
        LoadTask task = ctx.models().activate(e.folder(), choice);
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
