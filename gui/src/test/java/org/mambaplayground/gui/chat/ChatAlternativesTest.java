package org.mambaplayground.gui.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.generate.ChatSession;
import org.mambaplayground.engine.generate.ConversationTokens;
import org.mambaplayground.engine.generate.GenerationResult;
import org.mambaplayground.engine.generate.Generator;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.tokenizer.ChatMessage;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.testing.TestApp;
import org.mambaplayground.gui.testing.TestModels;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Regenerated answers stay reachable ({@code < 2/3 >}) and the next message goes on from the one shown; the
 * checkpoints held are shown; an earlier message can be edited. Headless Monocle, a real small Mamba2 model.
 */
@ExtendWith(ApplicationExtension.class)
class ChatAlternativesTest {
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

    private static void say(FxRobot robot, ChatView view, String text) throws Exception {
        robot.clickOn(view.inputArea()).write(text);
        robot.clickOn(view.sendButton());
        TestApp.waitUntilIdle(view);
    }

    private LoadedModel model() { return ctx.models().getActiveModel().loaded(); }

    private static int promptTokensOf(MessageView answer) {
        String stats = answer.statsText();
        int at = stats.indexOf("prompt ");
        return Integer.parseInt(stats.substring(at + 7, stats.indexOf(' ', at + 7)));
    }

    /** The tokens of a user message after the first, in the chat's format. */
    private int userTokens(ChatView view, String text) {
        var format = model().chatFormat();
        return view.instructCheckBox().isSelected() ? format.encodeUserTurn(null, text, false).length
                : format.encodeCompletionPart(text, false).length;
    }

    @Test
    void regeneratedAnswersStayReachableAndTheNextMessageGoesOnFromTheOneShown(FxRobot robot) throws Exception {
        ChatView view = TestApp.openChat(robot, stage);
        assertThat(view.checkpointsLabel().getText()).isEqualTo("No checkpoints yet");
        robot.interact(() -> {
            view.temperatureSlider().setValue(2.0); // varied answers
            view.maxTokensSpinner().getValueFactory().setValue(12);
        });
        say(robot, view, "Tell me about cats");
        MessageView answer = view.messages().getLast();
        assertThat(answer.alternativeLabel().getParent().isVisible()).isFalse(); // one answer: no < 1/1 >
        ChatSession session = view.session();
        assertThat(view.checkpointsLabel().getText())
                .isEqualTo(ChatView.describeCheckpoints(session.checkpoints().count(), session.checkpoints().bytes()))
                .startsWith("2 checkpoints, ");
        int checkpointsAfterFirst = session.checkpoints().count();

        for (int i = 0; i < 2; i++) {
            robot.clickOn(view.regenerateButton());
            TestApp.waitUntilIdle(view);
        }
        assertThat(view.messages()).hasSize(2); // the same answer, with three alternatives
        assertThat(view.messages().getLast()).isSameAs(answer);
        List<String> texts = answer.alternatives();
        assertThat(texts).hasSize(3).doesNotContain("");
        assertThat(texts.stream().distinct().count()).as("sampled at temperature 2: %s", texts).isGreaterThan(1);
        assertThat(answer.statsText()).contains("prompt 0 tokens (resumed from a checkpoint)"); // nothing read again
        assertThat(answer.alternativeLabel().getText()).isEqualTo("3/3");
        assertThat(answer.nextAlternativeButton().isDisabled()).isTrue();
        // Regenerate answered from the prompt's checkpoint, as alternatives of the engine's turn
        ConversationTokens conversation = session.conversation();
        assertThat(view.session()).isSameAs(session);
        assertThat(conversation.alternativeCount(0)).isEqualTo(3);
        for (int i = 0; i < 3; i++) assertThat(conversation.alternative(0, i).text()).isEqualTo(texts.get(i));
        assertThat(view.checkpointsLabel().getText())
                .isEqualTo(ChatView.describeCheckpoints(session.checkpoints().count(), session.checkpoints().bytes()));
        assertThat(session.checkpoints().count()).isGreaterThan(checkpointsAfterFirst);

        // < back to 2/3, 1/3, forward to 2/3, back to 1/3: the text shown and the engine's choice follow
        int[] path = {1, 0, 1, 0};
        for (int target : path) {
            robot.clickOn(target < answer.shownAlternative() ? answer.previousAlternativeButton() : answer.nextAlternativeButton());
            WaitForAsyncUtils.waitForFxEvents();
            assertThat(answer.alternativeLabel().getText()).isEqualTo((target + 1) + "/3");
            assertThat(answer.text()).isEqualTo(texts.get(target));
            assertThat(answer.shownAsCode() ? answer.codeView().code() : answer.body().markdown()).isEqualTo(texts.get(target));
            assertThat(conversation.selectedAlternative(0)).isEqualTo(target);
        }
        assertThat(answer.previousAlternativeButton().isDisabled()).isTrue();
        // the saved conversation keeps all three, and which one is shown
        SavedConversation saved = new ConversationStore(ctx.settings().conversationsDir()).list().stream()
                .filter(c -> c.id().equals(view.conversationId())).findFirst().orElseThrow();
        assertThat(saved.messages().get(1).alternatives()).isEqualTo(texts);
        assertThat(saved.messages().get(1).shown()).isZero();

        // the next message goes on from the first answer's state: only its own tokens are read
        int[] firstAnswer = conversation.alternative(0, 0).tokens();
        robot.interact(() -> {
            view.temperatureSlider().setValue(0);
            view.maxTokensSpinner().getValueFactory().setValue(6);
        });
        say(robot, view, "And dogs?");
        assertThat(view.session()).isSameAs(session);
        MessageView next = view.messages().getLast();
        assertThat(promptTokensOf(next)).isEqualTo(userTokens(view, "And dogs?"));
        assertThat(conversation.answer(0).tokens()).containsExactly(firstAnswer);
        assertThat(session.state().consumed()).startsWith(conversation.promptOf(1));
        // earlier answers' alternatives are shown but cannot be switched (the turns after them build on the one shown)
        assertThat(answer.alternativeLabel().getText()).isEqualTo("1/3");
        assertThat(answer.previousAlternativeButton().getParent().isDisabled()).isTrue();
        // and it is the answer a fresh state gives after the first answer's tokens
        LoadedModel m = model();
        GenerationResult fresh = new Generator(m.model(), m.tokenizer()).generate(m.model().newState(),
                conversation.promptOf(1), SamplingOptions.greedy(6), m.chatFormat().stopTokens(), null, null);
        assertThat(next.text()).isEqualTo(fresh.text());
        assertThat(view.checkpointsLabel().getText())
                .isEqualTo(ChatView.describeCheckpoints(session.checkpoints().count(), session.checkpoints().bytes()));
    }

