package org.mambaplayground.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.model.Architecture;
import org.mambaplayground.engine.tokenizer.ChatMessage;

/**
 * The text-kept conversation's rules, answered by a real model the way a remote server answers: the whole
 * conversation with every request (a fresh engine conversation resumed from the messages).
 */
class MessageConversationTest {
    static LoadedModel model;

    @BeforeAll
    static void load() { model = DemoModelFolders.open(Architecture.MAMBA2); }

    @AfterAll
    static void close() { model.close(); }

    /** Answers the messages whole; can be told to cut its stream after the first pieces, as a dropped connection does. */
    static final class WholeConversation extends MessageConversation {
        final List<List<ChatMessage>> requests = new ArrayList<>();
        boolean cutAfterFirstPiece;

        WholeConversation() { super(true); }

        @Override
        protected Reply answer(List<ChatMessage> messages, SamplingOptions options, CancellationToken cancel, ReplyListener listener) {
            requests.add(List.copyOf(messages));
            Conversation whole = new LocalBackend(model).open(true);
            String system = messages.getFirst().role() == ChatMessage.Role.SYSTEM ? messages.getFirst().content() : null;
            whole.resume(system, messages.subList(0, messages.size() - 1));
            return whole.send(messages.getLast().content(), options, cancel, new ReplyListener() {
                @Override public void onText(String piece, int tokens) {
                    listener.onText(piece, tokens);
                    if (cutAfterFirstPiece) throw new BackendException(BackendException.Kind.STREAM_CUT, "the stream from test ended mid-answer");
                }
            });
        }
    }

    static SamplingOptions sampled(long seed) { return new SamplingOptions(1.0f, 1f, seed, 8); }

    @Test
    void eachRequestCarriesTheWholeConversationAlongTheSelectedAnswers() {
        WholeConversation chat = new WholeConversation();
        chat.resume("Be brief.", List.of());
        Reply first = chat.send("One", sampled(1), new CancellationToken(), null);
        chat.regenerate(sampled(2), new CancellationToken(), null);
        chat.selectAlternative(0);
        chat.send("Two", sampled(3), new CancellationToken(), null);

        assertThat(chat.requests.get(0)).containsExactly(ChatMessage.system("Be brief."), ChatMessage.user("One"));
        assertThat(chat.requests.get(1)).containsExactly(ChatMessage.system("Be brief."), ChatMessage.user("One"));
        assertThat(chat.requests.get(2)).containsExactly(ChatMessage.system("Be brief."), ChatMessage.user("One"),
                ChatMessage.assistant(first.text()), ChatMessage.user("Two"));
        assertThat(chat.alternativeCount(0)).isEqualTo(2);
        assertThat(chat.turnCount()).isEqualTo(2);
    }

    @Test
    void aStreamCutMidAnswerLeavesTheConversationAsItWas() {
        WholeConversation chat = new WholeConversation();
        chat.send("One", sampled(1), new CancellationToken(), null);
        List<ChatMessage> before = chat.messages();
        chat.cutAfterFirstPiece = true;
        assertThatThrownBy(() -> chat.send("Two", sampled(2), new CancellationToken(), null))
                .isInstanceOf(BackendException.class).hasMessageContaining("ended mid-answer");
        assertThat(chat.messages()).isEqualTo(before);
        assertThatThrownBy(() -> chat.regenerate(sampled(3), new CancellationToken(), null)).isInstanceOf(BackendException.class);
        assertThat(chat.alternativeCount(0)).isEqualTo(1);
        assertThatThrownBy(() -> chat.edit(0, "Uno", sampled(4), new CancellationToken(), null)).isInstanceOf(BackendException.class);
        assertThat(chat.messages()).isEqualTo(before);

        chat.cutAfterFirstPiece = false;
        chat.send("Two", sampled(5), new CancellationToken(), null);
        assertThat(chat.turnCount()).isEqualTo(2);
    }

    @Test
    void aStopBeforeTheFirstWordKeepsNeitherTheMessageNorAnAnswer() {
        WholeConversation chat = new WholeConversation();
        CancellationToken stopped = new CancellationToken();
        stopped.cancel();
        chat.send("One", sampled(1), stopped, null);
        assertThat(chat.turnCount()).isZero();
    }

    @Test
    void theCompletionTextJoinsTheMessagesAsSaid() {
        assertThat(MessageConversation.completionText(List.of(ChatMessage.system("# "), ChatMessage.user("def f():"),
                ChatMessage.assistant("\n    return 1")))).isEqualTo("# def f():\n    return 1");
    }
}
