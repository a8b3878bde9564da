package org.mambaplayground.gui.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.geometry.VerticalDirection;
import javafx.scene.input.KeyCode;
import javafx.scene.input.ScrollEvent;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.tokenizer.ChatMessage;
import org.mambaplayground.gui.AppContext;
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

    @Test
    void shiftEnterMakesATwoLinePromptThatIsSentAsTwoLines(FxRobot robot) throws Exception {
        ChatView view = TestApp.openChat(robot, stage);
        robot.interact(() -> view.maxTokensSpinner().getValueFactory().setValue(4));
        robot.clickOn(view.inputArea()).write("first line");
        robot.press(KeyCode.SHIFT).type(KeyCode.ENTER).release(KeyCode.SHIFT);
        robot.write("second line");
        assertThat(view.inputArea().getText()).isEqualTo("first line\nsecond line");
        assertThat(view.runningProperty().get()).isFalse(); // Shift+Enter did not send
        robot.type(KeyCode.ENTER);
        TestApp.waitUntilIdle(view);

        MessageView question = view.messages().getFirst();
        assertThat(question.text()).isEqualTo("first line\nsecond line");
        assertThat(question.plainLabel().getText()).isEqualTo("first line\nsecond line"); // shown as typed
        assertThat(view.sessionMessages()).extracting(ChatMessage::content).contains("first line\nsecond line");
        assertThat(view.inputArea().getText()).isEmpty();

        // Ctrl+N starts a new chat, Ctrl+L puts the cursor back in the message box
        // (focus moved away without a click: the slider may lie below the fold of the settings panel)
        robot.interact(() -> view.temperatureSlider().requestFocus());
        assertThat(view.inputArea().isFocused()).isFalse();
        robot.press(KeyCode.CONTROL).type(KeyCode.L).release(KeyCode.CONTROL);
        assertThat(view.inputArea().isFocused()).isTrue();
        robot.press(KeyCode.CONTROL).type(KeyCode.N).release(KeyCode.CONTROL);
        assertThat(view.messages()).isEmpty();
    }

    @Test
    void theTranscriptFollowsTheStreamUntilTheUserScrollsUp(FxRobot robot) throws Exception {
        ChatView view = TestApp.openChat(robot, stage);
        robot.interact(() -> {
            view.temperatureSlider().setValue(1);
            view.maxTokensSpinner().getValueFactory().setValue(20000);
        });
        robot.clickOn(view.inputArea()).write("A long story");
        robot.type(KeyCode.ENTER);
        // the small test model may end its answer early; then it answers again (Regenerate) until one lasts
        List<String> misses = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            String miss = followThenStayThenStop(robot, view);
            if (miss == null) break;
            misses.add(miss);
            assertThat(attempt).as("answers long enough to scroll: %s", misses).isLessThan(6);
            TestApp.waitUntilIdle(view);
            robot.clickOn(view.jumpToLatestButton().isVisible() ? view.jumpToLatestButton() : view.regenerateButton());
            if (!view.runningProperty().get()) robot.clickOn(view.regenerateButton());
        }
        robot.interact(view::stop);
        TestApp.waitUntilIdle(view);

        // "jump to latest" goes back to the end and follows again
        robot.clickOn(view.jumpToLatestButton());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(view.followingProperty().get()).isTrue();
        assertThat(view.transcriptScroll().getVvalue()).isEqualTo(1.0);
        assertThat(view.jumpToLatestButton().isVisible()).isFalse();
    }

    /**
     * While the answer streams: the view stays at its end; scrolled to the top it stays there as the answer
     * grows. A reason when the answer ended by itself before all that was seen.
     */
    private static String followThenStayThenStop(FxRobot robot, ChatView view) throws Exception {
        boolean[] followedAtEnd = {true};
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(() -> {
            ScrollPaneState now = ScrollPaneState.of(view);
            if (now.contentHeight > now.viewportHeight) {
                followedAtEnd[0] &= view.followingProperty().get() && view.transcriptScroll().getVvalue() == 1.0;
            }
            return !view.runningProperty().get() || now.contentHeight > 2 * now.viewportHeight;
        }).get());
        if (!view.runningProperty().get()) return "the answer ended before it filled two screens";
        assertThat(followedAtEnd[0]).as("the view kept the newest text in view").isTrue();
        assertThat(view.jumpToLatestButton().isVisible()).isFalse();
        assertThat(view.contextLabel().getText()).as("the gauge counts while the answer streams").doesNotContain("none yet");

        // the user scrolls up with the wheel to read: what they read stays in place while the answer grows
        // (a wheel event dispatched at once: the small model is fast, a robot's mouse would arrive after the answer)
        robot.interact(() -> view.transcriptScroll().getContent().fireEvent(wheelUp(view)));
        WaitForAsyncUtils.waitForFxEvents();
        if (!view.runningProperty().get()) return "the answer ended as the user scrolled: " + view.messages().getLast().statsLabel().getText() + " / " + view.messages().getLast().text().length();
        assertThat(view.followingProperty().get()).isFalse();
        assertThat(view.jumpToLatestButton().isVisible()).isTrue();
        double top = WaitForAsyncUtils.asyncFx(() -> pixelsFromTop(view)).get();
        ScrollPaneState scrolled = WaitForAsyncUtils.asyncFx(() -> ScrollPaneState.of(view)).get();
        assertThat(top).isLessThan(scrolled.contentHeight - scrolled.viewportHeight - 24);
        int length = view.answerLengthProperty().get();
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS,
                () -> view.answerLengthProperty().get() > length + 300 || !view.runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
        if (view.answerLengthProperty().get() <= length + 300) return "the answer ended before it grew";
        assertThat(WaitForAsyncUtils.asyncFx(() -> pixelsFromTop(view)).get()).isCloseTo(top, within(2.0));
        assertThat(view.followingProperty().get()).isFalse();

        return null;
    }

    private static ScrollEvent wheelUp(ChatView view) {
        javafx.geometry.Bounds b = view.transcriptScroll().localToScreen(view.transcriptScroll().getLayoutBounds());
        return new ScrollEvent(ScrollEvent.SCROLL, 100, 100, b.getCenterX(), b.getCenterY(), false, false, false, false,
                false, false, 0, 400, 0, 400, ScrollEvent.HorizontalTextScrollUnits.NONE, 0,
                ScrollEvent.VerticalTextScrollUnits.NONE, 0, 0, null);
    }

    private static double pixelsFromTop(ChatView view) {
        ScrollPaneState now = ScrollPaneState.of(view);
        return view.transcriptScroll().getVvalue() * (now.contentHeight - now.viewportHeight);
    }

    private record ScrollPaneState(double contentHeight, double viewportHeight) {
        static ScrollPaneState of(ChatView view) {
            return new ScrollPaneState(view.transcriptScroll().getContent().getLayoutBounds().getHeight(),
                    view.transcriptScroll().getViewportBounds().getHeight());
        }
    }

    @Test
    void escStopsTheAnswer(FxRobot robot) throws Exception {
        ChatView view = TestApp.openChat(robot, stage);
        robot.interact(() -> {
            view.temperatureSlider().setValue(1);
            view.maxTokensSpinner().getValueFactory().setValue(20000);
        });
        robot.clickOn(view.inputArea()).write("A long story");
        robot.type(KeyCode.ENTER);
        // the small test model may end its answer before Esc arrives; then it answers again until one is stopped
        for (int attempt = 1; ; attempt++) {
            WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> view.answerLengthProperty().get() > 0);
            robot.type(KeyCode.ESCAPE);
            TestApp.waitUntilIdle(view);
            if (view.messages().getLast().statsLabel().getText().contains("stopped")) break;
            assertThat(attempt).as("an answer still running when Esc was pressed").isLessThan(5);
            robot.clickOn(view.regenerateButton());
        }
        MessageView answer = view.messages().getLast();
        assertThat(answer.statsLabel().getText()).contains("stopped");
        assertThat(answer.statsLabel().getText()).doesNotContain("20000 tokens");
    }

    @Test
    void aConversationSurvivesARestartOfTheApp(FxRobot robot) throws Exception {
        ChatView view = TestApp.openChat(robot, stage);
        robot.interact(() -> {
            view.temperatureSlider().setValue(0);
            view.maxTokensSpinner().getValueFactory().setValue(6);
        });
        robot.clickOn(view.inputArea()).write("Remember me");
        robot.type(KeyCode.ENTER);
        TestApp.waitUntilIdle(view);
        String answer = view.messages().getLast().text();
        String id = view.conversationId();
        assertThat(view.conversationList().getItems()).extracting(SavedConversation::title).containsExactly("Remember me");

        // the app closes; a new one starts on the same settings folder
        WaitForAsyncUtils.asyncFx(ctx::close).get();
        robot.interact(() -> ctx = TestApp.show(stage, home));
        TestApp.activate(ctx, TestModels.mambaFolder());
        ChatView restored = TestApp.openChat(robot, stage);
        assertThat(restored).isNotSameAs(view);
        assertThat(restored.conversationId()).isEqualTo(id);
        assertThat(restored.messages()).extracting(MessageView::text).containsExactly("Remember me", answer);

        // and it goes on: the model reads the restored conversation, then the new question
        robot.interact(() -> restored.maxTokensSpinner().getValueFactory().setValue(4));
        robot.clickOn(restored.inputArea()).write("And now?");
        robot.type(KeyCode.ENTER);
        TestApp.waitUntilIdle(restored);
        assertThat(restored.messages()).hasSize(4);
        assertThat(restored.sessionMessages()).extracting(ChatMessage::content)
                .startsWith("Remember me", answer, "And now?");
        assertThat(restored.conversationList().getItems()).hasSize(1);
    }

    @Test
    void inCompletionModeTheAnswerIsShownAsCodeInThePromptsLanguage(FxRobot robot) throws Exception {
        ChatView view = TestApp.openChat(robot, stage);
        robot.interact(() -> {
            view.instructCheckBox().setSelected(false);
            view.maxTokensSpinner().getValueFactory().setValue(12);
        });
        robot.interact(() -> view.inputArea().setText("# add two numbers\ndef add(a, b):\n    return a + b\n"));
        robot.clickOn(view.sendButton());
        TestApp.waitUntilIdle(view);
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
