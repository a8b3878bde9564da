package org.mambaplayground.gui.compare;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.collections.ListChangeListener;
import javafx.collections.transformation.FilteredList;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.mambaplayground.backend.ModelBackend;
import org.mambaplayground.backend.ReplyStats;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.load.MachineMemory;
import org.mambaplayground.engine.model.Architecture;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.chat.ChatView;
import org.mambaplayground.gui.chat.MessageView;
import org.mambaplayground.gui.chat.StreamBatcher;
import org.mambaplayground.gui.library.LibraryEntry;
import org.mambaplayground.gui.library.LoadChoices;
import org.mambaplayground.gui.models.LoadChoice;
import org.mambaplayground.gui.metrics.AxisScale;
import org.mambaplayground.gui.metrics.ChartSeries;
import org.mambaplayground.gui.metrics.ChartsView;
import org.mambaplayground.gui.metrics.MetricPoint;
import org.mambaplayground.gui.metrics.MetricsStore;
import org.mambaplayground.gui.metrics.PlotPanel;
import org.mambaplayground.gui.metrics.PlotSeries;
import org.mambaplayground.gui.metrics.ReferenceModels;
import org.mambaplayground.gui.models.LoadTask;
import org.mambaplayground.gui.models.ModelHandle;
import org.mambaplayground.gui.run.GenerationRunner;

/**
 * One prompt, two models: the answers stream into two panes, one model after the other so each has the
 * machine's cores to itself and its timings are honest; their figures and curves are overlaid, and a table
 * sets their architectures (and the real 7B and 12B models') side by side.
 */
public final class CompareView extends BorderPane {
    public static final String STYLESHEET = CompareView.class.getResource("compare.css").toExternalForm();
    static final String SEQUENTIAL_NOTE = "The models run one after the other, never at the same time (nor beside a "
            + "chat answer or a sweep), so each gets all CPU cores and its timings are not slowed by the other. "
            + "Greedy decoding for both.";

    private final AppContext ctx;
    private final MetricsStore metrics;
    private final GenerationRunner runner;
    private final ComboBox<LibraryEntry> leftModel = new ComboBox<>();
    private final ComboBox<LibraryEntry> rightModel = new ComboBox<>();
    private final TextArea prompt = new TextArea();
    private final Spinner<Integer> maxTokens = new Spinner<>(1, 4096, 128, 16);
    private final CheckBox instruct = new CheckBox("Instruct chat format");
    private final Button run = new Button("Run both");
    private final Button stop = new Button("Stop");
    private final Label status = new Label(SEQUENTIAL_NOTE);
    private final ComparePane left = new ComparePane();
    private final ComparePane right = new ComparePane();
    private final TableView<ArchitectureRows.Row> table = new TableView<>();
    private final FiguresTable figures = new FiguresTable();
    private final PlotPanel memory = new PlotPanel("State memory vs tokens in context", "Tokens in context",
            AxisScale.log(AxisScale::tokens), "State bytes", AxisScale.log(AxisScale::bytes));
    private final PlotPanel decode = new PlotPanel("Time per generated token", "Tokens already in context",
            AxisScale.log(AxisScale::tokens), "Per token", AxisScale.linear(AxisScale::millis));
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final Set<String> comparedModels = new LinkedHashSet<>();
    private final CompareWarmUp warmUp = new CompareWarmUp();
    private final ScrollPane scroll;
    private boolean choosingDefaults;
    private boolean userPicked;
    private volatile CancellationToken cancel;
    private volatile LoadTask loading;

