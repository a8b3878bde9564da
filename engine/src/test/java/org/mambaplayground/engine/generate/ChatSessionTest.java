package org.mambaplayground.engine.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.model.InferenceState;
import org.mambaplayground.engine.synthetic.SyntheticModelWriter;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.engine.tokenizer.ChatFormat;
import org.mambaplayground.engine.transformer.TransformerConfig;

/**
 * ChatSession on real model folders of both architectures (random weights, the demo models' tokenizers), the
 * model wrapped to count every token it reads: a conversation reads each of its tokens exactly once.
 */
class ChatSessionTest {
    static final Mamba2Config MAMBA = new Mamba2Config(64, 2, 4096, 1, true, true, true, 8, true, 16, 4, 2, 16, 16);
    static final TransformerConfig TRANSFORMER = new TransformerConfig(64, 2, 16, 160, 4, 2, 1e-5, 4096, 10000, 0, 0);
    static final String[] QUESTIONS = {"Write a function that adds two numbers.", " Now make it subtract.",
            "\nAnd multiply, with a test?", " Thanks! One more: divide."};

    @TempDir static Path dir;
    static LoadedModel mamba;
    static LoadedModel transformer;

    @BeforeAll
    static void load() {
        Path demo = Path.of("..", "assets", "src", "main", "resources", "org", "mambaplayground", "assets", "demo");
        SyntheticModelWriter.write(MAMBA, dir.resolve("mamba"), WeightFormat.F32, 3,
                demo.resolve("codestral-mamba-demo/tokenizer.model.v3"), bytes -> {}, () -> false);
        SyntheticModelWriter.write(TRANSFORMER, dir.resolve("nemo"), WeightFormat.F32, 4,
                demo.resolve("mistral-nemo-demo/tekken.json"), bytes -> {}, () -> false);
        mamba = ModelLoader.load(dir.resolve("mamba"), ModelLoader.Options.DEFAULT);
        transformer = ModelLoader.load(dir.resolve("nemo"), ModelLoader.Options.DEFAULT);
    }

    @AfterAll
    static void close() {
        if (mamba != null) mamba.close();
        if (transformer != null) transformer.close();
    }

    static Stream<Arguments> architecturesAndModes() {
        return Stream.of(Arguments.of("mamba2", true), Arguments.of("mamba2", false),
                Arguments.of("transformer", true), Arguments.of("transformer", false));
    }

    static LoadedModel model(String architecture) { return architecture.equals("mamba2") ? mamba : transformer; }

    /** Sampled (not greedy) so the answers are varied token sequences that re-encoding their text rarely gives back. */
    static SamplingOptions sampled(long seed) { return new SamplingOptions(1.0f, 1f, seed, 12); }

    record Setup(CountingModel counting, ChatSession session, ChatFormat format) {}

    static Setup setup(String architecture, boolean instruct) {
        LoadedModel m = model(architecture);
        CountingModel counting = new CountingModel(m.model());
        return new Setup(counting, new ChatSession(new Generator(counting, m.tokenizer(), 16), m.chatFormat(), instruct), m.chatFormat());
    }

    static int[] newTokens(Setup s, boolean instruct, String text, boolean first) {
        return instruct ? s.format().encodeUserTurn(null, text, first) : s.format().encodeCompletionPart(text, first);
    }

    @ParameterizedTest(name = "{0}, instruct {1}")
    @MethodSource("architecturesAndModes")
    void eachTurnReadsExactlyItsNewTokensAndTheWholeConversationIsReadOnce(String architecture, boolean instruct) {
        Setup s = setup(architecture, instruct);
        for (int turn = 0; turn < QUESTIONS.length; turn++) {
            long before = s.counting().prefilled;
            GenerationResult r = s.session().send(QUESTIONS[turn], sampled(turn), null, null);
            int expected = newTokens(s, instruct, QUESTIONS[turn], turn == 0).length;
            assertThat(r.stats().promptTokens()).as("turn %d's prompt", turn).isEqualTo(expected);
            // prefilled in a turn: its message, and at its end what the answer wrote but the state has not read
            // yet (the last sampled token when cut at max tokens, and in instruct mode the closing EOS)
            assertThat(s.counting().prefilled - before).as("turn %d", turn).isBetween((long) expected, expected + 2L);
        }
        int[] conversation = s.session().promptTokens();
        assertThat(s.counting().read()).as("every token of the conversation read once").isEqualTo(conversation.length);
        assertThat(s.session().state().consumed()).containsExactly(conversation);
        if (instruct) return; // below, an empty message adds nothing: that is so in completion mode only
        // the state is the one a fresh prefill of the conversation's tokens gives
        Generator plain = new Generator(model(architecture).model(), model(architecture).tokenizer(), 16);
        InferenceState fresh = model(architecture).model().newState();
        float[] reference = model(architecture).model().prefill(fresh, conversation);
        GenerationResult fromFresh = plain.generate(fresh, new int[0], reference, SamplingOptions.greedy(5), null, null, null);
        GenerationResult fromSession = s.session().send("", SamplingOptions.greedy(5), null, null);
        assertThat(fromSession.stats().promptTokens()).isZero();
        assertThat(fromSession.tokens()).containsExactly(fromFresh.tokens());
    }

