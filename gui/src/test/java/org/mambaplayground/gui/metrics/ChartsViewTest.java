package org.mambaplayground.gui.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import atlantafx.base.theme.PrimerLight;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.chart.XYChart;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.generate.FinishReason;
import org.mambaplayground.engine.generate.GenerationStats;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.transformer.TransformerConfig;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The charts follow the store, export CSV and PNG without a dialog, and explain a sweep with no model. */
@ExtendWith(ApplicationExtension.class)
class ChartsViewTest {
    @TempDir Path dir;
    private final MetricsStore store = new MetricsStore();
    private ChartsView view;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        view = new ChartsView(store, () -> null, new org.mambaplayground.gui.run.GenerationRunner(
                Executors.newSingleThreadExecutor(), new GenerationGate(), store, m -> org.mambaplayground.gui.run.Hold.NOTHING));
        stage.setScene(new Scene(view, 1100, 800));
        stage.show();
    }

    private static int plotted(PlotPanel panel) {
        return panel.chart().getData().stream().mapToInt(s -> s.getData().size()).sum();
    }

    @Test
    void recordedGenerationsBecomePointsAndExportAsCsvAndPng(FxRobot robot) throws Exception {
        int analyticOnly = plotted(view.memoryPanel());
        assertThat(analyticOnly).isGreaterThan(0); // the real 7B and 12B curves are there from the start
        assertThat(view.memoryPanel().measuredPointCount()).isZero();

        // recorded from a background thread, as a generation does
        Thread producer = new Thread(() -> {
            store.record("demo-mamba", Mamba2Config.codestralMamba7B(), "chat",
                    new GenerationStats(64, 16, 40, 45, 5, 2_000_000, 79, FinishReason.LENGTH));
            store.record("demo-nemo", TransformerConfig.mistralNemo12B(), "chat",
                    new GenerationStats(64, 16, 30, 33, 4, 6_000_000, 79, FinishReason.STOP));
        });
        producer.start();
        producer.join();
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(view.memoryPanel().measuredPointCount()).isEqualTo(2);
        assertThat(view.prefillPanel().measuredPointCount()).isEqualTo(2);
        assertThat(view.decodePanel().measuredPointCount()).isEqualTo(2);
        // on the log axes the chart holds log10 of the bytes
        XYChart.Series<Number, Number> measured = view.memoryPanel().chart().getData().stream()
                .filter(s -> s.getName().equals("demo-mamba (measured)")).findFirst().orElseThrow();
        assertThat(measured.getData().getFirst().getYValue().doubleValue()).isEqualTo(Math.log10(2_000_000));

        // latency axes: prompt lengths on a log axis; times linear until "Log time axes" is ticked
        XYChart.Series<Number, Number> prefillSeries = view.prefillPanel().chart().getData().getFirst();
        assertThat(prefillSeries.getData().getFirst().getXValue().doubleValue()).isEqualTo(Math.log10(64));
        assertThat(prefillSeries.getData().getFirst().getYValue().doubleValue()).isEqualTo(40.0);
        robot.clickOn(view.logTimesBox());
        prefillSeries = view.prefillPanel().chart().getData().getFirst();
        assertThat(prefillSeries.getData().getFirst().getYValue().doubleValue()).isEqualTo(Math.log10(40.0));
        assertThat(view.prefillPanel().measuredPointCount()).isEqualTo(2);

        Path csv = dir.resolve("points.csv");
        view.exportCsv(csv);
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).contains(",demo-mamba,MAMBA2,chat,64,16,79,40.000,45.000,5.000,200.000,2000000");
        assertThat(lines.get(2)).contains(",demo-nemo,TRANSFORMER,chat,");

        Path png = dir.resolve("memory.png");
        robot.interact(() -> {
            try {
                view.exportPng(view.memoryPanel(), png);
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        });
        var image = ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(png)));
        assertThat(image.getWidth()).isGreaterThan(300);
        assertThat(image.getHeight()).isGreaterThan(200);
    }

    @Test
    void sweepWithoutAModelSaysWhatToDo(FxRobot robot) {
        robot.clickOn(view.sweepButton());
        assertThat(view.sweep()).isNull();
        assertThat(robot.lookup(n -> n instanceof javafx.scene.control.Label l
                && l.getText() != null && l.getText().startsWith("Load a model first")).tryQuery()).isPresent();
    }

    /** On the page a 1024-pixel-wide window leaves beside the sidebar, every control stays inside the page. */
    @Test
    void theToolbarWrapsOnANarrowPage(FxRobot robot) {
        robot.interact(() -> {
            stage.setWidth(824);
            stage.setHeight(700);
        });
        WaitForAsyncUtils.waitForFxEvents();
        double width = view.getScene().getWidth();
        assertThat(view.minWidth(-1)).as("the page's minimum width").isLessThanOrEqualTo(width);
        for (String text : List.of("Clear", "Export CSV\u2026", "Save chart as PNG", "Log time axes")) {
            javafx.scene.Node control = robot.lookup(n -> n instanceof javafx.scene.control.Labeled l && text.equals(l.getText())).query();
            assertThat(control.localToScene(control.getBoundsInLocal()).getMaxX()).as(text).isLessThanOrEqualTo(width);
        }
        assertThat(view.prefillPanel().localToScene(view.prefillPanel().getBoundsInLocal()).getMaxX()).isLessThanOrEqualTo(width);
    }
}
