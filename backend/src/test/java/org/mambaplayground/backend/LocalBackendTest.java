package org.mambaplayground.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.FinishReason;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.model.Architecture;
import org.mambaplayground.engine.tokenizer.ChatMessage;

/** The local backend on the demo models of both architectures: the conversation's identity and the probe's figures. */
class LocalBackendTest {
    static LoadedModel mamba;
    static LoadedModel transformer;

    @BeforeAll
    static void load() {
        mamba = DemoModelFolders.open(Architecture.MAMBA2);
        transformer = DemoModelFolders.open(Architecture.TRANSFORMER);
    }

    @AfterAll
    static void close() {
        mamba.close();
        transformer.close();
    }

    static LocalBackend backend(String kind) { return new LocalBackend(kind.equals("mamba2") ? mamba : transformer); }

    static SamplingOptions sampled(long seed) { return new SamplingOptions(1.0f, 1f, seed, 10); }

    @ParameterizedTest
    @ValueSource(strings = {"mamba2", "transformer"})
    void theSecondMessageReadsOnlyItsOwnTokensAndRegenerateReadsNone(String kind) {
        LocalBackend backend = backend(kind);
        LoadedModel model = backend.loaded();
        Conversation chat = backend.open(true);

        Reply first = chat.send("Write a function that adds two numbers.", sampled(1), new CancellationToken(), null);
        assertThat(first.stats().promptTokens())
                .isEqualTo(model.chatFormat().encodeUserTurn(null, "Write a function that adds two numbers.", true).length);
        Reply second = chat.send(" Now make it subtract.", sampled(2), new CancellationToken(), null);
        // the state goes on from where the first answer ended: only the new user turn is read
        assertThat(second.stats().promptTokens())
                .isEqualTo(model.chatFormat().encodeUserTurn(null, " Now make it subtract.", false).length);
        assertThat(second.stats().contextTokens()).isGreaterThan(first.stats().contextTokens());

        Reply again = chat.regenerate(sampled(3), new CancellationToken(), null);
        assertThat(again.stats().promptTokens()).isZero(); // from the checkpoint taken when the prompt was read
        assertThat(chat.turnCount()).isEqualTo(2);
        assertThat(chat.alternativeCount(1)).isEqualTo(2);
        assertThat(chat.selectedAlternative(1)).isEqualTo(1);
        chat.selectAlternative(0);
        assertThat(chat.messages().getLast().content()).isEqualTo(second.text());
        assertThat(chat.userText(0)).isEqualTo("Write a function that adds two numbers.");

        ContextFigures context = chat.context();
        assertThat(context.tokens()).isPositive();
        assertThat(context.stateBytes()).isPresent();
        assertThat(context.stateBytes().getAsLong()).isPositive();
        assertThat(context.checkpoints()).isPositive();
    }

    @Test
    void editReadsOnlyTheNewMessageAfterTheTurnBefore() {
        LocalBackend backend = backend("mamba2");
        Conversation chat = backend.open(true);
        chat.send("First question.", sampled(1), new CancellationToken(), null);
        chat.send("Second question.", sampled(2), new CancellationToken(), null);
        Reply edited = chat.edit(1, "Another second question.", sampled(3), new CancellationToken(), null);
        assertThat(edited.stats().promptTokens())
                .isEqualTo(backend.loaded().chatFormat().encodeUserTurn(null, "Another second question.", false).length);
        assertThat(chat.turnCount()).isEqualTo(2);
        assertThat(chat.userText(1)).isEqualTo("Another second question.");
    }

    @Test
    void aResumedConversationIsReadWholeByTheNextAnswer() {
        LocalBackend backend = backend("transformer");
        Conversation chat = backend.open(true);
        List<ChatMessage> history = List.of(ChatMessage.user("Hello"), ChatMessage.assistant("Hi there"));
        chat.resume("Be brief.", history);
        assertThat(chat.turnCount()).isEqualTo(1);
        Reply reply = chat.send("And now?", sampled(4), new CancellationToken(), null);
        assertThat(reply.stats().promptTokens()).isGreaterThan(
                backend.loaded().chatFormat().encodeUserTurn(null, "And now?", false).length);
        assertThat(chat.messages().getFirst()).isEqualTo(ChatMessage.system("Be brief."));
    }

