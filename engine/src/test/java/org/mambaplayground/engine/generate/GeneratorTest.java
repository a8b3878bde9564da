package org.mambaplayground.engine.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.model.InferenceState;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.model.Model;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.synthetic.SyntheticModelWriter;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.engine.tokenizer.ChatMessage;

/**
 * The Generator on a real model folder (SyntheticModelWriter + the demo SentencePiece tokenizer, opened by
 * ModelLoader), checked against an independent loop of single decode steps with argmax.
 */
class GeneratorTest {
    static final Mamba2Config SMALL = new Mamba2Config(64, 2, 4096, 1, true, true, true, 8, true, 16, 4, 2, 16, 16);

    @TempDir static Path dir;
    static LoadedModel loaded;
    static Model model;

    @BeforeAll
    static void load() {
        Path tokenizer = Path.of("..", "assets", "src", "main", "resources", "org", "mambaplayground", "assets", "demo",
                "codestral-mamba-demo", "tokenizer.model.v3");
        Path folder = dir.resolve("tiny-mamba");
        SyntheticModelWriter.write(SMALL, folder, WeightFormat.F32, 3, tokenizer, bytes -> {}, () -> false);
        loaded = ModelLoader.load(folder, ModelLoader.Options.DEFAULT);
        model = loaded.model();
    }

    @AfterAll
    static void close() { if (loaded != null) loaded.close(); }

    static int[] prompt(int n) {
        int[] p = loaded.chatFormat().encodeCompletion("Once upon a time, in a quiet village by the sea, there lived a fox who loved stories and songs.");
        assertThat(p.length).isGreaterThanOrEqualTo(n);
        return Arrays.copyOf(p, n);
    }

