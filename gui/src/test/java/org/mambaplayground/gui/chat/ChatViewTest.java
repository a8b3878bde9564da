package org.mambaplayground.gui.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.gui.metrics.ChartsView;
import org.mambaplayground.gui.metrics.GenerationGate;
import org.mambaplayground.gui.metrics.MetricsStore;
import org.mambaplayground.gui.testing.Fx;
import org.mambaplayground.gui.testing.TestApp;
import org.mambaplayground.gui.testing.TestModels;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Drives the application's window (headless Monocle) with a real small Mamba2 model written to disk:
 * a question typed and sent streams an answer with its figures, stop and regenerate work, and the
 * charts page gains the measured point.
 */
@ExtendWith(ApplicationExtension.class)
class ChatViewTest {
    @TempDir Path home;
    private AppContext ctx;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        ctx = TestApp.show(stage, home);
    }

    @BeforeEach
    void loadModel() throws Exception {
        TestApp.activate(ctx, TestModels.mambaFolder());
    }

    @AfterEach
    void close() throws Exception { WaitForAsyncUtils.asyncFx(ctx::close).get(); }

    @Test
    void aQuestionStreamsAnAnswerWithItsFiguresAndTheChartsGainAPoint(FxRobot robot) throws Exception {
        ChatView view = TestApp.openChat(robot, stage);
        robot.interact(() -> {
            view.temperatureSlider().setValue(0);
            view.maxTokensSpinner().getValueFactory().setValue(24);
            // text that is not a number leaves the setting as it was
            view.maxTokensSpinner().getEditor().setText("lots");
            view.maxTokensSpinner().commitValue();
        });
        assertThat(view.maxTokensSpinner().getValue()).isEqualTo(24);
        robot.clickOn(view.inputArea()).write("Hello in Java?");
        robot.clickOn(view.sendButton());
        TestApp.waitUntilIdle(view);

        assertThat(view.messages()).hasSize(2);
        MessageView question = view.messages().getFirst();
        MessageView answer = view.messages().getLast();
        assertThat(question.role()).isEqualTo(MessageView.Role.USER);
        assertThat(question.text()).isEqualTo("Hello in Java?");
        assertThat(answer.role()).isEqualTo(MessageView.Role.ASSISTANT);
        assertThat(answer.text()).isNotBlank();
        assertThat(answer.body().markdown()).isEqualTo(answer.text());
        // the prompt phase was shown with the prompt's real size, then the figures
        assertThat(answer.prefillShownTotal()).isGreaterThan(5);
        assertThat(answer.statsLabel().getText()).contains("tok/s").contains("first token")
                .contains("prompt " + answer.prefillShownTotal() + " tokens");
        assertThat(view.contextLabel().getText()).contains("tokens").contains("State in memory");
        assertThat(view.inputArea().getText()).isEmpty();

        // a system prompt applies from a new chat: the same question then makes a longer prompt
        int plainPrompt = answer.prefillShownTotal();
        robot.clickOn(view.systemPromptArea()).write("Answer in one short line.");
        robot.clickOn(view.newChatButton());
        assertThat(view.messages()).isEmpty();
        robot.clickOn(view.inputArea()).write("Hello in Java?");
        robot.clickOn(view.sendButton());
        TestApp.waitUntilIdle(view);
        assertThat(view.messages().getLast().prefillShownTotal()).isGreaterThan(plainPrompt + 3);

        // the metrics store got the engine's figures, and the charts page plots them
        MetricsStore store = ctx.shared(MetricsStore.class, MetricsStore::new);
        assertThat(store.points()).hasSize(2);
        assertThat(store.points()).allMatch(p -> p.source().equals("chat"));
        assertThat(store.points().getFirst().stateBytes()).isPositive();
        Fx.click(robot, stage, "#nav-charts");
        ChartsView charts = Fx.lookup(stage, "#charts-view", ChartsView.class);
        assertThat(charts.memoryPanel().measuredPointCount()).isEqualTo(2);
        assertThat(charts.prefillPanel().measuredPointCount()).isEqualTo(2);
        assertThat(charts.decodePanel().measuredPointCount()).isEqualTo(2);
    }

    @Test
    void anAnswerWaitsWhileAnotherGenerationHoldsTheCoresThenRuns(FxRobot robot) throws Exception {
        ChatView view = TestApp.openChat(robot, stage);
        robot.interact(() -> view.maxTokensSpinner().getValueFactory().setValue(8));
        // as if a sweep or a comparison were generating
        GenerationGate gate = ctx.shared(GenerationGate.class, GenerationGate::new);
        GenerationGate.Pass held = gate.enter(new CancellationToken(), () -> {});
        robot.clickOn(view.inputArea()).write("Hi");
        robot.clickOn(view.sendButton());
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> view.messages().size() == 2
                && view.messages().getLast().phaseLabel().getText().startsWith("Waiting"));
        Thread.sleep(300);
        assertThat(view.messages().getLast().text()).isEmpty(); // nothing generated while the gate is held
        assertThat(view.runningProperty().get()).isTrue();
        held.close();
        TestApp.waitUntilIdle(view);
        assertThat(view.messages().getLast().text()).isNotEmpty();
        assertThat(view.messages().getLast().statsLabel().getText()).contains("tokens");
        assertThat(gate.busy()).isFalse();
    }

    @Test
    void stopEndsALongAnswerWhileItStreamsAndRegenerateAnswersAgain(FxRobot robot) throws Exception {
        ChatView view = TestApp.openChat(robot, stage);
        robot.interact(() -> {
            view.temperatureSlider().setValue(0);
            view.maxTokensSpinner().getValueFactory().setValue(20000);
        });
        // press Stop as soon as the first words are on screen, noting that the answer was still being
        // generated then
        boolean[] runningWhenStopped = {false};
        robot.interact(() -> view.answerLengthProperty().addListener((obs, old, length) -> {
            if (length.intValue() > 0 && !view.stopButton().isDisabled() && !runningWhenStopped[0]) {
                runningWhenStopped[0] = view.runningProperty().get();
                view.stopButton().fire();
            }
        }));
        robot.clickOn(view.inputArea()).write("A story");
        robot.type(javafx.scene.input.KeyCode.ENTER); // Enter sends
        TestApp.waitUntilIdle(view);
        assertThat(runningWhenStopped[0]).as("text was on screen while the answer was still being generated").isTrue();
        MessageView stopped = view.messages().getLast();
        assertThat(stopped.statsLabel().getText()).contains("stopped");
        assertThat(stopped.text()).isNotEmpty();

        robot.interact(() -> view.maxTokensSpinner().getValueFactory().setValue(8));
        robot.clickOn(view.regenerateButton());
        TestApp.waitUntilIdle(view);
        assertThat(view.messages()).hasSize(2); // the new answer is another alternative of the stopped one
        assertThat(view.messages().getLast()).isSameAs(stopped);
        assertThat(stopped.alternatives()).hasSize(2);
        assertThat(stopped.alternativeLabel().getText()).isEqualTo("2/2");
        String stats = view.messages().getLast().statsLabel().getText();
        assertThat(stats).matches("\\d+ tokens .*");
        assertThat(Integer.parseInt(stats.substring(0, stats.indexOf(' ')))).isBetween(1, 8);
    }
}
