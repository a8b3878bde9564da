package org.mambaplayground.engine.transformer;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * The tiled, online-softmax attention against a plain double-precision softmax over every visible key, with keys
 * and values read back element by element through the cache format's scalar definition: odd head sizes (tails
 * past the vector lanes), several KV heads and query groups, contexts that end mid-block, single queries whose
 * keys are split over threads, and a rolling sliding-window cache.
 */
class CausalAttentionTest {
    private final SplittableRandom random = new SplittableRandom(7);

    @Test
    void matchesTheScalarSoftmaxAtOddSizes() {
        for (WeightFormat f : new WeightFormat[] {WeightFormat.F32, WeightFormat.F16, WeightFormat.BF16}) {
            // head_dim 40: two full vectors of 16 lanes and a tail; 3 KV heads of 2 queries each.
            TransformerConfig c = config(40, 6, 3, 0);
            check(c, f, 0, 1);
            check(c, f, 0, 37);
            check(c, f, 45, 19);
            check(c, f, 700, 1); // one query over 701 keys: split into ranges over the threads
            check(c, f, 301, 3);
        }
        // 2 KV heads of 6 queries: a decoded token's rows go four at a time, then the last two one by one.
        TransformerConfig six = config(40, 12, 2, 0);
        check(six, WeightFormat.F16, 700, 1);
        check(six, WeightFormat.F32, 33, 1);
        TransformerConfig q8 = config(64, 8, 1, 0); // Q8_0 needs whole blocks of 32; one KV head of 8 queries
        check(q8, WeightFormat.Q8_0, 77, 21);
        check(q8, WeightFormat.Q8_0, 600, 1);
        // Q8_0's token-major keys with groups of 4 and 6 queries: a decoded token's rows four at a time, then the rest
        TransformerConfig q8four = config(64, 8, 2, 0), q8six = config(32, 12, 2, 0);
        check(q8four, WeightFormat.Q8_0, 600, 1);
        check(q8four, WeightFormat.Q8_0, 45, 19);
        check(q8six, WeightFormat.Q8_0, 333, 1);
        check(q8six, WeightFormat.Q8_0, 0, 1);
    }

    @Test
    void aPromptAndItsTokensAttendedOneByOneGiveTheSameFloats() {
        // groups of 4 and 6 queries, head_dim 40 (a tail past whole pairs of vectors), contexts that end mid-block;
        // few enough keys that a token's are not split. F16 and BF16 read their full blocks in place, decoded.
        for (TransformerConfig c : new TransformerConfig[] {config(64, 8, 2, 0), config(32, 12, 2, 0), config(40, 8, 2, 0),
                config(32, 4, 2, 20)}) {
            for (WeightFormat f : new WeightFormat[] {WeightFormat.F16, WeightFormat.BF16, WeightFormat.F32, WeightFormat.Q8_0}) {
                if (f.fitsRow(c.headDim())) assertPromptEqualsTokensOneByOne(c, f, (short) 0, 0f);
            }
        }
    }

    @Test
    void anF16CacheHoldingAnInfinityOrAHugeQueryStillGivesTheDecodedFloats() {
        // An infinite value, which F16's in-place read would take for 65,536, and a query that its 2^112 operand
        // scale would overflow: decode must give what a prompt computes from decoded halves (infinity, one-hot).
        TransformerConfig c = config(64, 8, 2, 0);
        assertPromptEqualsTokensOneByOne(c, WeightFormat.F16, (short) 0x7C00, 0f);
        assertPromptEqualsTokensOneByOne(c, WeightFormat.F16, (short) 0, 1e6f);
    }