    /** The reference: every prompt token through decode(), then argmax and decode, token by token. */
    static int[] decodeLoop(int[] prompt, int count) {
        InferenceState state = model.newState();
        float[] logits = null;
        for (int t : prompt) logits = model.decode(state, t);
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            int best = 0;
            for (int v = 1; v < logits.length; v++) if (logits[v] > logits[best]) best = v;
            out[i] = best;
            logits = model.decode(state, best);
        }
        return out;
    }

    static Generator generator(int chunk) { return new Generator(model, loaded.tokenizer(), chunk); }

    @Test
    void thePrefillChunkGrowsForSmallModelsAndStaysAt128ForLargeOnes() {
        assertThat(Generator.prefillChunk(1_400_000)).as("a demo model").isEqualTo(1024);
        assertThat(Generator.prefillChunk(500_000_000)).as("a 1 GB BF16 bench model").isEqualTo(448);
        assertThat(Generator.prefillChunk(7_300_000_000L)).as("Codestral Mamba 7B").isEqualTo(128);
        assertThat(Generator.prefillChunk(12_200_000_000L)).as("Mistral Nemo 12B").isEqualTo(128);
        assertThat(new Generator(model, loaded.tokenizer()).prefillChunk())
                .isEqualTo(Generator.prefillChunk(model.spec().parametersPerToken())).isEqualTo(1024);
    }

    @Test
    void idsBeyondTheTokenizersVocabularyAreNeverSampled() {
        // A checkpoint padded to 8192 ids with the demo tokenizer's 4096 pieces (the loader accepts it)
        Mamba2Config padded = new Mamba2Config(64, 2, 8192, 1, true, true, true, 8, true, 16, 4, 2, 16, 16);
        Path tokenizer = Path.of("..", "assets", "src", "main", "resources", "org", "mambaplayground", "assets", "demo",
                "codestral-mamba-demo", "tokenizer.model.v3");
        Path folder = dir.resolve("padded-mamba");
        SyntheticModelWriter.write(padded, folder, WeightFormat.F32, 5, tokenizer, bytes -> {}, () -> false);
        try (LoadedModel wide = ModelLoader.load(folder, ModelLoader.Options.DEFAULT)) {
            int pieces = wide.tokenizer().vocabularySize();
            assertThat(pieces).isEqualTo(4096);
            int[] prompt = Arrays.copyOf(wide.chatFormat().encodeCompletion("Once upon a time, there lived a fox."), 6);
            // the reference: argmax over the first 4096 logits, token by token; and how often the full argmax fell outside
            InferenceState state = wide.model().newState();
            float[] logits = null;
            for (int t : prompt) logits = wide.model().decode(state, t);
            int[] expected = new int[32];
            int outside = 0;
            for (int i = 0; i < expected.length; i++) {
                if (Sampler.argmax(logits) >= pieces) outside++;
                expected[i] = Sampler.argmax(Arrays.copyOf(logits, pieces));
                logits = wide.model().decode(state, expected[i]);
            }
            assertThat(outside).as("random weights pick padding ids unless they are masked").isPositive();
            GenerationResult r = new Generator(wide.model(), wide.tokenizer(), 16)
                    .generate(wide.model().newState(), prompt, SamplingOptions.greedy(32), new int[0], null, null);
            assertThat(r.tokens()).containsExactly(expected);
            assertThat(r.text()).isEqualTo(wide.tokenizer().decode(expected));
        }
    }

    @Test
    void greedyTokensEqualAnIndependentDecodeLoopAcrossPrefillChunks() {
        int[] prompt = prompt(21);
        int[] expected = decodeLoop(prompt, 12);
        for (int chunk : new int[] {1, 4, 16, 128}) {
            List<int[]> progress = new ArrayList<>();
            List<Integer> streamed = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            GenerationResult r = generator(chunk).generate(model.newState(), prompt, SamplingOptions.greedy(12), new int[0], null,
                    new GenerationListener() {
                        @Override public void onPrefillProgress(int done, int total) { progress.add(new int[] {done, total}); }
                        @Override public void onToken(int token, String piece) {
                            if (token >= 0) streamed.add(token);
                            text.append(piece);
                        }
                    });
            assertThat(r.tokens()).as("chunk %d", chunk).containsExactly(expected);
            assertThat(streamed).containsExactly(Arrays.stream(expected).boxed().toArray(Integer[]::new));
            assertThat(r.text()).isEqualTo(text.toString()).isEqualTo(loaded.tokenizer().decode(expected));
            // progress: 0 first, then the end of every chunk
            assertThat(progress.getFirst()).containsExactly(0, 21);
            assertThat(progress.getLast()).containsExactly(21, 21);
            assertThat(progress).hasSize(1 + (21 + chunk - 1) / chunk);
            assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
        }
    }

    @Test
    void statsDescribeTheRun() {
        int[] prompt = prompt(20);
        InferenceState state = model.newState();
        GenerationStats s = generator(8).generate(state, prompt, SamplingOptions.greedy(10), null, null, null).stats();
        assertThat(s.promptTokens()).isEqualTo(20);
        assertThat(s.generatedTokens()).isEqualTo(10);
        // the last sampled token is returned, not fed: the state holds the prompt and 9 generated tokens
        assertThat(s.contextTokens()).isEqualTo(state.position()).isEqualTo(29);
        assertThat(s.stateBytes()).isEqualTo(state.bytes()).isPositive();
        assertThat(s.prefillMillis()).isPositive();
        assertThat(s.timeToFirstTokenMillis()).isGreaterThanOrEqualTo(s.prefillMillis());
        assertThat(s.millisPerToken()).isPositive();
        assertThat(s.tokensPerSecond()).isCloseTo(1000 / s.millisPerToken(), org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void aStopTokenEndsTheAnswerAndIsNotPartOfIt() {
        int[] prompt = prompt(15);
        int[] free = decodeLoop(prompt, 12);
        int k = 5;
        int stop = free[k];
        int first = 0;
        while (free[first] != stop) first++;
        GenerationResult r = generator(16).generate(model.newState(), prompt, SamplingOptions.greedy(12), new int[] {stop}, null, null);
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r.tokens()).containsExactly(Arrays.copyOf(free, first));
    }

    @Test
    void cancellingStopsBetweenTokensAndBetweenPrefillChunks() {
        int[] prompt = prompt(20);
        CancellationToken cancel = new CancellationToken();
        int[] seen = {0};
        GenerationResult r = generator(4).generate(model.newState(), prompt, SamplingOptions.greedy(50), null, cancel,
                new GenerationListener() {
                    @Override public void onToken(int token, String text) { if (++seen[0] == 3) cancel.cancel(); }
                });
        assertThat(r.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(r.tokens()).hasSize(3);

        CancellationToken early = new CancellationToken();
        InferenceState state = model.newState();
        GenerationResult none = generator(4).generate(state, prompt, SamplingOptions.greedy(50), null, early,
                new GenerationListener() {
                    @Override public void onPrefillProgress(int done, int total) { if (done == 8) early.cancel(); }
                });
        assertThat(none.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(none.tokens()).isEmpty();
        assertThat(state.position()).isEqualTo(8); // two chunks ran, the rest never started
        assertThat(none.stats().promptTokens()).isEqualTo(8); // the tokens processed, not the prompt's length
    }

    @Test
    void sampledGenerationRepeatsWithItsSeed() {
        int[] prompt = prompt(10);
        int[] a = generator(8).generate(model.newState(), prompt, new SamplingOptions(1.2f, 0.95f, 99, 25), null, null, null).tokens();
        int[] b = generator(8).generate(model.newState(), prompt, new SamplingOptions(1.2f, 0.95f, 99, 25), null, null, null).tokens();
        int[] c = generator(8).generate(model.newState(), prompt, new SamplingOptions(1.2f, 0.95f, 100, 25), null, null, null).tokens();
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void reusableStateProcessesOnlyTheNewTail() {
        ReusableState cache = new ReusableState(model);
        int[] prompt = prompt(12);
        int[] tail = cache.prepare(Arrays.copyOf(prompt, 8)).tail();
        assertThat(tail).hasSize(8);
        GenerationResult r = generator(4).generate(cache.state(), tail, SamplingOptions.greedy(1), null, null, null);
        cache.advance(tail, r.tokens(), r.nextLogits());
        assertThat(cache.consumed()).isEqualTo(Arrays.copyOf(prompt, 8));
        assertThat(cache.prepare(prompt).tail()).containsExactly(Arrays.copyOfRange(prompt, 8, 12));
        assertThat(cache.state().position()).isEqualTo(8);
        int[] other = prompt.clone();
        other[2]++;
        assertThat(cache.prepare(other).tail()).isEqualTo(other); // a Mamba2 state diverges and has no checkpoint: starts over
        assertThat(cache.state().position()).isZero();
    }

    @Test
    void aTransformerStopsAtItsContextAndRefusesPromptsBeyondIt() {
        Path tekken = Path.of("..", "assets", "src", "main", "resources", "org", "mambaplayground", "assets", "demo",
                "mistral-nemo-demo", "tekken.json");
        var config = new org.mambaplayground.engine.transformer.TransformerConfig(64, 2, 16, 128, 4, 2, 1e-5, 4096, 1_000_000, 0, 40);
        Path folder = dir.resolve("tiny-nemo");
        SyntheticModelWriter.write(config, folder, WeightFormat.F32, 4, tekken, bytes -> {}, () -> false);
        try (LoadedModel nemo = ModelLoader.load(folder, ModelLoader.Options.DEFAULT)) {
            Generator g = new Generator(nemo.model(), nemo.tokenizer(), 16);
            int[] prompt = new int[30];
            java.util.Arrays.fill(prompt, 1, 30, 1000);
            prompt[0] = nemo.tokenizer().bos();
            InferenceState state = nemo.model().newState();
            GenerationResult r = g.generate(state, prompt, SamplingOptions.greedy(100), new int[0], null, null);
            assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(r.tokens()).hasSize(11); // 30 + 10 fed = 40 = the context; the 11th is sampled, never fed
            assertThat(state.position()).isEqualTo(40);
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> g.generate(nemo.model().newState(), new int[41], SamplingOptions.greedy(1), null, null, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("41 tokens").hasMessageContaining("context of 40");
        }
    }

    @Test
    void warmUpRunsTheModelOnAThrowawayStateAndCanBeCancelled() {
        int[] prompt = prompt(12);
        int[] before = decodeLoop(prompt, 5);
        assertThat(WarmUp.run(model, null)).isPositive();
        assertThat(decodeLoop(prompt, 5)).containsExactly(before); // nothing of it stays in the model
        CancellationToken cancelled = new CancellationToken();
        cancelled.cancel();
        assertThat(WarmUp.run(model, cancelled)).isLessThan(1000);
    }
}