    @Test
    void theConversationsTokensAreTheSampledOnesNotTheTextReEncoded() {
        Setup s = setup("mamba2", true);
        GenerationResult first = s.session().send(QUESTIONS[0], sampled(7), null, null);
        ConversationTokens c = s.session().conversation();
        int[] answer = c.answer(0).tokens();
        assertThat(java.util.Arrays.copyOf(answer, answer.length - 1)).containsExactly(first.tokens());
        assertThat(answer[answer.length - 1]).isEqualTo(mamba.tokenizer().eos());
        assertThat(c.answer(0).text()).isEqualTo(first.text()).isEqualTo(mamba.tokenizer().decode(first.tokens()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void turnByTurnTokensLayOutTheDialogAsTheChatFormatDoes(String architecture) {
        ChatFormat format = model(architecture).chatFormat();
        var tokenizer = model(architecture).tokenizer();
        // with answers that are their text encoded, the turns give exactly encodeDialog's tokens
        int[] turns = java.util.stream.Stream.of(format.encodeUserTurn("Be brief.", "Hi", true), tokenizer.encode("Hello!"),
                new int[] {format.endOfAnswer()}, format.encodeUserTurn(null, "2+2?", false)).flatMapToInt(java.util.Arrays::stream).toArray();
        int[] dialog = format.encodeDialog(List.of(org.mambaplayground.engine.tokenizer.ChatMessage.user("Be brief.\n\nHi"),
                org.mambaplayground.engine.tokenizer.ChatMessage.assistant("Hello!"), org.mambaplayground.engine.tokenizer.ChatMessage.user("2+2?")));
        assertThat(turns).containsExactly(dialog);
        // completion parts join without the tokenizer's start-of-text space
        int[] parts = java.util.stream.Stream.of(format.encodeCompletionPart("def f(x):", true), format.encodeCompletionPart("\n    return x", false))
                .flatMapToInt(java.util.Arrays::stream).toArray();
        assertThat(tokenizer.decode(parts)).isEqualTo(tokenizer.decode(format.encodeCompletion("def f(x):\n    return x")));
    }

    @Test
    void checkpointsGoLeastRecentlyUsedFirst() {
        StateCheckpoints store = new StateCheckpoints(2, Long.MAX_VALUE);
        InferenceState s = mamba.model().newState();
        store.add(new StateCheckpoints.Checkpoint(new int[] {1}, s.copy(), new float[] {1}));
        store.add(new StateCheckpoints.Checkpoint(new int[] {1, 2}, s.copy(), new float[] {2}));
        assertThat(store.logitsFor(new int[] {1})).containsExactly(1); // used: {1, 2} is now the oldest
        store.add(new StateCheckpoints.Checkpoint(new int[] {7}, s.copy(), new float[] {3}));
        assertThat(store.count()).isEqualTo(2);
        assertThat(store.logitsFor(new int[] {1, 2})).isNull();
        assertThat(store.longestCopyWithin(new int[] {1, 2, 3}, 3).tokens()).containsExactly(1);
        assertThat(store.bytes()).isEqualTo(2 * (s.bytes() + 4 + 4));
        // one that alone is over the byte limit is not kept
        StateCheckpoints tiny = new StateCheckpoints(4, s.bytes() - 1);
        tiny.add(new StateCheckpoints.Checkpoint(new int[] {1}, s.copy(), new float[] {1}));
        assertThat(tiny.count()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void regenerateReadsNoPromptTokenAndAlternativesStayReachable(String architecture) {
        Setup s = setup(architecture, true);
        s.session().send(QUESTIONS[0], sampled(1), null, null);
        s.session().send(QUESTIONS[1], sampled(2), null, null);
        ConversationTokens c = s.session().conversation();
        ConversationTokens.Part firstAnswer = c.answer(1);

        long read = s.counting().prefilled;
        GenerationResult again = s.session().regenerate(sampled(3), null, null);
        assertThat(again.stats().promptTokens()).isZero();
        // nothing prefilled but the new answer's end (its last sampled token and EOS)
        assertThat(s.counting().prefilled - read).isLessThanOrEqualTo(2);
        assertThat(c.alternativeCount(1)).isEqualTo(2);
        assertThat(c.selectedAlternative(1)).isEqualTo(1);
        assertThat(c.answer(1).text()).isEqualTo(again.text());

        // back to the first answer: the next turn goes on from it
        s.session().selectAlternative(0);
        assertThat(c.answer(1).tokens()).containsExactly(firstAnswer.tokens());
        GenerationResult next = s.session().send(QUESTIONS[2], sampled(4), null, null);
        int user = s.format().encodeUserTurn(null, QUESTIONS[2], false).length;
        // Mamba2 restores the copy taken at the end of the first answer; a KV cache rewinds to the prompt's end
        // and reads the first answer again (unless the two answers start alike)
        if (architecture.equals("mamba2")) assertThat(next.stats().promptTokens()).isEqualTo(user);
        else assertThat(next.stats().promptTokens()).isBetween(user, user + firstAnswer.length());
        assertThat(s.session().state().consumed()).startsWith(c.promptOf(2));
    }

    static Stream<String> architectures() { return Stream.of("mamba2", "transformer"); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void editingAnEarlierMessageResumesFromTheCheckpointBeforeIt(String architecture) {
        Setup s = setup(architecture, true);
        for (int turn = 0; turn < 3; turn++) s.session().send(QUESTIONS[turn], sampled(turn), null, null);
        ConversationTokens c = s.session().conversation();
        int[] beforeTurn1 = c.tokensBefore(1);
        int[] oldMessage = c.user(1).tokens();
        int[] newMessage = s.format().encodeUserTurn(null, "Make it subtract instead.", false);

        GenerationResult edited = s.session().edit(1, "Make it subtract instead.", SamplingOptions.greedy(6), null, null);
        // Mamba2 restores the copy taken at the end of turn 0; a KV cache rewinds to the longest common prefix,
        // which also keeps the start the old and new message share (at least [INST])
        int shared = java.util.Arrays.mismatch(oldMessage, newMessage);
        assertThat(shared).isPositive();
        assertThat(edited.stats().promptTokens()).isEqualTo(architecture.equals("mamba2") ? newMessage.length : newMessage.length - shared);
        assertThat(c.turnCount()).isEqualTo(2);
        assertThat(c.user(1).text()).isEqualTo("Make it subtract instead.");
        // the answer is the one a fresh state gives for the same tokens
        LoadedModel m = model(architecture);
        GenerationResult fresh = new Generator(m.model(), m.tokenizer(), 16).generate(m.model().newState(), c.promptOf(1),
                SamplingOptions.greedy(6), m.chatFormat().stopTokens(), null, null);
        assertThat(edited.tokens()).containsExactly(fresh.tokens());
        assertThat(c.tokensBefore(1)).containsExactly(beforeTurn1);
    }

    @Test
    void mamba2CheckpointsAreBoundedInCountAndBytes() {
        CountingModel counting = new CountingModel(mamba.model());
        long stateBytes = mamba.model().newState().bytes();
        long unit = stateBytes + 4L * MAMBA.vocabSize(); // a copy of the state and the logits there
        StateCheckpoints limits = new StateCheckpoints(3, 10 * unit);
        ChatSession session = new ChatSession(new Generator(counting, mamba.tokenizer(), 16), mamba.chatFormat(), true, limits);
        List<Long> bytes = new ArrayList<>();
        for (int turn = 0; turn < 3; turn++) {
            session.send(QUESTIONS[turn], sampled(turn), null, null);
            bytes.add(session.checkpoints().bytes());
        }
        assertThat(session.checkpoints().count()).isEqualTo(3); // two a turn, the oldest dropped
        int conversation = session.promptTokens().length;
        assertThat(bytes.getLast()).isGreaterThan(3 * unit).isLessThanOrEqualTo(3 * unit + 3L * 4 * conversation);

        StateCheckpoints small = new StateCheckpoints(8, unit * 5 / 2);
        ChatSession tight = new ChatSession(new Generator(counting, mamba.tokenizer(), 16), mamba.chatFormat(), true, small);
        for (int turn = 0; turn < 3; turn++) tight.send(QUESTIONS[turn], sampled(turn), null, null);
        assertThat(tight.checkpoints().count()).isEqualTo(2);
        assertThat(tight.checkpoints().bytes()).isLessThanOrEqualTo(small.maxBytes());

        ChatSession kv = setup("transformer", true).session();
        for (int turn = 0; turn < 3; turn++) kv.send(QUESTIONS[turn], sampled(turn), null, null);
        // a KV cache rewinds: its checkpoints hold no copy, only logits and tokens
        assertThat(kv.checkpoints().count()).isEqualTo(6);
        assertThat(kv.checkpoints().bytes()).isLessThan(7L * (TRANSFORMER.vocabSize() * 4L + 4096));
    }
}
