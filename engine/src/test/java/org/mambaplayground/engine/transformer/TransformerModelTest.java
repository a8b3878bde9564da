package org.mambaplayground.engine.transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mambaplayground.engine.model.Logits.assertClose;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mambaplayground.engine.model.Logits;
import org.mambaplayground.engine.model.RandomWeights;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * Batched prefill (matrix kernels, causal mask over cache and new keys) against one-token decode steps, with
 * a full cache and with a rolling sliding-window cache; copies; and the KV cache's size as the context grows.
 * Every test runs once per KV cache format: a batch attends to its own keys stored in the cache's format, so
 * the identities hold for F16, BF16 and Q8_0 caches as tightly as for F32.
 */
class TransformerModelTest {
    /**
     * Prefill against decode, for every KV format. The two differ only in the projections' kernels (matrix vs
     * vector: other summation orders); observed at most 4e-7 for each format. A last-bit difference could in
     * principle round a stored key the other way; these seeds do not.
     */
    static final double TOLERANCE = 2e-5;
    /**
     * The same arithmetic run twice: not always bit-identical, because the Vector API leaves the order of a
     * lane reduction open (interpreted and compiled code may differ), so allow the last float bits only.
     */
    static final double SAME_COMPUTATION = 1e-6;

    /** dim 64, 2 layers, 4 query heads sharing 2 KV heads of 32 (whole Q8_0 blocks), full attention. */
    static final TransformerConfig FULL = new TransformerConfig(64, 2, 32, 96, 4, 2, 1e-5, 53, 10_000.0, 0, 0);
    /** The same with a 12-token sliding window. */
    static final TransformerConfig WINDOWED = new TransformerConfig(64, 2, 32, 96, 4, 2, 1e-5, 53, 10_000.0, 12, 0);

    static TransformerModel model(TransformerConfig c, WeightFormat kv) {
        return new TransformerModel(c, new RandomWeights(c.tensorSpecs(), 11), kv);
    }

