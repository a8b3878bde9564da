package org.mambaplayground.gui.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.TableColumn;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.model.Architecture;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.chat.MessageView;
import org.mambaplayground.gui.library.LibraryEntry;
import org.mambaplayground.gui.metrics.MetricsStore;
import org.mambaplayground.gui.testing.Fx;
import org.mambaplayground.gui.testing.TestApp;
import org.mambaplayground.gui.testing.TestModels;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The comparison page runs one prompt on a real small Mamba2 and a real small transformer model. */
@ExtendWith(ApplicationExtension.class)
class CompareViewTest {
    @TempDir static Path home;
    private AppContext ctx;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        ctx = TestApp.show(stage, home);
    }

    @BeforeEach
    void addModelsToTheLibrary() throws Exception {
        Path mamba = TestModels.mambaFolder();
        Path transformer = TestModels.transformerFolder();
        WaitForAsyncUtils.asyncFx(() -> ctx.library().refresh()).get().get();
        for (Path folder : java.util.List.of(mamba, transformer)) {
            boolean listed = WaitForAsyncUtils.asyncFx(() -> ctx.library().entries().stream()
                    .anyMatch(e -> e.loadable() && e.folder().toAbsolutePath().normalize().equals(folder.toAbsolutePath().normalize()))).get();
            if (!listed) WaitForAsyncUtils.asyncFx(() -> ctx.library().addFolder(folder)).get().get(); // a synthetic model
        }
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterEach
    void close() throws Exception { WaitForAsyncUtils.asyncFx(ctx::close).get(); }

    private static LibraryEntry entryFor(CompareView view, Path folder) {
        Path wanted = folder.toAbsolutePath().normalize();
        return view.leftModelBox().getItems().stream()
                .filter(e -> e.folder().toAbsolutePath().normalize().equals(wanted)).findFirst()
                .orElseThrow(() -> new AssertionError("the library does not list " + folder));
    }

    @Test
    void runsBothModelsOneAfterTheOtherAndFillsPanesChartsAndTable(FxRobot robot) throws Exception {
        Fx.click(robot, stage, "#nav-compare");
        CompareView view = Fx.lookup(stage, "#compare-view", CompareView.class);
        // defaults: a Mamba2 model on the left, a transformer on the right
        assertThat(view.leftModelBox().getValue().spec().architecture()).isEqualTo(Architecture.MAMBA2);
        assertThat(view.rightModelBox().getValue().spec().architecture()).isEqualTo(Architecture.TRANSFORMER);
        // run exactly the test models (the library may list more)
        robot.interact(() -> {
            view.leftModelBox().setValue(entryFor(view, TestModels.mambaFolder()));
            view.rightModelBox().setValue(entryFor(view, TestModels.transformerFolder()));
        });
        String leftName = view.leftModelBox().getValue().name();
        String rightName = view.rightModelBox().getValue().name();
        // the table is there before any run: both models' and the real ones' configurations
        assertThat(view.table().getColumns()).extracting(TableColumn::getText)
                .containsExactly("", leftName, rightName, "Codestral Mamba 7B (real)", "Mistral Nemo 12B (real)",
                        "Mistral 7B v0.1 (real)", "Mixtral 8x7B (real)");
        assertThat(view.table().getItems()).extracting(ArchitectureRows.Row::property)
                .contains("Layers", "Model dim", "Parameters", "State dim", "Attention heads",
                        "Parameters used per token", "Weight bytes read per token (BF16)",
                        "State at 1k tokens", "State at 32k tokens", "State at 128k tokens");

        robot.interact(() -> view.maxTokensSpinner().getValueFactory().setValue(12));
        Fx.click(robot, stage, "#compare-prompt");
        robot.write("Compare");
        Fx.click(robot, stage, "#compare-run");
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> !view.runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();

        for (int side = 0; side < 2; side++) {
            MessageView answer = view.answer(side);
            assertThat(answer.text()).as("answer %d", side).isNotBlank();
            assertThat(answer.statsLabel().getText()).contains("tok/s").contains("first token");
            assertThat(answer.getScene()).as("answer %d is shown", side).isNotNull();
            assertThat(Integer.parseInt(view.figure("Tokens generated", side))).isBetween(2, 12);
            assertThat(view.figure("Prefill", side)).endsWith("tok/s)");
            assertThat(view.figure("State memory at the end", side)).contains("tokens)");
        }
        MetricsStore store = ctx.shared(MetricsStore.class, MetricsStore::new);
        assertThat(store.points()).extracting(p -> p.architecture() + "/" + p.source())
                .containsExactly("MAMBA2/compare", "TRANSFORMER/compare");
        assertThat(view.memoryPanel().measuredPointCount()).isEqualTo(2);
        assertThat(view.decodePanel().measuredPointCount()).isEqualTo(2);
        assertThat(view.statusLabel().getText()).startsWith("Both models answered");
        // the models were released after the run: nothing of the comparison stays mapped
        assertThat(ctx.models().openCount()).isZero();
    }
    /** Types {@code text}, runs both sides and waits for the end of the run. */
    private void runOnce(FxRobot robot, CompareView view, String text, int maxTokens) throws Exception {
        robot.interact(() -> {
            view.maxTokensSpinner().getValueFactory().setValue(maxTokens);
            view.promptArea().setText(text);
        });
        robot.interact(view::runBoth);
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> !view.runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void theSameModelOnBothSidesIsWarmedOnceBeforeEitherIsTimed(FxRobot robot) throws Exception {
        Fx.click(robot, stage, "#nav-compare");
        CompareView view = Fx.lookup(stage, "#compare-view", CompareView.class);
        LibraryEntry mamba = entryFor(view, TestModels.mambaFolder());
        robot.interact(() -> {
            view.leftModelBox().setValue(mamba);
            view.rightModelBox().setValue(mamba);
        });
        // a prompt long enough that the prefill is work, not noise; before the warm-up the first side took ~4x as long
        runOnce(robot, view, "The state of a selective state space model has a fixed size, while a transformer keeps "
                + "a key and a value for every token it has read. Compare them.", 4);
        MetricsStore store = ctx.shared(MetricsStore.class, MetricsStore::new);
        assertThat(store.points()).hasSize(2);
        // One model and choice: warmed once, for the left side; the right side found it warm. (The prefill times
        // themselves are not compared here: a few milliseconds each, they vary with the machine's load. Measured
        // by hand in a cold test JVM: 1022 vs 96 ms before the warm-up, within 1.3-1.65x after.)
        assertThat(view.warmUp().history()).hasSize(1);
    }

    @Test
    void eachModelIsWarmedOnceBeforeItsFirstTimedRunAndNotOnLaterRuns(FxRobot robot) throws Exception {
        Fx.click(robot, stage, "#nav-compare");
        CompareView view = Fx.lookup(stage, "#compare-view", CompareView.class);
        robot.interact(() -> {
            view.leftModelBox().setValue(entryFor(view, TestModels.mambaFolder()));
            view.rightModelBox().setValue(entryFor(view, TestModels.transformerFolder()));
        });
        runOnce(robot, view, "Compare", 3);
        MetricsStore store = ctx.shared(MetricsStore.class, MetricsStore::new);
        List<CompareWarmUp.Warmed> warmed = view.warmUp().history();
        assertThat(warmed).extracting(w -> w.folder().toAbsolutePath().normalize()).containsExactly(
                TestModels.mambaFolder().toAbsolutePath().normalize(), TestModels.transformerFolder().toAbsolutePath().normalize());
        assertThat(store.points()).hasSize(2);
        for (int side = 0; side < 2; side++) {
            // the warm-up ended before that model's timed answer was recorded
            assertThat(warmed.get(side).finished()).isBefore(store.points().get(side).time());
        }
        runOnce(robot, view, "Compare again", 3);
        assertThat(store.points()).hasSize(4);
        assertThat(view.warmUp().history()).as("no second warm-up for the same models").isEqualTo(warmed);
    }
    @Test
    void stopDuringTheWarmUpEndsTheRunWithoutATimedAnswer(FxRobot robot) throws Exception {
        Fx.click(robot, stage, "#nav-compare");
        CompareView view = Fx.lookup(stage, "#compare-view", CompareView.class);
        robot.interact(() -> {
            view.leftModelBox().setValue(entryFor(view, TestModels.transformerFolder()));
            view.rightModelBox().setValue(entryFor(view, TestModels.mambaFolder()));
            // Stop as soon as the page says it is warming the first model up
            view.statusLabel().textProperty().addListener((obs, o, n) -> {
                if (n.contains("warming")) view.stop();
            });
        });
        runOnce(robot, view, "Compare", 3);
        assertThat(view.statusLabel().getText()).isEqualTo("Stopped.");
        assertThat(view.warmUp().history()).as("a stopped warm-up does not count").isEmpty();
        assertThat(ctx.shared(MetricsStore.class, MetricsStore::new).points()).isEmpty();
        assertThat(ctx.models().openCount()).isZero();
    }
}
