package org.mambaplayground.gui.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import javafx.application.Platform;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.mambaplayground.backend.ReplyStats;
import org.mambaplayground.engine.generate.GenerationStats;
import org.mambaplayground.engine.model.ModelSpec;

/**
 * The measured points every view adds to (chat, sweep, comparison) and the charts plot. Its list changes
 * on the FX thread only; {@link #record} may be called from any thread.
 */
public final class MetricsStore {
    private final ObservableList<MetricPoint> points = FXCollections.observableArrayList();
    private final Map<String, ModelSpec> specs = new LinkedHashMap<>();

    /** Read on the FX thread. */
    public ObservableList<MetricPoint> points() { return points; }

    /** The configuration of each model that has points, for its own analytic curve. FX thread. */
    public Map<String, ModelSpec> specs() { return Map.copyOf(specs); }

    /** Adds the engine's figures for one generation; safe from any thread. */
    public void record(String model, ModelSpec spec, String source, GenerationStats stats) {
        record(model, spec, source, stats, 1);
    }

    /** As {@link #record(String, ModelSpec, String, GenerationStats)}, for the median of {@code decodeRepeats} decodes. */
    public void record(String model, ModelSpec spec, String source, GenerationStats stats, int decodeRepeats) {
        record(model, spec, source, ReplyStats.of(stats), decodeRepeats);
    }

    /**
     * Adds a backend's figures; safe from any thread. {@code spec} is the model's architecture when known (for a
     * remote model the catalog entry its id maps to: its state memory is then only the analytic curve), else null.
     */
    public void record(String model, ModelSpec spec, String source, ReplyStats stats, int decodeRepeats) {
        MetricPoint point = MetricPoint.of(model, spec == null ? null : spec.architecture(), source, stats, decodeRepeats);
        runOnFx(() -> {
            if (spec != null) specs.putIfAbsent(model, spec);
            points.add(point);
        });
    }

    /** Adds a point (FX thread). */
    public void add(MetricPoint point, ModelSpec spec) {
        if (spec != null) specs.putIfAbsent(point.model(), spec);
        points.add(point);
    }

    public void clear() {
        points.clear();
        specs.clear();
    }

    private static void runOnFx(Runnable r) {
        if (Platform.isFxApplicationThread()) r.run(); else Platform.runLater(r);
    }
}
