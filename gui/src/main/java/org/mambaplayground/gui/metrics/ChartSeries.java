package org.mambaplayground.gui.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import javafx.geometry.Point2D;
import org.mambaplayground.engine.model.ModelSpec;

/**
 * Turns the store's points into the charts' series: one measured series per model, plus analytic curves
 * from the configurations' own {@code stateBytesAt} (the GUI does no model arithmetic).
 */
public final class ChartSeries {
    /** Colours of the measured models, in order of first appearance. */
    static final String[] PALETTE = {"#1c6dd0", "#c92a2a", "#2b8a3e", "#7048e8", "#d9480f", "#5c940d"};

    /** Context lengths the analytic curves are sampled at: 1, 2, 4, ... 131072 tokens. */
    static final int MAX_ANALYTIC_POWER = 17;

    private ChartSeries() {}

    public static List<PlotSeries> stateMemory(List<MetricPoint> points, Map<String, ModelSpec> specs,
                                               List<ReferenceModels.Reference> references) {
        List<PlotSeries> out = new ArrayList<>();
        Map<String, String> colors = colors(points);
        for (ReferenceModels.Reference ref : references) {
            out.add(analytic(ref.name() + " (analytic)", ref.color(), ref.spec()));
        }
        java.util.Set<String> remote = remoteModels(points);
        for (Map.Entry<String, String> model : colors.entrySet()) {
            ModelSpec spec = specs.get(model.getKey());
            // a remote model's state is never measured: its architecture's curve is all there is, and says so
            String label = remote.contains(model.getKey()) ? " (analytic, remote: not measured)" : " (analytic)";
            if (spec != null) out.add(analytic(model.getKey() + label, model.getValue(), spec));
        }
        Map<String, String> measuredColors = new LinkedHashMap<>(colors);
        measuredColors.keySet().removeAll(remote);
        out.addAll(measured(points, measuredColors, p -> p.contextTokens() > 0 && p.hasStateBytes() && !p.remote(),
                p -> new Point2D(p.contextTokens(), p.stateBytes())));
        return out;
    }

    public static List<PlotSeries> prefillLatency(List<MetricPoint> points) {
        return measured(points, colors(points), p -> p.promptTokens() > 0,
                p -> new Point2D(p.promptTokens(), p.prefillMillis()));
    }

    public static List<PlotSeries> decodeLatency(List<MetricPoint> points) {
        return measured(points, colors(points), MetricPoint::hasDecodeLatency,
                p -> new Point2D(p.contextBeforeAnswer(), p.millisPerToken()));
    }

    /** The analytic state size from 1 token up to the model's context limit (at most 128k tokens). */
    static PlotSeries analytic(String name, String color, ModelSpec spec) {
        List<Point2D> curve = new ArrayList<>();
        long limit = spec.maxContext() > 0 ? spec.maxContext() : Long.MAX_VALUE;
        for (int power = 0; power <= MAX_ANALYTIC_POWER; power++) {
            long tokens = Math.min(1L << power, limit);
            curve.add(new Point2D(tokens, spec.stateBytesAt(tokens)));
            if (tokens == limit) break;
        }
        return new PlotSeries(name, color, PlotSeries.Kind.ANALYTIC, curve);
    }

    private static List<PlotSeries> measured(List<MetricPoint> points, Map<String, String> colors,
                                             Predicate<MetricPoint> usable, Function<MetricPoint, Point2D> xy) {
        Map<String, List<Point2D>> byModel = new LinkedHashMap<>();
        for (String model : colors.keySet()) byModel.put(model, new ArrayList<>());
        for (MetricPoint p : points) {
            if (byModel.containsKey(p.model()) && usable.test(p)) byModel.get(p.model()).add(xy.apply(p));
        }
        java.util.Set<String> remote = remoteModels(points);
        List<PlotSeries> out = new ArrayList<>();
        byModel.forEach((model, xys) -> out.add(new PlotSeries(model + (remote.contains(model)
                ? " (remote, measured at the client, network included)" : " (measured)"), colors.get(model), PlotSeries.Kind.MEASURED, xys)));
        return out;
    }

    /** Models whose points were measured at the client (a remote endpoint's). */
    static java.util.Set<String> remoteModels(List<MetricPoint> points) {
        java.util.Set<String> remote = new java.util.HashSet<>();
        for (MetricPoint p : points) if (p.remote()) remote.add(p.model());
        return remote;
    }

    private static Map<String, String> colors(List<MetricPoint> points) {
        Map<String, String> colors = new LinkedHashMap<>();
        for (MetricPoint p : points) {
            colors.computeIfAbsent(p.model(), m -> PALETTE[colors.size() % PALETTE.length]);
        }
        return colors;
    }
}