    static int[] tokens(int n, long seed) {
        Random r = new Random(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = r.nextInt(53);
        return t;
    }

    static Stream<WeightFormat> kvFormats() { return TransformerConfig.KV_FORMATS.stream(); }

    static Stream<Arguments> formatsAndLengths() {
        return kvFormats().flatMap(f -> Stream.of(1, 2, 11, 12, 13, 25, 40).map(n -> Arguments.of(f, n)));
    }

    @ParameterizedTest
    @MethodSource("formatsAndLengths")
    void prefillEqualsTokenByTokenDecode(WeightFormat kv, int n) {
        for (TransformerConfig c : new TransformerConfig[] {FULL, WINDOWED}) {
            TransformerModel m = model(c, kv);
            int[] prompt = tokens(n, n);
            KvCacheState prefilled = m.newState(), decoded = m.newState();
            float[] viaPrefill = m.prefill(prefilled, prompt);
            float[] viaDecode = null;
            for (int t : prompt) viaDecode = m.decode(decoded, t);
            String what = kv + " n=" + n + " window=" + c.slidingWindow();
            assertClose(viaPrefill, viaDecode, TOLERANCE, what);
            assertClose(m.decode(prefilled, 4), m.decode(decoded, 4), TOLERANCE, "next token, " + what);
            assertThat(prefilled.bytes()).isEqualTo(decoded.bytes());
        }
    }

    @ParameterizedTest
    @MethodSource("kvFormats")
    void promptLongerThanOneBatchEqualsDecode(WeightFormat kv) {
        int n = TransformerModel.MAX_PREFILL_TOKENS + 77;
        for (TransformerConfig c : new TransformerConfig[] {FULL, WINDOWED}) {
            TransformerModel m = model(c, kv);
            int[] prompt = tokens(n, 12);
            KvCacheState decoded = m.newState();
            float[] viaDecode = null;
            for (int t : prompt) viaDecode = m.decode(decoded, t);
            assertClose(m.prefill(m.newState(), prompt), viaDecode, TOLERANCE, kv + " n=" + n + " window=" + c.slidingWindow());
        }
    }

    @ParameterizedTest
    @MethodSource("kvFormats")
    void slidingWindowChangesResultsOnlyBeyondTheWindow(WeightFormat kv) {
        TransformerModel full = model(FULL, kv), windowed = model(WINDOWED, kv);
        int[] prompt = tokens(20, 3);
        // Within the window both models see the same keys ...
        assertClose(windowed.prefill(windowed.newState(), Arrays.copyOf(prompt, 12)),
                full.prefill(full.newState(), Arrays.copyOf(prompt, 12)), TOLERANCE, kv + " inside the window");
        // ... beyond it the windowed model forgets the oldest tokens, and its cache stops at the window.
        KvCacheState ws = windowed.newState();
        float[] a = windowed.prefill(ws, prompt), b = full.prefill(full.newState(), prompt);
        assertThat(Logits.relativeError(a, b)).as(kv.name()).isGreaterThan(1e-3);
        assertThat(ws.bytes()).isEqualTo(WINDOWED.stateBytesAt(12, kv)).isEqualTo(WINDOWED.stateBytesAt(20, kv));
    }

    @ParameterizedTest
    @MethodSource("kvFormats")
    void prefillInPiecesEqualsOnePrefill(WeightFormat kv) {
        for (TransformerConfig c : new TransformerConfig[] {FULL, WINDOWED}) {
            TransformerModel m = model(c, kv);
            int[] prompt = tokens(37, 5);
            float[] whole = m.prefill(m.newState(), prompt);
            for (int split : new int[] {1, 5, 12, 13, 30, 36}) {
                KvCacheState s = m.newState();
                m.prefill(s, Arrays.copyOfRange(prompt, 0, split));
                float[] pieces = m.prefill(s, Arrays.copyOfRange(prompt, split, prompt.length));
                assertClose(pieces, whole, TOLERANCE, kv + " split at " + split + ", window " + c.slidingWindow());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kvFormats")
    void copiedStateContinuesExactlyLikeTheOriginal(WeightFormat kv) {
        for (TransformerConfig c : new TransformerConfig[] {FULL, WINDOWED}) {
            TransformerModel m = model(c, kv);
            KvCacheState original = m.newState();
            m.prefill(original, tokens(20, 7));
            KvCacheState copy = original.copy();
            KvCacheState scratch = original.copy();
            m.prefill(scratch, tokens(9, 8));
            assertThat(copy.format()).isEqualTo(kv);
            for (int t : tokens(6, 9)) assertClose(m.decode(copy, t), m.decode(original, t), SAME_COMPUTATION, kv + " copy");
            assertThat(copy.bytes()).isEqualTo(original.bytes());
        }
    }

    /** One layer, one KV head of 32, allocated 32 tokens at a time: 2 x bytes(32) per token. */
    @ParameterizedTest
    @MethodSource("kvFormats")
    void kvCacheGrowsLinearlyAndStopsAtTheWindow(WeightFormat kv) {
        TransformerConfig full = new TransformerConfig(8, 1, 32, 8, 2, 1, 1e-5, 16, 10_000.0, 0, 0);
        TransformerConfig windowed = new TransformerConfig(8, 1, 32, 8, 2, 1, 1e-5, 16, 10_000.0, 1000, 0);
        long perToken = 2 * kv.bytes(32); // F32 256, F16 and BF16 128, Q8_0 68 (one 34-byte block each)
        assertThat(full.kvBytesPerToken(kv)).isEqualTo(perToken);
        TransformerModel fm = model(full, kv), wm = model(windowed, kv);
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
            assertThat(fs.bytes()).as("%s full cache at %d", kv, target)
                    .isEqualTo(allocatedTokens * perToken).isEqualTo(full.stateBytesAt(target, kv));
            assertThat(ws.bytes()).as("%s windowed cache at %d", kv, target)
                    .isEqualTo(Math.min(allocatedTokens, 1000) * perToken).isEqualTo(windowed.stateBytesAt(target, kv));
        }
        assertThat(ws.bytes()).isEqualTo(1000 * perToken);
        assertThat(fs.bytes()).isEqualTo(4096 * perToken);
    }

    @Test
    void anF16CacheHoldsHalfTheBytesOfF32() {
        TransformerModel f32 = model(FULL, WeightFormat.F32), f16 = model(FULL, WeightFormat.F16);
        KvCacheState a = f32.newState(), b = f16.newState();
        for (int n : new int[] {1, 31, 33, 64, 100}) {
            int[] piece = tokens(n, n);
            f32.prefill(a, piece);
            f16.prefill(b, piece);
            assertThat(b.bytes()).as("after %d more tokens", n).isPositive().isEqualTo(a.bytes() / 2);
        }
    }

    @Test
    void theDefaultCacheIsF16() {
        TransformerModel m = new TransformerModel(FULL, new RandomWeights(FULL.tensorSpecs(), 11));
        assertThat(m.kvFormat()).isEqualTo(TransformerConfig.DEFAULT_KV_FORMAT).isEqualTo(WeightFormat.F16);
        KvCacheState s = m.newState();
        m.prefill(s, tokens(40, 1));
        assertThat(s.format()).isEqualTo(WeightFormat.F16);
        assertThat(s.bytes()).isEqualTo(FULL.stateBytesAt(40)).isEqualTo(FULL.stateBytesAt(40, WeightFormat.F16));
    }
}
