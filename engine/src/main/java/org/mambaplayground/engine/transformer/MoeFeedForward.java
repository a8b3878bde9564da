package org.mambaplayground.engine.transformer;

import java.util.concurrent.atomic.AtomicLong;
import org.mambaplayground.engine.model.Weights;
import org.mambaplayground.engine.tensor.Kernels;
import org.mambaplayground.engine.tensor.Tensor;

/**
 * A sparse mixture-of-experts feed-forward (Mixtral), in mistral-inference's order: router logits, the top
 * {@code num_experts_per_tok} of them, softmax over those chosen logits only, then the weighted sum of the chosen
 * experts' SwiGLU outputs (added in expert order). A batch is grouped by expert, so each expert's weights are read
 * once per batch, by the matrix kernels of whatever format they are stored in; experts no token chose are not read.
 */
final class MoeFeedForward {
    private final TransformerConfig c;
    private final Tensor router;
    private final Tensor[] w1, w2, w3;
    private final int perToken;
    /** Expert weight sets (w1, w2, w3 of one expert) read so far: what decode really touches. */
    private final AtomicLong expertsRead = new AtomicLong();

    MoeFeedForward(TransformerConfig c, Weights w, int layer) {
        this.c = c;
        TransformerTensors names = c.tensors();
        int experts = c.moe().experts();
        perToken = c.moe().expertsPerToken();
        router = w.tensor(names.router(layer));
        w1 = new Tensor[experts];
        w2 = new Tensor[experts];
        w3 = new Tensor[experts];
        for (int e = 0; e < experts; e++) {
            w1[e] = w.tensor(names.expertW1(layer, e));
            w2[e] = w.tensor(names.expertW2(layer, e));
            w3[e] = w.tensor(names.expertW3(layer, e));
        }
    }

    long expertsRead() { return expertsRead.get(); }

    /** The feed-forward of n normed rows h [n, dim]: a new [n, dim] array. */
    float[] forward(float[] h, int n) {
        int dim = c.dim(), experts = w1.length;
        float[] logits = project(router, h, n, experts);
        // chosen[t * experts + e]: whether token t runs through expert e; weight[...]: its softmax weight then.
        boolean[] chosen = new boolean[n * experts];
        float[] weight = new float[n * experts];
        int[] count = new int[experts];
        for (int t = 0; t < n; t++) route(logits, t * experts, chosen, weight, count);

        float[] out = new float[n * dim];
        for (int e = 0; e < experts; e++) {
            int m = count[e];
            if (m == 0) continue;
            int[] tokens = new int[m];
            float[] rows = new float[m * dim];
            for (int t = 0, r = 0; t < n; t++) {
                if (!chosen[t * experts + e]) continue;
                tokens[r] = t;
                System.arraycopy(h, t * dim, rows, r * dim, dim);
                r++;
            }
            float[] gate = project(w1[e], rows, m, c.hiddenDim()), up = project(w3[e], rows, m, c.hiddenDim());
            Kernels.swiGlu(up, gate, up.length);
            float[] down = project(w2[e], up, m, dim);
            for (int r = 0; r < m; r++) {
                float a = weight[tokens[r] * experts + e];
                for (int i = 0; i < dim; i++) out[tokens[r] * dim + i] += a * down[r * dim + i];
            }
            expertsRead.incrementAndGet();
        }
        return out;
    }

    /**
     * Chooses one token's experts, the {@code perToken} largest logits (ties go to the lower index), and stores the
     * softmax over those chosen logits as their weights.
     */
    private void route(float[] logits, int off, boolean[] chosen, float[] weight, int[] count) {
        int experts = w1.length;
        int[] top = new int[perToken];
        for (int j = 0; j < perToken; j++) {
            int best = -1;
            for (int e = 0; e < experts; e++) {
                if (chosen[off + e]) continue;
                if (best < 0 || logits[off + e] > logits[off + best]) best = e;
            }
            top[j] = best;
            chosen[off + best] = true;
        }
        float max = logits[off + top[0]];
        double sum = 0;
        for (int e : top) sum += Math.exp(logits[off + e] - max);
        for (int e : top) {
            weight[off + e] = (float) (Math.exp(logits[off + e] - max) / sum);
            count[e]++;
        }
    }

    /** w times each of n rows: the matrix kernel for several, the vector kernel for one. */
    private static float[] project(Tensor w, float[] in, int n, int rows) {
        float[] out = new float[n * rows];
        if (n == 1) Kernels.matvec(w, in, out);
        else Kernels.matmul(w, in, out, n);
        return out;
    }
}