    public CompareView(AppContext ctx) {
        this.ctx = ctx;
        this.metrics = ctx.shared(MetricsStore.class, MetricsStore::new);
        this.runner = GenerationRunner.of(ctx);
        setId("compare-view");
        getStyleClass().add("compare-view");
        getStylesheets().addAll(STYLESHEET, ChatView.STYLESHEET, ChartsView.STYLESHEET);

        FilteredList<LibraryEntry> loadable = new FilteredList<>(ctx.library().entries(), LibraryEntry::loadable);
        for (ComboBox<LibraryEntry> box : List.of(leftModel, rightModel)) {
            box.setItems(loadable);
            box.setButtonCell(new EntryCell());
            box.setCellFactory(list -> new EntryCell());
            box.setMaxWidth(Double.MAX_VALUE);
            int side = box == leftModel ? 0 : 1;
            box.valueProperty().addListener((obs, o, n) -> {
                if (!choosingDefaults && n != null) userPicked = true;
                if (!java.util.Objects.equals(o, n)) showChoice(side, n); // earlier figures belonged to the other model
                refreshTable();
                applyInstructDefault();
            });
        }
        leftModel.setId("compare-left-model");
        rightModel.setId("compare-right-model");
        loadable.addListener((ListChangeListener<LibraryEntry>) c -> pickDefaults(loadable));
        pickDefaults(loadable);

        prompt.setId("compare-prompt");
        prompt.setPromptText("One prompt for both models");
        prompt.setWrapText(true);
        prompt.setPrefRowCount(2);
        org.mambaplayground.gui.chat.Spinners.lenient(maxTokens);
        instruct.setSelected(true);
        applyInstructDefault();
        run.setId("compare-run");
        run.getStyleClass().add("accent");
        run.setOnAction(e -> runBoth());
        run.disableProperty().bind(running.getReadOnlyProperty());
        stop.setId("compare-stop");
        stop.setOnAction(e -> stop());
        stop.disableProperty().bind(running.getReadOnlyProperty().not());
        status.setWrapText(true);
        status.getStyleClass().add("context-gauge-label");

        GridPane pickers = new GridPane(8, 6);
        Label leftLabel = new Label("Left");
        Label rightLabel = new Label("Right");
        leftLabel.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE); // a long remote model name gives way, not these
        rightLabel.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        pickers.addRow(0, leftLabel, leftModel, rightLabel, rightModel);
        GridPane.setHgrow(leftModel, Priority.ALWAYS);
        GridPane.setHgrow(rightModel, Priority.ALWAYS);
        HBox.setHgrow(prompt, Priority.ALWAYS);
        VBox actions = new VBox(6, run, stop);
        run.setMaxWidth(Double.MAX_VALUE);
        stop.setMaxWidth(Double.MAX_VALUE);
        // the prompt box gives way on a small window; the buttons and the check box keep their words
        for (javafx.scene.layout.Region r : List.of(run, stop, instruct)) r.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        HBox promptRow = new HBox(8, prompt, new VBox(6, new Label("Max new tokens"), maxTokens, instruct), actions);
        promptRow.setAlignment(Pos.CENTER_LEFT);
        VBox top = new VBox(8, pickers, promptRow, status);
        top.setPadding(new Insets(12, 12, 6, 12));
        setTop(top);

        left.setId("compare-left-pane");
        right.setId("compare-right-pane");
        left.setPrefHeight(260);
        right.setPrefHeight(260);
        GridPane panes = halves();
        panes.addRow(0, left, right);
        GridPane.setHgrow(left, Priority.ALWAYS);
        GridPane.setHgrow(right, Priority.ALWAYS);
        left.setMaxWidth(Double.MAX_VALUE);
        right.setMaxWidth(Double.MAX_VALUE);

        table.setId("compare-table");
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setPrefHeight(330);
        table.setFocusTraversable(false); // a finished run must not scroll the page down to the table
        GridPane charts = halves();
        charts.addRow(0, memory, decode);
        GridPane.setHgrow(memory, Priority.ALWAYS);
        GridPane.setHgrow(decode, Priority.ALWAYS);
        memory.setPrefHeight(300);
        decode.setPrefHeight(300);
        Label tableTitle = new Label("Architectures (from the engine's configurations)");
        tableTitle.getStyleClass().add("plot-title");
        VBox content = new VBox(12, panes, figures, charts, tableTitle, table);
        content.setPadding(new Insets(6, 12, 12, 12));
        scroll = new ScrollPane(content);
        scroll.setFitToWidth(true);
        setCenter(scroll);