    @Test
    void theListenerGetsEveryPieceAndTheSameFiguresAsTheReply() {
        Conversation chat = backend("mamba2").open(false);
        StringBuilder text = new StringBuilder();
        int[] tokens = {0};
        List<ReplyStats> finished = new ArrayList<>();
        Reply reply = chat.send("def add(a, b):", sampled(5), new CancellationToken(), new ReplyListener() {
            @Override public void onText(String piece, int count) {
                text.append(piece);
                tokens[0] += count;
            }
            @Override public void onFinished(ReplyStats stats) { finished.add(stats); }
        });
        assertThat(text.toString()).isEqualTo(reply.text());
        assertThat(tokens[0]).isEqualTo(reply.stats().completionTokens());
        assertThat(finished).containsExactly(reply.stats());
        assertThat(reply.stats().measuredAt()).isEqualTo(MeasuredAt.ENGINE);
        assertThat(reply.stats().tokenSource()).isEqualTo(ReplyStats.TokenSource.ENGINE);
        assertThat(reply.stats().remote()).isFalse();
    }

    @Test
    void anAnswerStoppedBeforeItsFirstWordLeavesTheConversationAsItWas() {
        Conversation chat = backend("mamba2").open(true);
        chat.send("Hello", sampled(1), new CancellationToken(), null);
        CancellationToken stopped = new CancellationToken();
        stopped.cancel();
        Reply reply = chat.send("Never answered", sampled(2), stopped, null);
        assertThat(reply.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(chat.turnCount()).isEqualTo(1);
    }

    @Test
    void editingATurnThatIsNotThereIsAClearError() {
        Conversation chat = backend("mamba2").open(true);
        assertThatThrownBy(() -> chat.edit(3, "x", sampled(1), new CancellationToken(), null))
                .isInstanceOf(BackendException.class).hasMessageContaining("no message 3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mamba2", "transformer"})
    void aProbeReadsExactlyThePromptAndReportsTheMedianOfItsRepeats(String kind) {
        LocalBackend backend = backend(kind);
        List<Integer> repeats = new ArrayList<>();
        int[] prefilled = {0};
        ProbeResult result = backend.probe(new ProbeRequest(40, 6, 3), new CancellationToken(), new ProbeListener() {
            @Override public void onPrefill(int done, int total) { prefilled[0] = done; }
            @Override public void onRepeat(int done) { repeats.add(done); }
        });
        ReplyStats s = result.stats();
        assertThat(repeats).containsExactly(1, 2, 3);
        assertThat(prefilled[0]).isEqualTo(40);
        assertThat(result.repeats()).isEqualTo(3);
        assertThat(s.promptTokens()).isEqualTo(40);
        assertThat(s.completionTokens()).isEqualTo(6);
        assertThat(s.contextTokens()).isEqualTo(40 + 5);
        assertThat(s.millisPerToken()).isEqualTo(Median.of(result.millisPerToken())).isPositive();
        assertThat(s.prefillMillis()).isPositive();
        assertThat(s.timeToFirstTokenMillis()).isGreaterThanOrEqualTo(s.prefillMillis());
        // the state's real size, which for these models is the architecture's formula at that context
        assertThat(s.stateBytes()).hasValue(backend.spec().orElseThrow().stateBytesAt(s.contextTokens()));
        assertThat(s.measuredAt()).isEqualTo(MeasuredAt.ENGINE);
    }

    @Test
    void aProbeCancelledBeforeItsFirstRepeatReturnsNothing() {
        CancellationToken cancel = new CancellationToken();
        cancel.cancel();
        assertThat(backend("mamba2").probe(new ProbeRequest(16, 4, 3), cancel, null)).isNull();
    }

    @Test
    void theProbePromptIsBosThenTheFillerCutToLength() {
        LocalBackend backend = backend("transformer");
        int[] prompt = backend.probePrompt(25);
        assertThat(prompt).hasSize(25);
        assertThat(prompt[0]).isEqualTo(backend.loaded().tokenizer().bos());
    }

    @Test
    void warmsUpOnceThenNoMore() {
        LocalBackend backend = backend("mamba2");
        assertThat(backend.warmUp("def f():", false, new CancellationToken())).isTrue();
        assertThat(backend.warmUp("def f():", false, new CancellationToken())).isFalse();
        CancellationToken cancelled = new CancellationToken();
        cancelled.cancel();
        assertThat(backend("transformer").warmUp("x", false, cancelled)).isFalse();
    }
}
