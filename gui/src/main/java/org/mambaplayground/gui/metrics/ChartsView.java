package org.mambaplayground.gui.metrics;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.concurrent.Worker;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import org.mambaplayground.backend.ModelBackend;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.run.GenerationRunner;

/**
 * The live charts: state memory vs tokens in context (log-log, with the real 7B and 12B analytic curves)
 * and latency vs prompt length (prefill time, ms per token), fed by every generation recorded in the
 * {@link MetricsStore}; a sweep over growing prompt lengths; CSV and PNG export.
 */
public final class ChartsView extends BorderPane {
    public static final String STYLESHEET = ChartsView.class.getResource("metrics.css").toExternalForm();

    private final MetricsStore store;
    private final Supplier<ModelBackend> activeModel;
    private final GenerationRunner runner;
    private final PlotPanel memory = new PlotPanel("State memory vs tokens in context",
            "Tokens in context", AxisScale.log(AxisScale::tokens), "State bytes", AxisScale.log(AxisScale::bytes));
    // prompt lengths double in a sweep: a log axis spaces them evenly
    private final PlotPanel prefill = new PlotPanel("Prefill time vs prompt length",
            "Prompt tokens processed", AxisScale.log(AxisScale::tokens), "Prefill time", AxisScale.linear(AxisScale::millis));
    private final PlotPanel decode = new PlotPanel("Time per generated token vs prompt length",
            "Tokens already in context", AxisScale.log(AxisScale::tokens), "Per token", AxisScale.linear(AxisScale::millis));
    private final javafx.scene.control.CheckBox logTimes = new javafx.scene.control.CheckBox("Log time axes");
    private final ComboBox<Integer> sweepMax = new ComboBox<>();
    private final Button sweepButton = new Button("Sweep active model");
    private final Button cancelButton = new Button("Cancel");
    private final ProgressBar sweepProgress = new ProgressBar(0);
    private final Label status = new Label();
    private SweepTask sweep;

    /** The charts page of the application. */
    public ChartsView(AppContext ctx) {
        this(ctx.shared(MetricsStore.class, MetricsStore::new), ctx.models()::getActiveBackend, GenerationRunner.of(ctx));
    }

    /**
     * @param activeModel the model a sweep runs on (null when none is active); called on the FX thread
     * @param runner      runs the sweep's probes (gate, model held, points recorded in {@code store})
     */
    public ChartsView(MetricsStore store, Supplier<ModelBackend> activeModel, GenerationRunner runner) {
        this.store = store;
        this.activeModel = activeModel;
        this.runner = runner;
        setId("charts-view");
        getStyleClass().add("charts-view");
        getStylesheets().add(STYLESHEET);

        sweepMax.getItems().addAll(64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384);
        sweepMax.setValue(512);
        sweepMax.setTooltip(new javafx.scene.control.Tooltip("Longest prompt of the sweep (tokens); lengths double from 8"));
        sweepButton.setOnAction(e -> startSweep());
        sweepButton.getStyleClass().add("accent");
        cancelButton.setOnAction(e -> cancelSweep());
        cancelButton.setDisable(true);
        sweepProgress.setPrefWidth(160);
        sweepProgress.setVisible(false);
        Button csv = new Button("Export CSV\u2026");
        csv.setOnAction(e -> chooseAndExportCsv());
        MenuButton png = new MenuButton("Save chart as PNG");
        png.getItems().addAll(pngItem("State memory", memory), pngItem("Prefill time", prefill),
                pngItem("Time per token", decode));
        Button clear = new Button("Clear");
        clear.setOnAction(e -> store.clear());
        logTimes.setTooltip(new javafx.scene.control.Tooltip("For models whose times differ by orders of magnitude (a demo model beside a 7B one)"));
        logTimes.selectedProperty().addListener((obs, o, log) -> {
            AxisScale time = log ? AxisScale.log(AxisScale::millis) : AxisScale.linear(AxisScale::millis);
            prefill.setScales(AxisScale.log(AxisScale::tokens), time);
            decode.setScales(AxisScale.log(AxisScale::tokens), time);
        });
        HBox sweepControls = new HBox(8, sweepButton, new Label("up to"), sweepMax, new Label("tokens"), cancelButton, sweepProgress);
        HBox exportControls = new HBox(8, csv, png, clear);
        for (HBox group : List.of(sweepControls, exportControls)) {
            group.setAlignment(Pos.CENTER_LEFT);
            for (javafx.scene.Node n : group.getChildren()) {
                if (n instanceof Region r) r.setMinWidth(Region.USE_PREF_SIZE);
            }
        }
        // The export buttons wrap under the sweep controls when the page is narrow (a 1024-pixel-wide window)
        // instead of widening the page past the window's edge.
        FlowPane sweepRow = new FlowPane(16, 6, sweepControls, exportControls);
        sweepRow.setAlignment(Pos.CENTER_LEFT);
        sweepProgress.managedProperty().bind(sweepProgress.visibleProperty());
        status.getStyleClass().add("charts-note");
        status.setWrapText(true);
        status.setMinWidth(0);
        Region gap = new Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        HBox statusRow = new HBox(8, status, gap, logTimes);
        statusRow.setAlignment(Pos.CENTER_LEFT);
        VBox toolbar = new VBox(6, sweepRow, statusRow);
        toolbar.setPadding(new Insets(10, 12, 0, 12));
        setTop(toolbar);

        Label note = new Label("Dots: measured by the engine (GenerationStats, InferenceState.bytes()) in chat, sweeps "
                + "and comparisons. Dashed: the configuration's analytic state size. A sweep runs prompts of doubling "
                + "length on a fresh state, one at a time on one background thread (after an unplotted warm-up run), and decodes "
                + SweepTask.DECODE_TOKENS + " tokens after each, " + SweepTask.DECODE_REPEATS
                + " times from the same prompt: its time per token is the median of the repeats.");
        note.setWrapText(true);
        note.getStyleClass().add("charts-note");
        GridPane latency = new GridPane(12, 0);
        for (int i = 0; i < 2; i++) {
            ColumnConstraints half = new ColumnConstraints();
            half.setPercentWidth(50);
            latency.getColumnConstraints().add(half);
        }
        latency.addRow(0, prefill, decode);
        GridPane.setHgrow(prefill, Priority.ALWAYS);
        GridPane.setHgrow(decode, Priority.ALWAYS);
        prefill.setMaxWidth(Double.MAX_VALUE);
        decode.setMaxWidth(Double.MAX_VALUE);
        memory.setPrefHeight(380);
        prefill.setPrefHeight(320);
        decode.setPrefHeight(320);
        VBox content = new VBox(12, note, memory, latency);
        content.setPadding(new Insets(12));
        ScrollPane scroll = new ScrollPane(content);
        scroll.setFitToWidth(true);
        setCenter(scroll);

        store.points().addListener((ListChangeListener<MetricPoint>) c -> refresh());
        refresh();
        status.setText(pointsText());
    }

