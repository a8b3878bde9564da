package org.mambaplayground.gui.library;

import atlantafx.base.theme.Styles;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import java.util.List;
import java.util.function.Function;
import javafx.beans.value.ObservableValue;
import javafx.collections.ListChangeListener;
import java.util.function.Supplier;
import org.mambaplayground.engine.load.MachineMemory;
import org.mambaplayground.engine.model.Sizes;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.download.DownloadSession;
import org.mambaplayground.gui.download.Downloads;
import org.mambaplayground.gui.models.ModelHandle;
import org.mambaplayground.gui.shell.FailureAlert;

/** The model library: every known model with its size, architecture and memory at each precision; load or download. */
public final class LibraryView extends BorderPane {
    /** The table's own border and padding beside its columns. */
    private static final double TABLE_BORDERS = 4;
    /** What the details need for the precision table without cutting it. */
    private static final double DETAILS_MIN_WIDTH = 360;
    private final AppContext ctx;
    private final TableView<LibraryEntry> table = new TableView<>();
    private final EntryDetails details;
    /** The model selected last, to select it again after a rescan replaced the entries. */
    private String lastSelected;

    public LibraryView(AppContext ctx) {
        this(ctx, MachineMemory::read);
    }

    /** @param machine this machine's memory, compared with each precision's estimate (tests pretend a small one) */
    public LibraryView(AppContext ctx, Supplier<MachineMemory> machine) {
        this.ctx = ctx;
        LiveStates states = new LiveStates(ctx.models(), Downloads.of(ctx));
        this.details = new EntryDetails(ctx, machine, states);
        setId("library-view");
        setPadding(new Insets(16));
        setTop(header());
        table.setId("library-table");
        table.setItems(ctx.library().entries());
        TableColumn<LibraryEntry, String> source = column("Source", e -> switch (e.kind()) {
            case CATALOG -> "Hub";
            case DEMO -> "Built-in";
            case FOLDER -> "Folder";
            case REMOTE -> "Remote";
        }, 70);
        TableColumn<LibraryEntry, String> params = column("Params", e -> e.spec() == null ? "?" : Sizes.count(e.spec().parameterCount()), 80);
        TableColumn<LibraryEntry, String> onDisk = live("On disk", states::bytesOnDisk, 80);
        table.getColumns().setAll(List.of(
                wrapping(column("Model", LibraryEntry::name, 185)),
                source,
                column("Type", e -> e.spec() == null ? "?" : EntryText.architecture(e.spec()), 112),
                params,
                onDisk,
                wrapping(live("State", states::of, 130))));
        // On a small screen the columns the details repeat give way, in this order, rather than every column
        // being cut short.
        List<TableColumn<LibraryEntry, ?>> givingWay = List.of(source, onDisk, params);
        table.widthProperty().addListener((obs, was, now) -> fitColumns(now.doubleValue(), givingWay));
        // The State column and the details' buttons say which models are loaded: redraw when that changes.
        ctx.models().activeBackendProperty().addListener(o -> { // a local model or a remote one
            table.refresh();
            details.show(table.getSelectionModel().getSelectedItem());
        });
        ctx.models().openModels().addListener((ListChangeListener<ModelHandle>) c -> table.refresh());
        watchDownloads(Downloads.of(ctx));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getStyleClass().add(Styles.STRIPED);
        table.getSelectionModel().selectedItemProperty().addListener((obs, was, now) -> {
            if (now != null) lastSelected = now.name();
            details.show(now);
        });
        ctx.library().entries().addListener((ListChangeListener<LibraryEntry>) c -> reselect());

        SplitPane split = new SplitPane(table, details);
        details.setMinWidth(DETAILS_MIN_WIDTH);
        split.setDividerPositions(0.64);
        setCenter(split);
        BorderPane.setMargin(split, new Insets(12, 0, 0, 0));
    }

    /**
     * The details' actions depend on whether a download is under way (no "Delete from disk" during one): shown
     * again when one starts or ends. The percent needs no redraw: the State words follow it (LiveStates).
     */
    private void watchDownloads(Downloads downloads) {
        downloads.sessions().addListener((ListChangeListener<DownloadSession>) c ->
                details.show(table.getSelectionModel().getSelectedItem()));
    }

    /** Hides the first of {@code givingWay} while the table is narrower than its columns' preferred widths. */
    private void fitColumns(double width, List<TableColumn<LibraryEntry, ?>> givingWay) {
        double needed = table.getColumns().stream().mapToDouble(TableColumn::getPrefWidth).sum() + TABLE_BORDERS;
        boolean changed = false;
        for (TableColumn<LibraryEntry, ?> col : givingWay) {
            boolean visible = width >= needed;
            if (!visible) needed -= col.getPrefWidth();
            if (col.isVisible() != visible) {
                col.setVisible(visible);
                changed = true;
            }
        }
        if (changed) Platform.runLater(table::refresh); // cells of a column shown again keep a stale layout otherwise
    }