        metrics.points().addListener((ListChangeListener<MetricPoint>) c -> refreshCharts());
        refreshTable();
        refreshCharts();
    }

    public ComboBox<LibraryEntry> leftModelBox() { return leftModel; }

    public ComboBox<LibraryEntry> rightModelBox() { return rightModel; }

    public TextArea promptArea() { return prompt; }

    public Spinner<Integer> maxTokensSpinner() { return maxTokens; }

    public Button runButton() { return run; }

    public TableView<ArchitectureRows.Row> table() { return table; }

    public PlotPanel memoryPanel() { return memory; }

    public PlotPanel decodePanel() { return decode; }

    /** The answer shown on the left (0) or right (1), or null before a run. */
    public MessageView answer(int side) { return (side == 0 ? left : right).answer(); }

    public Label statusLabel() { return status; }

    /** A measured figure ("Prefill", "Per token", ...) shown for the left (0) or right (1) run. */
    public String figure(String name, int side) { return figures.value(name, side); }

    public ReadOnlyBooleanProperty runningProperty() { return running.getReadOnlyProperty(); }

    /** The untimed warm-ups run so far (once per model and load choice). */
    CompareWarmUp warmUp() { return warmUp; }

    // ---- running -----------------------------------------------------------------------------------

    /** Instruct format only when both models follow instructions (demo and base models only complete text). */
    private void applyInstructDefault() {
        LibraryEntry a = leftModel.getValue();
        LibraryEntry b = rightModel.getValue();
        if (a != null && b != null) instruct.setSelected(a.instructByDefault() && b.instructByDefault());
    }

    /** Runs the prompt on the left model, then on the right one. FX thread. */
    public void runBoth() {
        LibraryEntry a = leftModel.getValue();
        LibraryEntry b = rightModel.getValue();
        String text = prompt.getText().strip();
        if (running.get()) return;
        if (a == null || b == null) {
            status.setText("Pick two models (the library lists the ones on disk).");
            return;
        }
        if (text.isEmpty()) {
            status.setText("Type a prompt first.");
            return;
        }
        // each at the precision chosen for it in the library (or the largest that fits this machine)
        LoadChoices choices = LoadChoices.of(ctx);
        MachineMemory machine = MachineMemory.read();
        List<Side> sides = List.of(
                new Side(a, choices.choiceFor(a, LoadChoices.DEFAULT_CONTEXT, machine), left, 0),
                new Side(b, choices.choiceFor(b, LoadChoices.DEFAULT_CONTEXT, machine), right, 1));
        for (Side side : sides) {
            side.pane.setTitle(side.entry.name());
            side.answer = side.pane.start(side.entry.name(), "Waiting for its turn\u2026");
            figures.clear(side.index, side.entry.name());
        }
        CancellationToken token = new CancellationToken();
        cancel = token;
        running.set(true);
        scroll.setVvalue(0); // the answers are at the top
        int limit = maxTokens.getValue();
        boolean chatFormat = instruct.isSelected();
        ctx.background().execute(() -> {
            try {
                for (int i = 0; i < sides.size() && !token.isCancelled(); i++) {
                    runSide(sides.get(i), i + 1, text, limit, chatFormat, token);
                }
                Platform.runLater(() -> status.setText(token.isCancelled() ? "Stopped." : "Both models answered. " + SEQUENTIAL_NOTE));
            } finally {
                Platform.runLater(() -> running.set(false));
            }
        });
    }

    public void stop() {
        CancellationToken token = cancel;
        if (token != null) token.cancel();
        LoadTask load = loading;
        if (load != null) Platform.runLater(load::cancel);
    }

    private static final class Side {
        final LibraryEntry entry;
        final LoadChoice choice;
        final ComparePane pane;
        final int index;
        MessageView answer;

        Side(LibraryEntry entry, LoadChoice choice, ComparePane pane, int index) {
            this.entry = entry;
            this.choice = choice;
            this.pane = pane;
            this.index = index;
        }
    }

    /** A side's model, open for the length of its run. */
    private record Opened(ModelBackend backend, java.nio.file.Path folder, LoadChoice choice, Runnable release) {}

    /**
     * Background thread: opens the side's model (loads or shares a local one), or says why not in its pane and
     * returns null.
     */
    private Opened open(Side side) {
        if (side.entry.remote()) { // served elsewhere: nothing to load or hold here
            ModelBackend remote = org.mambaplayground.gui.remote.RemoteModels.of(ctx).backend(side.entry).orElse(null);
            if (remote != null) return new Opened(remote, null, null, () -> {});
            Platform.runLater(() -> side.pane.showWaiting(side.entry.name() + ": its endpoint is no longer in the Library."));
            return null;
        }
        Platform.runLater(() -> side.pane.showWaiting("Loading " + side.entry.name() + "\u2026"));
        try {
            LoadTask task = ctx.models().load(side.entry.folder(), side.choice);
            loading = task;
            ModelHandle handle = task.get();
            return new Opened(handle.backend(), handle.folder(), handle.choice(), handle::release);
        } catch (CancellationException | InterruptedException e) {
            Platform.runLater(() -> side.pane.showWaiting("Stopped while loading."));
        } catch (ExecutionException e) {
            String why = e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
            Platform.runLater(() -> side.pane.showWaiting("Could not load " + side.entry.name() + ": " + why));
        } finally {
            loading = null;
        }
        return null;
    }

    /**
     * Background thread: opens the model, warms it up the first time (untimed), generates through the runner
     * (which records the figures), releases the model.
     */
    private void runSide(Side side, int number, String text, int limit, boolean chatFormat, CancellationToken token) {
        Platform.runLater(() -> status.setText("Model " + number + " of 2: " + (side.entry.remote() ? "connecting to " : "loading ")
                + side.entry.name() + "\u2026"));
        Opened opened = open(side);
        if (opened == null) return;
        try {
            ModelBackend backend = opened.backend();
            String name = backend.name();
            String label = backend.label();
            Platform.runLater(() -> {
                side.pane.setTitle(label);
                status.setText("Model " + number + " of 2: " + name + " is answering\u2026");
                side.pane.showAnswer();
                side.answer.showPrefill(0, 0);
            });
            MessageView answer = side.answer;
            StreamBatcher.Sink sink = new StreamBatcher.Sink() {
                @Override public void prefill(int done, int total) { answer.showPrefill(done, total); }

                @Override public void text(String appended) { answer.append(appended); }

                @Override public void finished(ReplyStats stats) {
                    answer.showStats(stats);
                    figures.show(side.index, stats);
                }
            };
            boolean[] stoppedWarming = {false};
            Platform.runLater(() -> comparedModels.add(name)); // before its point is recorded: the charts then show it
            GenerationRunner.Outcome outcome = runner.run(backend, "compare", token, () -> Platform.runLater(() ->
                    side.answer.showWaiting("Waiting for the chat or a sweep to finish\u2026")), sink, listener -> {
                if (!warmUp.isWarm(CompareWarmUp.key(backend, opened.folder(), opened.choice()))) {
                    // shown before the warm-up starts, so a Stop pressed once the page says "warming" stops it
                    showOnFxThreadAndWait(token, () -> {
                        status.setText("Model " + number + " of 2: warming " + name + " up (not timed)\u2026");
                        side.answer.showWaiting("Warming up (not timed)\u2026");
                    });
                    warmUp.warm(backend, opened.folder(), opened.choice(), text, chatFormat, token);
                    if (token.isCancelled()) {
                        stoppedWarming[0] = true;
                        throw new java.util.concurrent.CancellationException("Stopped while warming up.");
                    }
                }
                Platform.runLater(() -> {
                    status.setText("Model " + number + " of 2: " + name + " is answering\u2026");
                    side.answer.showPrefill(0, 0);
                });
                return backend.open(chatFormat).send(text, SamplingOptions.greedy(limit), token, listener);
            });
            if (!outcome.answered()) {
                String why = stoppedWarming[0] ? "Stopped while warming up." : outcome.failure();
                Platform.runLater(() -> side.answer.showError(why));
            }
        } finally {
            opened.release().run();
        }
    }

    /** Background thread: runs {@code update} on the FX thread and returns once it has run (or on a Stop). */
    private static void showOnFxThreadAndWait(CancellationToken token, Runnable update) {
        java.util.concurrent.CountDownLatch shown = new java.util.concurrent.CountDownLatch(1);
        Platform.runLater(() -> {
            try {
                update.run();
            } finally {
                shown.countDown();
            }
        });
        try {
            while (!shown.await(50, java.util.concurrent.TimeUnit.MILLISECONDS) && !token.isCancelled()) {
                // the FX thread is busy; a Stop (or the app closing) ends the wait
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- table and charts --------------------------------------------------------------------------

    /**
     * Until the user picks, the left model is the first Mamba2 one and the right one the first of the
     * other architecture (or any other model); re-chosen as the library fills in.
     */
    private void pickDefaults(List<LibraryEntry> loadable) {
        if (loadable.isEmpty()) return;
        boolean leftGone = leftModel.getValue() == null || !loadable.contains(leftModel.getValue());
        boolean rightGone = rightModel.getValue() == null || !loadable.contains(rightModel.getValue());
        choosingDefaults = true;
        try {
            if (leftGone || !userPicked) {
                leftModel.setValue(loadable.stream().filter(e -> !e.remote() && e.spec() != null && e.spec().architecture() == Architecture.MAMBA2)
                        .findFirst().orElse(loadable.getFirst()));
            }
            if (rightGone || !userPicked) {
                LibraryEntry l = leftModel.getValue();
                rightModel.setValue(loadable.stream()
                        .filter(e -> !e.equals(l) && !e.remote() && e.spec() != null && l.spec() != null
                                && e.spec().architecture() != l.spec().architecture()).findFirst()
                        .orElse(loadable.stream().filter(e -> !e.equals(l)).findFirst().orElse(l)));
            }
        } finally {
            choosingDefaults = false;
        }
    }

    private void showChoice(int side, LibraryEntry entry) {
        String name = entry == null ? "\u2014" : entry.name();
        (side == 0 ? left : right).setTitle(name);
        figures.clear(side, name);
    }

    private void refreshTable() {
        List<String> names = new ArrayList<>();
        List<ModelSpec> specs = new ArrayList<>();
        for (ComboBox<LibraryEntry> box : List.of(leftModel, rightModel)) {
            LibraryEntry e = box.getValue();
            names.add(e == null ? "(none)" : e.name());
            specs.add(e == null ? null : e.spec());
        }
        for (ReferenceModels.Reference ref : ReferenceModels.all()) {
            names.add(ref.name() + " (real)");
            specs.add(ref.spec());
        }
        table.getColumns().clear();
        TableColumn<ArchitectureRows.Row, String> property = new TableColumn<>("");
        property.setCellValueFactory(c -> new SimpleStringProperty(c.getValue().property()));
        property.setPrefWidth(160);
        property.setMinWidth(160);
        table.getColumns().add(property);
        for (int i = 0; i < names.size(); i++) {
            int column = i;
            TableColumn<ArchitectureRows.Row, String> col = new TableColumn<>(names.get(i));
            col.setCellValueFactory(c -> new SimpleStringProperty(c.getValue().values().get(column)));
            col.setCellFactory(c -> new WrappingCell());
            col.setPrefWidth(190);
            col.setMinWidth(headerWidth(names.get(i))); // the table scrolls sideways rather than cut a model's name
            table.getColumns().add(col);
        }
        table.getItems().setAll(ArchitectureRows.of(specs));
        refreshCharts();
    }

    private void refreshCharts() {
        List<MetricPoint> points = metrics.points().stream().filter(p -> comparedModels.contains(p.model())).toList();
        List<PlotSeries> memorySeries = new ArrayList<>(ChartSeries.stateMemory(points, metrics.specs(), ReferenceModels.all()));
        memory.setSeries(memorySeries);
        decode.setSeries(ChartSeries.decodeLatency(points));
    }

    /** A table cell whose text wraps to the column width instead of ending in an ellipsis. */
    private static final class WrappingCell extends javafx.scene.control.TableCell<ArchitectureRows.Row, String> {
        private final javafx.scene.text.Text text = new javafx.scene.text.Text();

        WrappingCell() {
            text.getStyleClass().add("compare-table-text");
            text.wrappingWidthProperty().bind(widthProperty().subtract(14));
            setPrefHeight(javafx.scene.control.Control.USE_COMPUTED_SIZE);
        }

        @Override
        protected void updateItem(String item, boolean empty) {
            super.updateItem(item, empty);
            text.setText(empty || item == null ? null : item);
            setGraphic(empty ? null : text);
        }
    }

    /** A grid of two columns of equal width. */
    static GridPane halves() {
        GridPane grid = new GridPane(12, 0);
        for (int i = 0; i < 2; i++) {
            ColumnConstraints half = new ColumnConstraints();
            half.setPercentWidth(50);
            half.setHgrow(Priority.ALWAYS);
            grid.getColumnConstraints().add(half);
        }
        return grid;
    }

    /** "name · architecture[ · remote]"; cut in the middle when too long, so both the name's start and "remote" stay. */
    private static final class EntryCell extends ListCell<LibraryEntry> {
        EntryCell() { setTextOverrun(javafx.scene.control.OverrunStyle.CENTER_WORD_ELLIPSIS); }

        @Override
        protected void updateItem(LibraryEntry item, boolean empty) {
            super.updateItem(item, empty);
            String text = empty || item == null ? null : item.name() + "  \u00b7  "
                    + (item.spec() == null ? "architecture unknown" : item.spec().architecture().name().toLowerCase(Locale.ROOT))
                    + (item.remote() ? "  \u00b7  remote" : "");
            setText(text);
            setTooltip(text == null ? null : new javafx.scene.control.Tooltip(text));
        }
    }

    /** Room for a column header's text in the table's font, with its padding. */
    private static double headerWidth(String text) {
        javafx.scene.text.Text measure = new javafx.scene.text.Text(text);
        measure.setFont(javafx.scene.text.Font.font(null, javafx.scene.text.FontWeight.BOLD, 15));
        return Math.ceil(measure.getLayoutBounds().getWidth()) + 36;
    }
}
