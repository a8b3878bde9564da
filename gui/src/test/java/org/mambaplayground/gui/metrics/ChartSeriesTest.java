package org.mambaplayground.gui.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import javafx.geometry.Point2D;
import org.junit.jupiter.api.Test;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.model.Architecture;
import org.mambaplayground.engine.transformer.TransformerConfig;

class ChartSeriesTest {
    private static MetricPoint point(String model, Architecture arch, int prompt, int context, double perToken, long bytes) {
        return new MetricPoint(Instant.now(), model, arch, "chat", prompt, 4, context, 10.0 * prompt, 12, perToken, bytes);
    }

    @Test
    void analyticCurvesComeFromTheConfigurationsOwnFormula() {
        TransformerConfig nemo = TransformerConfig.mistralNemo12B();
        PlotSeries curve = ChartSeries.analytic("nemo", "#000", nemo);
        assertThat(curve.kind()).isEqualTo(PlotSeries.Kind.ANALYTIC);
        assertThat(curve.points().getFirst()).isEqualTo(new Point2D(1, nemo.stateBytesAt(1)));
        // the transformer's context ends at its limit (128,000), never past it
        assertThat(curve.points().getLast().getX()).isEqualTo(nemo.maxContext());
        assertThat(curve.points().getLast().getY()).isEqualTo(nemo.stateBytesAt(nemo.maxContext()));
        // Mamba2: unbounded context, constant state
        Mamba2Config mamba = Mamba2Config.codestralMamba7B();
        PlotSeries flat = ChartSeries.analytic("mamba", "#000", mamba);
        assertThat(flat.points().getLast().getX()).isEqualTo(1 << ChartSeries.MAX_ANALYTIC_POWER);
        assertThat(flat.points()).allMatch(p -> p.getY() == mamba.stateBytesAt(1));
    }

    @Test
    void measuredPointsAreGroupedPerModelWithTheEnginesFigures() {
        List<MetricPoint> points = List.of(
                point("m", Architecture.MAMBA2, 10, 13, 5.0, 1000),
                point("t", Architecture.TRANSFORMER, 20, 23, 0, 2000), // no decode step: no latency point
                point("m", Architecture.MAMBA2, 40, 43, 6.0, 1000));
        List<PlotSeries> memory = ChartSeries.stateMemory(points, Map.of(), ReferenceModels.all());
        assertThat(memory).extracting(PlotSeries::name).containsExactly(
                "Codestral Mamba 7B (analytic)", "Mistral Nemo 12B (analytic)", "Mistral 7B v0.1 (analytic)",
                "Mixtral 8x7B (analytic)", "m (measured)", "t (measured)");
        assertThat(memory.get(4).points()).containsExactly(new Point2D(13, 1000), new Point2D(43, 1000));
        List<PlotSeries> decode = ChartSeries.decodeLatency(points);
        assertThat(decode.get(0).points()).containsExactly(new Point2D(9, 5.0), new Point2D(39, 6.0));
        assertThat(decode.get(1).points()).isEmpty();
        List<PlotSeries> prefill = ChartSeries.prefillLatency(points);
        assertThat(prefill.get(1).points()).containsExactly(new Point2D(20, 200.0));
        assertThat(prefill.get(0).color()).isNotEqualTo(prefill.get(1).color());
    }

    @Test
    void aRemoteModelHasNoMeasuredStateItsCurveIsLabelledAnalyticAndItsLatencySaysNetworkIncluded() {
        MetricPoint remote = new MetricPoint(Instant.now(), "open-mistral-nemo", Architecture.TRANSFORMER, "chat", 30, 4, 34,
                120.0, 120.0, 20.0, -1, 1, org.mambaplayground.backend.MeasuredAt.CLIENT);
        List<PlotSeries> memory = ChartSeries.stateMemory(List.of(remote), Map.of("open-mistral-nemo", TransformerConfig.mistralNemo12B()),
                ReferenceModels.all());
        assertThat(memory).extracting(PlotSeries::name).containsExactly("Codestral Mamba 7B (analytic)", "Mistral Nemo 12B (analytic)",
                "Mistral 7B v0.1 (analytic)", "Mixtral 8x7B (analytic)", "open-mistral-nemo (analytic, remote: not measured)");
        assertThat(memory.getLast().kind()).isEqualTo(PlotSeries.Kind.ANALYTIC);
        assertThat(ChartSeries.decodeLatency(List.of(remote))).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("open-mistral-nemo (remote, measured at the client, network included)");
            assertThat(s.points()).containsExactly(new Point2D(30, 20.0));
        });
    }

    @Test
    void tickLabelsAreReadable() {
        assertThat(AxisScale.millis(0.25)).isEqualTo("0.25 ms");
        assertThat(AxisScale.millis(1.5)).isEqualTo("1.5 ms");
        assertThat(AxisScale.millis(250)).isEqualTo("250 ms");
        assertThat(AxisScale.millis(2500)).isEqualTo("2.5 s");
        assertThat(AxisScale.tokens(131072)).isEqualTo("131.1k");
        assertThat(AxisScale.tokens(1000)).isEqualTo("1k");
        AxisScale log = AxisScale.log(AxisScale::tokens);
        assertThat(log.label(3)).isEqualTo("1k");
        assertThat(log.label(3.5)).isEmpty(); // only whole decades are labelled
        assertThat(log.toChart(0)).isNaN();
    }
}