    private void reselect() {
        String wanted = lastSelected;
        table.getItems().stream().filter(e -> e.name().equals(wanted)).findFirst()
                .ifPresentOrElse(e -> table.getSelectionModel().select(e), () -> table.getSelectionModel().selectFirst());
    }

    private VBox header() {
        Label title = new Label("Model library");
        title.getStyleClass().add(Styles.TITLE_2);
        Label hint = new Label("Built-in demo models work offline. Real models download into " + homeRelative(ctx.modelStore()));
        hint.setWrapText(true);
        hint.getStyleClass().add(Styles.TEXT_MUTED);
        Button add = new Button("Add folder\u2026");
        add.setId("add-folder");
        add.setOnAction(e -> addFolder());
        Button addFile = new Button("Add file\u2026");
        addFile.setId("add-file");
        addFile.setOnAction(e -> addFile());
        Button refresh = new Button("Rescan");
        refresh.setId("rescan");
        refresh.setOnAction(e -> ctx.library().refresh());
        Button endpoint = new Button("Add remote endpoint\u2026");
        endpoint.setId("add-endpoint");
        endpoint.setOnAction(e -> org.mambaplayground.gui.remote.AddEndpointPane.showDialog(ctx, getScene().getWindow()));
        Button download = new Button("Download a model…");
        download.setId("open-wizard");
        download.setOnAction(e -> DownloadLauncher.open(ctx, null, getScene().getWindow()));
        for (Button b : new Button[] {refresh, add, addFile, endpoint, download}) b.setMinWidth(Region.USE_PREF_SIZE);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        title.setMinWidth(Region.USE_PREF_SIZE); // the title keeps its words
        // the buttons go onto a second row rather than past the window's edge on a small screen
        javafx.scene.layout.FlowPane buttons = new javafx.scene.layout.FlowPane(8, 6, refresh, add, addFile, endpoint, download);
        buttons.setAlignment(javafx.geometry.Pos.TOP_RIGHT);
        buttons.setPrefWrapLength(680); // one row when the window has room
        // The hint runs under the title and the buttons, the whole width: beside them, a small window left it a
        // column a few words wide with the folder's path broken mid-name.
        return new VBox(4, new HBox(8, title, spacer, buttons), hint);
    }

    private static String homeRelative(java.nio.file.Path path) {
        java.nio.file.Path home = java.nio.file.Path.of(System.getProperty("user.home"));
        return path.startsWith(home) ? "~/" + home.relativize(path) : path.toString();
    }

    private void addFolder() {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle("Add a model folder (params.json, weights, tokenizer)");
        var folder = chooser.showDialog(getScene().getWindow());
        if (folder == null) return;
        FailureAlert.on(ctx.library().addFolder(folder.toPath()), "Could not add " + folder);
    }

    private void addFile() {
        javafx.stage.FileChooser chooser = new javafx.stage.FileChooser();
        chooser.setTitle("Add a GGUF model file (llama.cpp, LM Studio, Ollama)");
        chooser.getExtensionFilters().add(new javafx.stage.FileChooser.ExtensionFilter("GGUF models", "*.gguf"));
        var file = chooser.showOpenDialog(getScene().getWindow());
        if (file == null) return;
        FailureAlert.on(ctx.library().addFolder(file.toPath()), "Could not add " + file);
    }

    /** Long names and states wrap onto a second line rather than ending in "...". */
    private static TableColumn<LibraryEntry, String> wrapping(TableColumn<LibraryEntry, String> col) {
        col.setCellFactory(WrappingCell::new);
        return col;
    }

    /** A column whose words follow the downloads and the loaded models by themselves (see LiveStates). */
    private static TableColumn<LibraryEntry, String> live(String title, Function<LibraryEntry, ObservableValue<String>> words, double width) {
        TableColumn<LibraryEntry, String> col = new TableColumn<>(title);
        col.setCellValueFactory(cell -> words.apply(cell.getValue()));
        col.setPrefWidth(width);
        return col;
    }

    private static TableColumn<LibraryEntry, String> column(String title, Function<LibraryEntry, String> text, double width) {
        TableColumn<LibraryEntry, String> col = new TableColumn<>(title);
        col.setCellValueFactory(cell -> new ReadOnlyStringWrapper(text.apply(cell.getValue())));
        col.setPrefWidth(width);
        return col;
    }
}
