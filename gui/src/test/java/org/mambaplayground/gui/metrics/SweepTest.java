package org.mambaplayground.gui.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.concurrent.Worker;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.testing.Fx;
import org.mambaplayground.gui.testing.TestApp;
import org.mambaplayground.gui.testing.TestModels;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The charts page's sweep runs growing prompts on the real active model (a small transformer), with progress and cancel. */
@ExtendWith(ApplicationExtension.class)
class SweepTest {
    @TempDir static Path home;
    private AppContext ctx;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        ctx = TestApp.show(stage, home);
    }

    @BeforeEach
    void loadModel() throws Exception {
        TestApp.activate(ctx, TestModels.transformerFolder());
    }

    @AfterEach
    void close() throws Exception { WaitForAsyncUtils.asyncFx(ctx::close).get(); }

    private record State(Worker.State state) {
        boolean isDone() { return state == Worker.State.SUCCEEDED || state == Worker.State.FAILED || state == Worker.State.CANCELLED; }
    }

    /** A task's state is read on the FX thread. */
    private static State stateOf(SweepTask task) throws Exception {
        return new State(WaitForAsyncUtils.asyncFx(task::getState).get());
    }

    private ChartsView charts(FxRobot robot) {
        Fx.click(robot, stage, "#nav-charts");
        return Fx.lookup(stage, "#charts-view", ChartsView.class);
    }

    @Test
    void sweepPlotsOnePointPerPromptLength(FxRobot robot) throws Exception {
        ChartsView view = charts(robot);
        robot.interact(() -> view.sweepMaxBox().setValue(64));
        robot.clickOn(view.sweepButton());
        SweepTask sweep = view.sweep();
        assertThat(sweep.lengths()).containsExactly(8, 16, 32, 64);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> stateOf(sweep).isDone());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(stateOf(sweep).state).isEqualTo(Worker.State.SUCCEEDED);
        MetricsStore store = ctx.shared(MetricsStore.class, MetricsStore::new);
        assertThat(store.points()).extracting(MetricPoint::promptTokens).containsExactly(8, 16, 32, 64);
        assertThat(store.points()).allMatch(p -> p.source().equals("sweep") && p.generatedTokens() == SweepTask.DECODE_TOKENS);
        // each point's time per token is the median of the repeated decodes, and says so
        assertThat(store.points()).extracting(MetricPoint::decodeRepeats).containsOnly(SweepTask.DECODE_REPEATS);
        // the transformer's KV cache grows with the context: the engine's measured bytes say so
        assertThat(store.points().getLast().stateBytes()).isGreaterThan(store.points().getFirst().stateBytes());
        assertThat(view.prefillPanel().measuredPointCount()).isEqualTo(4);
        assertThat(view.memoryPanel().measuredPointCount()).isEqualTo(4);
        assertThat(view.decodePanel().measuredPointCount()).isEqualTo(4);
        assertThat(view.sweepButton().isDisabled()).isFalse();
    }

    @Test
    void aSweepCanBeCancelledMidway(FxRobot robot) throws Exception {
        ChartsView view = charts(robot);
        robot.interact(() -> view.sweepMaxBox().setValue(4096));
        robot.interact(() -> {
            SweepTask sweep = view.startSweep();
            // cancel as soon as the first prompt has made progress
            sweep.progressProperty().addListener((obs, o, p) -> {
                if (p.doubleValue() > 0) view.cancelSweep();
            });
        });
        SweepTask sweep = view.sweep();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> stateOf(sweep).isDone());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(stateOf(sweep).state).isEqualTo(Worker.State.CANCELLED);
        MetricsStore store = ctx.shared(MetricsStore.class, MetricsStore::new);
        assertThat(store.points().size()).isLessThan(sweep.lengths().length);
        assertThat(view.sweepButton().isDisabled()).isFalse();
    }
}
