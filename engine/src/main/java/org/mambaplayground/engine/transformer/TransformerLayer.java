package org.mambaplayground.engine.transformer;

import java.lang.foreign.MemorySegment;
import org.mambaplayground.engine.model.LayerMath;
import org.mambaplayground.engine.model.Weights;
import org.mambaplayground.engine.tensor.Kernels;
import org.mambaplayground.engine.tensor.Tensor;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * One Mistral transformer block: x += wo(attention(RMSNorm(x))); x += w2(silu(w1 h) * w3 h) with
 * h = RMSNorm(x), or x += the mixture of experts of h ({@link MoeFeedForward}) in Mixtral. Runs n new tokens at once (n = 1 when decoding) after the positions the cache holds.
 */
final class TransformerLayer {
    private final TransformerConfig c;
    private final int index;
    private final Tensor wq, wk, wv, wo, w1, w2, w3;
    private final float[] attentionNorm, ffnNorm;
    /** Mixtral's sparse feed-forward in place of w1, w2, w3 (null for a dense block). */
    private final MoeFeedForward moe;

    TransformerLayer(TransformerConfig c, Weights w, int index) {
        this.c = c;
        this.index = index;
        TransformerTensors names = c.tensors();
        wq = w.tensor(names.wq(index));
        wk = w.tensor(names.wk(index));
        wv = w.tensor(names.wv(index));
        wo = w.tensor(names.wo(index));
        moe = c.hasMoe() ? new MoeFeedForward(c, w, index) : null;
        w1 = moe != null ? null : w.tensor(names.w1(index));
        w2 = moe != null ? null : w.tensor(names.w2(index));
        w3 = moe != null ? null : w.tensor(names.w3(index));
        attentionNorm = w.floats(names.attentionNorm(index));
        ffnNorm = w.floats(names.ffnNorm(index));
    }

    /**
     * Updates x [n, dim] in place for tokens at positions start .. start + n - 1, then stores their keys and
     * values in the cache (after attention, so a rolling buffer never loses a key a query still needs).
     */
    void forward(float[] x, int n, long start, KvCacheState cache, float[][] ropeTables, MemorySegment newK, MemorySegment newV) {
        int dim = c.dim(), qDim = c.qDim(), kvDim = c.kvDim();
        float eps = (float) c.normEps();
        float[] h = new float[n * dim];
        LayerMath.rmsNormRows(h, x, attentionNorm, n, dim, eps);
        float[] q = project(wq, h, n, qDim), k = project(wk, h, n, kvDim), v = project(wv, h, n, kvDim);
        for (int t = 0; t < n; t++) {
            Rope.rotate(q, t * qDim, c.nHeads(), c.headDim(), ropeTables[t]);
            Rope.rotate(k, t * kvDim, c.nKvHeads(), c.headDim(), ropeTables[t]);
        }
        // The new keys and values stored in the cache's format (into newK, newV: room for n tokens): the batch
        // attends to them exactly as later tokens will read them from the cache, so a prefill equals the same
        // tokens decoded one at a time.
        WeightFormat f = cache.format();
        f.encode(k, 0, newK, 0, n * kvDim);
        f.encode(v, 0, newV, 0, n * kvDim);
        float[] attended = attention(q, newK, newV, n, start, cache);
        long firstKept = c.hasSlidingWindow() ? Math.max(start, start + n - c.slidingWindow()) : start;
        long tokenBytes = f.bytes(kvDim);
        for (long pos = firstKept; pos < start + n; pos++) {
            cache.put(index, pos, newK, newV, (pos - start) * tokenBytes);
        }
        LayerMath.addInPlace(x, project(wo, attended, n, dim));

        LayerMath.rmsNormRows(h, x, ffnNorm, n, dim, eps);
        if (moe != null) {
            LayerMath.addInPlace(x, moe.forward(h, n));
            return;
        }
        float[] gate = project(w1, h, n, c.hiddenDim()), up = project(w3, h, n, c.hiddenDim());
        Kernels.swiGlu(up, gate, up.length);
        LayerMath.addInPlace(x, project(w2, up, n, dim));
    }

    /** Expert weight sets this block's mixture of experts has read so far (0 for a dense block). */
    long expertsRead() { return moe == null ? 0 : moe.expertsRead(); }

    /**
     * Causal grouped-query attention of n queries. The query at position i sees keys j in [i - window + 1, i]
     * (all j &le; i without a window): earlier ones from the cache, the new ones from k and v (n tokens, encoded
     * in the cache's format); see {@link CausalAttention}.
     */
    private float[] attention(float[] q, MemorySegment k, MemorySegment v, int n, long start, KvCacheState cache) {
        return new CausalAttention(c, index).attend(q, k, v, n, start, cache);
    }

    /** w times each of n rows: the matrix kernel for a prompt, the vector kernel for one token. */
    private static float[] project(Tensor w, float[] in, int n, int rows) {
        float[] out = new float[n * rows];
        if (n == 1) Kernels.matvec(w, in, out);
        else Kernels.matmul(w, in, out, n);
        return out;
    }
}
