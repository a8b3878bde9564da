package org.mambaplayground.engine.transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mambaplayground.engine.model.Logits.assertClose;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mambaplayground.engine.model.RandomWeights;

/**
 * Batched prefill (matrix kernels, causal mask over cache and new keys) against one-token decode steps, with
 * a full cache and with a rolling sliding-window cache; copies; and the KV cache's size as the context grows.
 */
class TransformerModelTest {
    static final double TOLERANCE = 2e-5;
    /**
     * The same arithmetic run twice: not always bit-identical, because the Vector API leaves the order of a
     * lane reduction open (interpreted and compiled code may differ), so allow the last float bits only.
     */
    static final double SAME_COMPUTATION = 1e-6;

    /** dim 32, 2 layers, 4 query heads sharing 2 KV heads of 8, full attention. */
    static final TransformerConfig FULL = new TransformerConfig(32, 2, 8, 48, 4, 2, 1e-5, 53, 10_000.0, 0, 0);
    /** The same with a 12-token sliding window. */
    static final TransformerConfig WINDOWED = new TransformerConfig(32, 2, 8, 48, 4, 2, 1e-5, 53, 10_000.0, 12, 0);

    private static TransformerModel model(TransformerConfig c) {
        return new TransformerModel(c, new RandomWeights(c.tensorSpecs(), 11));
    }

    static int[] tokens(int n, long seed) {
        Random r = new Random(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = r.nextInt(53);
        return t;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 11, 12, 13, 25, 40})
    void prefillEqualsTokenByTokenDecode(int n) {
        for (TransformerConfig c : new TransformerConfig[] {FULL, WINDOWED}) {
            TransformerModel m = model(c);
            int[] prompt = tokens(n, n);
            KvCacheState prefilled = m.newState(), decoded = m.newState();
            float[] viaPrefill = m.prefill(prefilled, prompt);
            float[] viaDecode = null;
            for (int t : prompt) viaDecode = m.decode(decoded, t);
            String what = "n=" + n + " window=" + c.slidingWindow();
            assertClose(viaPrefill, viaDecode, TOLERANCE, what);
            assertClose(m.decode(prefilled, 4), m.decode(decoded, 4), TOLERANCE, "next token, " + what);
            assertThat(prefilled.bytes()).isEqualTo(decoded.bytes());
        }
    }

    @Test
    void promptLongerThanOneBatchEqualsDecode() {
        int n = TransformerModel.MAX_PREFILL_TOKENS + 77;
        for (TransformerConfig c : new TransformerConfig[] {FULL, WINDOWED}) {
            TransformerModel m = model(c);
            int[] prompt = tokens(n, 12);
            KvCacheState decoded = m.newState();
            float[] viaDecode = null;
            for (int t : prompt) viaDecode = m.decode(decoded, t);
            assertClose(m.prefill(m.newState(), prompt), viaDecode, TOLERANCE, "n=" + n + " window=" + c.slidingWindow());
        }
    }

    @Test
    void slidingWindowChangesResultsOnlyBeyondTheWindow() {
        TransformerModel full = model(FULL), windowed = model(WINDOWED);
        int[] prompt = tokens(20, 3);
        // Within the window both models see the same keys ...
        assertClose(windowed.prefill(windowed.newState(), Arrays.copyOf(prompt, 12)),
                full.prefill(full.newState(), Arrays.copyOf(prompt, 12)), TOLERANCE, "inside the window");
        // ... beyond it the windowed model forgets the oldest tokens.
        float[] a = windowed.prefill(windowed.newState(), prompt), b = full.prefill(full.newState(), prompt);
        assertThat(org.mambaplayground.engine.model.Logits.relativeError(a, b)).isGreaterThan(1e-3);
    }

    @Test
    void prefillInPiecesEqualsOnePrefill() {
        for (TransformerConfig c : new TransformerConfig[] {FULL, WINDOWED}) {
            TransformerModel m = model(c);
            int[] prompt = tokens(37, 5);
            float[] whole = m.prefill(m.newState(), prompt);
            for (int split : new int[] {1, 5, 12, 13, 30, 36}) {
                KvCacheState s = m.newState();
                m.prefill(s, Arrays.copyOfRange(prompt, 0, split));
                float[] pieces = m.prefill(s, Arrays.copyOfRange(prompt, split, prompt.length));
                assertClose(pieces, whole, TOLERANCE, "split at " + split + ", window " + c.slidingWindow());
            }
        }
    }

    @Test
    void copiedStateContinuesExactlyLikeTheOriginal() {
        for (TransformerConfig c : new TransformerConfig[] {FULL, WINDOWED}) {
            TransformerModel m = model(c);
            KvCacheState original = m.newState();
            m.prefill(original, tokens(20, 7));
            KvCacheState copy = original.copy();
            KvCacheState scratch = original.copy();
            m.prefill(scratch, tokens(9, 8));
            for (int t : tokens(6, 9)) assertClose(m.decode(copy, t), m.decode(original, t), SAME_COMPUTATION, "copy");
            assertThat(copy.bytes()).isEqualTo(original.bytes());
        }
    }

    @Test
    void kvCacheGrowsLinearlyAndStopsAtTheWindow() {
        // One layer, one KV head of 4: 2 x 4 floats = 32 bytes per token, allocated 32 tokens at a time.
        TransformerConfig full = new TransformerConfig(8, 1, 4, 8, 2, 1, 1e-5, 16, 10_000.0, 0, 0);
        TransformerConfig windowed = new TransformerConfig(8, 1, 4, 8, 2, 1, 1e-5, 16, 10_000.0, 1000, 0);
        long perToken = 2 * 4 * Float.BYTES;
        assertThat(full.kvBytesPerToken()).isEqualTo(perToken);
        TransformerModel fm = model(full), wm = model(windowed);
        KvCacheState fs = fm.newState(), ws = wm.newState();
        assertThat(fs.bytes()).isZero();
        Random r = new Random(1);
        int seen = 0;
        for (int target : new int[] {16, 100, 512, 1000, 1500, 4096}) {
            int[] piece = new int[target - seen];
            for (int i = 0; i < piece.length; i++) piece[i] = r.nextInt(16);
            for (int from = 0; from < piece.length; from += 256) {
                int[] part = Arrays.copyOfRange(piece, from, Math.min(piece.length, from + 256));
                fm.prefill(fs, part);
                wm.prefill(ws, part);
            }
            seen = target;
            long allocatedTokens = (target + 31) / 32 * 32;
            assertThat(fs.bytes()).as("full cache at %d", target)
                    .isEqualTo(allocatedTokens * perToken).isEqualTo(full.stateBytesAt(target));
            assertThat(ws.bytes()).as("windowed cache at %d", target)
                    .isEqualTo(Math.min(allocatedTokens, 1000) * perToken).isEqualTo(windowed.stateBytesAt(target));
        }
        assertThat(ws.bytes()).isEqualTo(1000 * perToken);
        assertThat(fs.bytes()).isEqualTo(4096 * perToken);
    }
}
