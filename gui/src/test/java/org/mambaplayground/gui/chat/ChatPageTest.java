package org.mambaplayground.gui.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.tokenizer.ChatMessage;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.testing.Fx;
import org.mambaplayground.gui.testing.TestApp;
import org.mambaplayground.gui.testing.TestModels;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The chat page as a user types into it (headless Monocle, a real small Mamba2 model): keys, the
 * transcript following the stream, conversations kept across a restart, answers shown as code.
 */
@ExtendWith(ApplicationExtension.class)
class ChatPageTest {
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

    private ChatView chat(FxRobot robot) {
        Fx.click(robot, stage, "#nav-chat");
        return Fx.lookup(stage, "#chat-view", ChatView.class);
    }

    private static void waitUntilIdle(ChatView view) throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !view.runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void shiftEnterMakesATwoLinePromptThatIsSentAsTwoLines(FxRobot robot) throws Exception {
        ChatView view = chat(robot);
        robot.interact(() -> view.maxTokensSpinner().getValueFactory().setValue(4));
        robot.clickOn(view.inputArea()).write("first line");
        robot.press(KeyCode.SHIFT).type(KeyCode.ENTER).release(KeyCode.SHIFT);
        robot.write("second line");
        assertThat(view.inputArea().getText()).isEqualTo("first line\nsecond line");
        assertThat(view.runningProperty().get()).isFalse(); // Shift+Enter did not send
        robot.type(KeyCode.ENTER);
        waitUntilIdle(view);

        MessageView question = view.messages().getFirst();
        assertThat(question.text()).isEqualTo("first line\nsecond line");
        assertThat(question.plainLabel().getText()).isEqualTo("first line\nsecond line"); // shown as typed
        assertThat(view.sessionMessages()).extracting(ChatMessage::content).contains("first line\nsecond line");
        assertThat(view.inputArea().getText()).isEmpty();

        // Ctrl+N starts a new chat, Ctrl+L puts the cursor back in the message box
        robot.clickOn(view.temperatureSlider());
        robot.press(KeyCode.CONTROL).type(KeyCode.L).release(KeyCode.CONTROL);
        assertThat(view.inputArea().isFocused()).isTrue();
        robot.press(KeyCode.CONTROL).type(KeyCode.N).release(KeyCode.CONTROL);
        assertThat(view.messages()).isEmpty();
    }

    @Test
    void theTranscriptFollowsTheStreamUntilTheUserScrollsUpAndEscStopsTheAnswer(FxRobot robot) throws Exception {
        ChatView view = chat(robot);
        robot.interact(() -> {
            view.temperatureSlider().setValue(0); // greedy: the small test model runs on without an end token
            view.maxTokensSpinner().getValueFactory().setValue(20000);
        });
        robot.clickOn(view.inputArea()).write("A long story");
        robot.type(KeyCode.ENTER);
        // the answer outgrows the window while the view stays at its end
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> view.transcriptScroll().getContent().getBoundsInLocal()
                .getHeight() > 3 * view.transcriptScroll().getViewportBounds().getHeight());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(view.runningProperty().get()).isTrue();
        assertThat(view.followingProperty().get()).isTrue();
        assertThat(view.transcriptScroll().getVvalue()).isEqualTo(1.0);
        assertThat(view.jumpToLatestButton().isVisible()).isFalse();

        // the user scrolls to the top to read: the view stays there while the answer grows
        robot.interact(() -> view.transcriptScroll().setVvalue(0));
        assertThat(view.followingProperty().get()).isFalse();
        assertThat(view.jumpToLatestButton().isVisible()).isTrue();
        int length = view.answerLengthProperty().get();
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> view.answerLengthProperty().get() > length + 200);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(view.transcriptScroll().getVvalue()).isEqualTo(0.0);

        // Esc stops the answer
        assertThat(view.runningProperty().get()).isTrue();
        robot.type(KeyCode.ESCAPE);
        waitUntilIdle(view);
        assertThat(view.messages().getLast().statsLabel().getText()).contains("stopped");
        assertThat(view.messages().getLast().text()).isNotEmpty();

        // "jump to latest" goes back to the end and follows again
        robot.clickOn(view.jumpToLatestButton());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(view.followingProperty().get()).isTrue();
        assertThat(view.transcriptScroll().getVvalue()).isEqualTo(1.0);
        assertThat(view.jumpToLatestButton().isVisible()).isFalse();
    }

    @Test
    void aConversationSurvivesARestartOfTheApp(FxRobot robot) throws Exception {
        ChatView view = chat(robot);
        robot.interact(() -> {
            view.temperatureSlider().setValue(0);
            view.maxTokensSpinner().getValueFactory().setValue(6);
        });
        robot.clickOn(view.inputArea()).write("Remember me");
        robot.type(KeyCode.ENTER);
        waitUntilIdle(view);
        String answer = view.messages().getLast().text();
        String id = view.conversationId();
        assertThat(view.conversationList().getItems()).extracting(SavedConversation::title).containsExactly("Remember me");

        // the app closes; a new one starts on the same settings folder
        WaitForAsyncUtils.asyncFx(ctx::close).get();
        robot.interact(() -> ctx = TestApp.show(stage, home));
        TestApp.activate(ctx, TestModels.mambaFolder());
        ChatView restored = chat(robot);
        assertThat(restored).isNotSameAs(view);
        assertThat(restored.conversationId()).isEqualTo(id);
        assertThat(restored.messages()).extracting(MessageView::text).containsExactly("Remember me", answer);

        // and it goes on: the model reads the restored conversation, then the new question
        robot.interact(() -> restored.maxTokensSpinner().getValueFactory().setValue(4));
        robot.clickOn(restored.inputArea()).write("And now?");
        robot.type(KeyCode.ENTER);
        waitUntilIdle(restored);
        assertThat(restored.messages()).hasSize(4);
        assertThat(restored.sessionMessages()).extracting(ChatMessage::content)
                .startsWith("Remember me", answer, "And now?");
        assertThat(restored.conversationList().getItems()).hasSize(1);
    }

    @Test
    void inCompletionModeTheAnswerIsShownAsCodeInThePromptsLanguage(FxRobot robot) throws Exception {
        ChatView view = chat(robot);
        robot.interact(() -> {
            view.instructCheckBox().setSelected(false);
            view.maxTokensSpinner().getValueFactory().setValue(12);
        });
        robot.interact(() -> view.inputArea().setText("# add two numbers\ndef add(a, b):\n    return a + b\n"));
        robot.clickOn(view.sendButton());
        waitUntilIdle(view);
        MessageView answer = view.messages().getLast();
        assertThat(answer.codeLanguage()).map(CodeLanguage::name).contains("python");
        assertThat(answer.codeView()).isNotNull();
        assertThat(answer.codeView().code()).isEqualTo(answer.text());
        // the prompt is shown as typed: its "#" comment is no heading
        MessageView question = view.messages().getFirst();
        assertThat(question.plainLabel().getText()).startsWith("# add two numbers\n");
        assertThat(question.lookupAll(".md-h1")).isEmpty();
        // the raw toggle shows the text as it came
        robot.clickOn(answer.rawToggle());
        assertThat(answer.codeView()).isNull();
        assertThat(answer.plainLabel().getText()).isEqualTo(answer.text());
    }
}