    /**
     * A prompt of 19 tokens after 45 cached ones against the same tokens attended one at a time: equal floats.
     * A non-zero {@code storedValue} is written as the bits of value element 0 of position 3; a non-zero
     * {@code queryElement} replaces every token's first query element.
     */
    private void assertPromptEqualsTokensOneByOne(TransformerConfig c, WeightFormat f, short storedValue, float queryElement) {
        int start = 45, n = 19, kvDim = c.kvDim(), qDim = c.qDim();
        long tokenBytes = f.bytes(kvDim);
        MemorySegment allK = KvCacheState.allocate((start + n) * tokenBytes), allV = KvCacheState.allocate((start + n) * tokenBytes);
        for (int p = 0; p < start + n; p++) {
            f.encode(randoms(kvDim), 0, allK, p * tokenBytes, kvDim);
            f.encode(randoms(kvDim), 0, allV, p * tokenBytes, kvDim);
        }
        if (storedValue != 0) allV.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 3 * tokenBytes, storedValue);
        float[] q = randoms(n * qDim);
        if (queryElement != 0) for (int t = 0; t < n; t++) q[t * qDim] = queryElement;
        CausalAttention attention = new CausalAttention(c, 0);
        KvCacheState prompt = new KvCacheState(c, f), oneByOne = new KvCacheState(c, f);
        prompt.reserve(start + n);
        oneByOne.reserve(start + n);
        for (int p = 0; p < start; p++) {
            prompt.put(0, p, allK, allV, p * tokenBytes);
            oneByOne.put(0, p, allK, allV, p * tokenBytes);
        }
        float[] all = attention.attend(q, allK.asSlice(start * tokenBytes), allV.asSlice(start * tokenBytes), n, start, prompt);
        for (int t = 0; t < n; t++) {
            long p = start + t;
            float[] one = attention.attend(java.util.Arrays.copyOfRange(q, t * qDim, (t + 1) * qDim),
                    allK.asSlice(p * tokenBytes, tokenBytes), allV.asSlice(p * tokenBytes, tokenBytes), 1, p, oneByOne);
            oneByOne.put(0, p, allK, allV, p * tokenBytes);
            assertThat(one).as("%s head_dim %d window %d: token %d of the prompt", f, c.headDim(), c.slidingWindow(), t)
                    .containsExactly(java.util.Arrays.copyOfRange(all, t * qDim, (t + 1) * qDim));
        }
    }

    @Test
    void slidingWindowReadsTheRollingBufferInPlace() {
        TransformerConfig c = config(24, 4, 2, 50);
        check(c, WeightFormat.F32, 130, 1);  // the window wrapped around the 50 slots more than twice
        check(c, WeightFormat.F16, 83, 17);  // a batch whose queries see partly cached, partly new keys
        check(c, WeightFormat.F32, 20, 45);  // a batch longer than what is cached, shorter than the window
        TransformerConfig q8 = config(32, 4, 2, 50);
        check(q8, WeightFormat.Q8_0, 130, 1);
        check(q8, WeightFormat.Q8_0, 83, 17);
    }

    private static TransformerConfig config(int headDim, int heads, int kvHeads, int window) {
        return new TransformerConfig(heads * headDim, 1, headDim, 64, heads, kvHeads, 1e-5, 100, 1e4, window, 0);
    }

    /** n new queries after {@code start} cached positions of random keys and values. */
    private void check(TransformerConfig c, WeightFormat f, int start, int n) {
        int kvDim = c.kvDim(), qDim = c.qDim(), hd = c.headDim(), group = c.queriesPerKvHead();
        long tokenBytes = f.bytes(kvDim);
        KvCacheState cache = new KvCacheState(c, f);
        cache.reserve(start + n);
        // Every position's key and value, encoded, kept here for the reference (the cache may overwrite slots).
        int total = start + n;
        MemorySegment allK = KvCacheState.allocate(total * tokenBytes), allV = KvCacheState.allocate(total * tokenBytes);
        for (int p = 0; p < total; p++) {
            f.encode(randoms(kvDim), 0, allK, p * tokenBytes, kvDim);
            f.encode(randoms(kvDim), 0, allV, p * tokenBytes, kvDim);
            if (p < start) cache.put(0, p, allK, allV, p * tokenBytes);
        }
        MemorySegment newK = allK.asSlice(start * tokenBytes), newV = allV.asSlice(start * tokenBytes);
        float[] q = randoms(n * qDim);
        float[] out = new CausalAttention(c, 0).attend(q, newK, newV, n, start, cache);

        double scale = 1 / Math.sqrt(hd);
        for (int t = 0; t < n; t++) {
            long i = start + t;
            int first = (int) (c.hasSlidingWindow() ? Math.max(0, i - c.slidingWindow() + 1) : 0);
            for (int head = 0; head < c.nHeads(); head++) {
                int kvHead = head / group, qo = t * qDim + head * hd;
                double[] scores = new double[(int) i - first + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = first; j <= i; j++) {
                    double dot = 0;
                    for (int d = 0; d < hd; d++) dot += q[qo + d] * element(f, allK, (long) j * kvDim + kvHead * hd + d);
                    scores[j - first] = dot * scale;
                    max = Math.max(max, scores[j - first]);
                }
                double sum = 0;
                for (int s = 0; s < scores.length; s++) sum += scores[s] = Math.exp(scores[s] - max);
                for (int d = 0; d < hd; d++) {
                    double expected = 0;
                    for (int j = first; j <= i; j++) expected += scores[j - first] / sum * element(f, allV, (long) j * kvDim + kvHead * hd + d);
                    assertThat((double) out[qo + d]).as("%s start %d n %d: token %d head %d dim %d", f, start, n, t, head, d)
                            .isCloseTo(expected, org.assertj.core.data.Offset.offset(2e-5));
                }
            }
        }
    }

    private static double element(WeightFormat f, MemorySegment seg, long index) { return f.get(seg, index); }

    private float[] randoms(int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) v[i] = (float) random.nextGaussian();
        return v;
    }
}