    @Test
    void editingAnEarlierMessageReplacesItAndReadsOnlyItsTokens(FxRobot robot) throws Exception {
        ChatView view = TestApp.openChat(robot, stage);
        robot.interact(() -> {
            view.temperatureSlider().setValue(0);
            view.maxTokensSpinner().getValueFactory().setValue(6);
        });
        for (String message : List.of("one", "two", "three")) say(robot, view, message);
        assertThat(view.messages()).hasSize(6);
        ChatSession session = view.session();

        MessageView second = view.messages().get(2);
        assertThat(second.editButton().isVisible()).isTrue();
        assertThat(view.messages().get(1).editButton().isVisible()).isFalse(); // answers are regenerated, not edited
        robot.clickOn(second.editButton());
        assertThat(view.inputArea().getText()).isEqualTo("two");
        assertThat(view.editingMessage()).isSameAs(second);
        // Esc leaves it as it was
        robot.type(javafx.scene.input.KeyCode.ESCAPE);
        assertThat(view.editingMessage()).isNull();
        assertThat(view.inputArea().getText()).isEmpty();
        assertThat(view.messages()).hasSize(6);

        robot.clickOn(second.editButton());
        robot.interact(() -> view.inputArea().clear());
        say(robot, view, "two, edited");
        assertThat(view.messages()).extracting(MessageView::text).startsWith("one", view.messages().get(1).text(), "two, edited");
        assertThat(view.messages()).hasSize(4);
        MessageView answer = view.messages().getLast();
        assertThat(answer.role()).isEqualTo(MessageView.Role.ASSISTANT);
        assertThat(answer.text()).isNotBlank();
        assertThat(view.sessionMessages()).filteredOn(msg -> msg.role() == ChatMessage.Role.USER)
                .extracting(ChatMessage::content).containsExactly("one", "two, edited");
        // the engine resumed from the checkpoint at the end of the first turn: it read only the new message
        assertThat(view.session()).isSameAs(session);
        assertThat(promptTokensOf(answer)).isEqualTo(userTokens(view, "two, edited"));
        assertThat(session.conversation().turnCount()).isEqualTo(2);
        assertThat(view.currentConversation().messages()).extracting(SavedConversation.Message::text)
                .containsExactly("one", view.messages().get(1).text(), "two, edited", answer.text());
    }

    @Test
    void aQuestionStoppedBeforeItsAnswerDoesNotMakeTheNextMessageReadTheConversationAgain(FxRobot robot) throws Exception {
        ChatView view = TestApp.openChat(robot, stage);
        robot.interact(() -> {
            view.temperatureSlider().setValue(0);
            view.maxTokensSpinner().getValueFactory().setValue(6);
        });
        say(robot, view, "one");
        ChatSession session = view.session();
        // stopped while another generation holds the cores: the question stays on screen, unanswered
        var gate = ctx.shared(org.mambaplayground.gui.metrics.GenerationGate.class, org.mambaplayground.gui.metrics.GenerationGate::new);
        var held = gate.enter(new org.mambaplayground.engine.generate.CancellationToken(), () -> {});
        robot.clickOn(view.inputArea()).write("two");
        robot.clickOn(view.sendButton());
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> view.messages().size() == 4
                && view.messages().getLast().phaseLabel().getText().startsWith("Waiting"));
        robot.clickOn(view.stopButton());
        TestApp.waitUntilIdle(view);
        held.close();
        assertThat(view.messages().getLast().text()).isEmpty();

        say(robot, view, "three");
        assertThat(view.session()).isSameAs(session);
        assertThat(promptTokensOf(view.messages().getLast())).isEqualTo(userTokens(view, "three"));
        assertThat(session.conversation().turnCount()).isEqualTo(2);
        // and an earlier message can still be edited from its checkpoint
        robot.clickOn(view.messages().get(4).editButton());
        robot.interact(() -> view.inputArea().clear());
        say(robot, view, "three, again");
        assertThat(view.session()).isSameAs(session);
        assertThat(promptTokensOf(view.messages().getLast())).isEqualTo(userTokens(view, "three, again"));
        assertThat(view.messages()).extracting(MessageView::text).contains("two", "three, again").doesNotContain("three");
    }
}