    public PlotPanel memoryPanel() { return memory; }

    public PlotPanel prefillPanel() { return prefill; }

    public PlotPanel decodePanel() { return decode; }

    public Button sweepButton() { return sweepButton; }

    public Button cancelButton() { return cancelButton; }

    public ComboBox<Integer> sweepMaxBox() { return sweepMax; }

    public javafx.scene.control.CheckBox logTimesBox() { return logTimes; }

    /** The sweep running or last run, or null. */
    public SweepTask sweep() { return sweep; }

    /** Rebuilds the series from the store. FX thread. */
    public void refresh() {
        List<MetricPoint> points = List.copyOf(store.points());
        memory.setSeries(ChartSeries.stateMemory(points, store.specs(), ReferenceModels.all()));
        prefill.setSeries(ChartSeries.prefillLatency(points));
        decode.setSeries(ChartSeries.decodeLatency(points));
        if (!status.textProperty().isBound()) status.setText(pointsText());
    }

    /** Starts a sweep on the active model; returns it, or null when no model is loaded. FX thread. */
    public SweepTask startSweep() {
        ModelBackend model = activeModel.get();
        if (model == null) {
            status.setText("Load a model first (Library), then sweep it.");
            return null;
        }
        if (sweep != null && sweep.isRunning()) return sweep;
        int[] lengths = SweepTask.doublingLengths(sweepMax.getValue(), model.spec().map(ModelSpec::maxContext).orElse(-1L));
        if (lengths.length == 0) {
            status.setText(model.name() + "'s context is too short for a sweep.");
            return null;
        }
        SweepTask task = new SweepTask(model, lengths, runner);
        sweep = task;
        sweepProgress.progressProperty().bind(task.progressProperty());
        sweepProgress.setVisible(true);
        status.textProperty().bind(task.messageProperty());
        sweepButton.disableProperty().bind(task.runningProperty());
        cancelButton.disableProperty().bind(Bindings.not(task.runningProperty()));
        task.stateProperty().addListener((obs, old, state) -> {
            if (state == Worker.State.SUCCEEDED || state == Worker.State.CANCELLED || state == Worker.State.FAILED) {
                status.textProperty().unbind();
                sweepProgress.progressProperty().unbind();
                sweepProgress.setVisible(false);
                status.setText(switch (state) {
                    case SUCCEEDED -> "Sweep of " + model.name() + " done: " + task.getValue() + " prompt lengths. " + pointsText();
                    case CANCELLED -> "Sweep cancelled. " + pointsText();
                    default -> "Sweep failed: " + describe(task.getException());
                });
            }
        });
        runner.startHeld(model, task); // runs call() there: the model stays held until the backend is really done with it
        return task;
    }

    public void cancelSweep() {
        if (sweep != null) sweep.cancel();
    }

    /** Writes all points as CSV (what the Export button does after its file dialog). */
    public void exportCsv(Path file) throws IOException {
        MetricsCsv.write(file, List.copyOf(store.points()));
    }

    /** Saves one chart as PNG (what the Save menu does after its file dialog). FX thread. */
    public void exportPng(PlotPanel panel, Path file) throws IOException {
        ChartImages.writePng(panel, file);
    }

    private MenuItem pngItem(String name, PlotPanel panel) {
        MenuItem item = new MenuItem(name);
        item.setOnAction(e -> {
            FileChooser chooser = new FileChooser();
            chooser.setTitle("Save the " + name.toLowerCase() + " chart");
            chooser.setInitialFileName(name.toLowerCase().replace(' ', '-') + ".png");
            chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("PNG image", "*.png"));
            File file = chooser.showSaveDialog(getScene().getWindow());
            if (file == null) return;
            try {
                exportPng(panel, file.toPath());
                status.setText("Saved " + file);
            } catch (IOException ex) {
                status.setText(ex.getMessage());
            }
        });
        return item;
    }

    private void chooseAndExportCsv() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Export the measured points");
        chooser.setInitialFileName("mamba-playground-metrics.csv");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("CSV", "*.csv"));
        File file = chooser.showSaveDialog(getScene().getWindow());
        if (file == null) return;
        try {
            exportCsv(file.toPath());
            status.setText("Exported " + store.points().size() + " points to " + file);
        } catch (IOException ex) {
            status.setText(ex.getMessage());
        }
    }

    private String pointsText() {
        int n = store.points().size();
        return n == 0 ? "No measurements yet: chat with a model or run a sweep." : n + " measured generations.";
    }

    private static String describe(Throwable t) {
        if (t == null) return "unknown error";
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
