package org.mambaplayground.engine.mamba2;

import java.util.Arrays;
import org.mambaplayground.engine.tensor.Kernels;
import org.mambaplayground.engine.tensor.Parallel;

/**
 * The selective state-space scan of a whole prompt in the chunked "state space duality" form (Mamba-2 paper,
 * section 6): inside a chunk of L tokens the outputs are a masked matrix product (like causal attention with
 * decay weights), and only the chunk's final state is carried to the next chunk. Per head h, with
 * a_t = dt_t * A_h and cs_t = a_0 + ... + a_t (cumulative within the chunk):
 *
 * <pre>
 *   y_t   = exp(cs_t) * C_t . S_in                                  state from earlier chunks
 *         + sum_{s &lt;= t} (C_t . B_s) * exp(cs_t - cs_s) * dt_s * x_s   within the chunk
 *         + D_h * x_t                                                 skip
 *   S_out = exp(cs_last) * S_in + sum_s exp(cs_last - cs_s) * dt_s * x_s (outer) B_s
 * </pre>
 *
 * which equals the recurrence S_t = exp(a_t) S_{t-1} + dt_t x_t B_t, y_t = S_t C_t + D x_t token by token.
 * All exponents are of non-positive numbers (A &lt; 0, dt &gt; 0), so nothing overflows.
 */
final class SsdScan {
    /**
     * Longest chunk the scan takes, whatever the checkpoint's chunk_size (any length gives the same result; only
     * the work inside a chunk grows with it): 128 measured fastest of 64, 128 and 256 on the 1 GB bench model,
     * 1024-token prompts (docs/measurements/mamba2-chunk-size.txt).
     */
    static final int SCAN_CHUNK = 128;
    /** Outputs (tokens, or state rows) summed together, sharing the loads of the rows they weigh. */
    private static final int OUTPUTS = 4;

    private final Mamba2Config config;

    SsdScan(Mamba2Config config) { this.config = config; }

    /**
     * @param xbc   [n, conv_dim] conv outputs: x in [0, d_inner), B then C (n_groups * d_state each)
     * @param dt    [n, n_heads] step sizes after softplus
     * @param a     [n_heads] A = -exp(A_log)
     * @param d     [n_heads] skip weights
     * @param state [n_heads, head_dim, d_state], read and updated in place
     * @param y     [n, d_inner] outputs
     */
    void scan(float[] xbc, float[] dt, float[] a, float[] d, float[] state, float[] y, int n) {
        int chunk = Math.min(config.chunkSize(), SCAN_CHUNK);
        for (int start = 0; start < n; start += chunk) {
            int len = Math.min(chunk, n - start);
            float[][] cb = groupScores(xbc, start, len);
            final int s0 = start;
            Parallel.forRange(config.nHeads(), 1, (from, to) -> {
                for (int h = from; h < to; h++) scanHead(h, xbc, dt, a[h], d[h], state, y, s0, len, cb[h / config.headsPerGroup()]);
            });
        }
    }

    /** Per group, the lower triangle of C_t . B_s for t, s in the chunk ([len, len]); heads of a group share it. */
    private float[][] groupScores(float[] xbc, int start, int len) {
        int stride = config.convDim(), nState = config.dState();
        int bBase = config.innerDim(), cBase = bBase + config.nGroups() * nState;
        float[][] scores = new float[config.nGroups()][len * len];
        Parallel.forRange(config.nGroups() * len, 1, (from, to) -> {
            for (int gt = from; gt < to; gt++) {
                int g = gt / len, t = gt % len;
                int cRow = (start + t) * stride + cBase + g * nState;
                for (int s = 0; s <= t; s++) {
                    int bRow = (start + s) * stride + bBase + g * nState;
                    scores[g][t * len + s] = Kernels.dot(xbc, cRow, xbc, bRow, nState);
                }
            }
        });
        return scores;
    }

    private void scanHead(int h, float[] xbc, float[] dt, float a, float dSkip, float[] state, float[] y,
                          int start, int len, float[] cb) {
        int stride = config.convDim(), heads = config.nHeads(), p = config.headDim(), nState = config.dState();
        int g = h / config.headsPerGroup();
        int bBase = config.innerDim() + g * nState, cBase = config.innerDim() + config.nGroups() * nState + g * nState;
        int xBase = h * p, sBase = h * p * nState, inner = config.innerDim();

        float[] cs = new float[len], dtH = new float[len];
        float sum = 0f;
        for (int t = 0; t < len; t++) {
            dtH[t] = dt[(start + t) * heads + h];
            sum += dtH[t] * a;
            cs[t] = sum;
        }

        // The incoming state's part of every y_t, C_t . S_in, as weighted rows of the transposed state (S_in^T,
        // [d_state, head_dim]): no horizontal sums.
        float[] stateT = new float[nState * p];
        for (int i = 0; i < p; i++) {
            for (int k = 0; k < nState; k++) stateT[k * p + i] = state[sBase + i * nState + k];
        }
        // Within the chunk, y_t gathers the weighted x_s of the tokens up to t in one pass over them (the weights
        // first, then the rows, each output vector summed in a register). Four tokens at a time share each row's
        // loads; a token's weights past its own position are zeros, which add nothing.
        float[] acc = new float[OUTPUTS * p], weights = new float[OUTPUTS * len];
        int rows0 = start * stride;
        for (int t0 = 0; t0 < len; t0 += OUTPUTS) {
            int outputs = Math.min(OUTPUTS, len - t0), count = t0 + outputs;
            Arrays.fill(acc, 0f);
            Arrays.fill(weights, 0f);
            weighRows(outputs, xbc, (start + t0) * stride + cBase, stride, nState, stateT, 0, p, p, acc, 0, p);
            for (int u = 0; u < outputs; u++) {
                int t = t0 + u;
                float decayIn = (float) Math.exp(cs[t]);
                for (int i = 0; i < p; i++) acc[u * p + i] *= decayIn;
                Kernels.decayedWeights(cb, t * len, cs[t], cs, dtH, weights, u * len, t + 1);
            }
            weighRows(outputs, weights, 0, len, count, xbc, rows0 + xBase, stride, p, acc, 0, p);
            for (int u = 0; u < outputs; u++) {
                int row = (start + t0 + u) * stride, yRow = (start + t0 + u) * inner + xBase;
                for (int i = 0; i < p; i++) y[yRow + i] = acc[u * p + i] + dSkip * xbc[row + xBase + i];
            }
        }

        // The carried state, row by row: S[i] = exp(cs_last) S[i] + sum_s exp(cs_last - cs_s) dt_s x_s[i] B_s, four
        // rows at a time.
        float decayAll = (float) Math.exp(cs[len - 1]);
        float[] decayed = new float[len], ones = new float[len];
        Arrays.fill(ones, 1f);
        Kernels.decayedWeights(ones, 0, cs[len - 1], cs, dtH, decayed, 0, len);
        for (int i0 = 0; i0 < p; i0 += OUTPUTS) {
            int rowsNow = Math.min(OUTPUTS, p - i0);
            for (int u = 0; u < rowsNow; u++) {
                int si = sBase + (i0 + u) * nState;
                for (int k = 0; k < nState; k++) state[si + k] *= decayAll;
                for (int s = 0; s < len; s++) weights[u * len + s] = decayed[s] * xbc[rows0 + s * stride + xBase + i0 + u];
            }
            weighRows(rowsNow, weights, 0, len, len, xbc, rows0 + bBase, stride, nState, state, sBase + i0 * nState, nState);
        }
    }

    /**
     * {@code outputs} (at most {@link #OUTPUTS}) weighted-row sums: output u adds weights w[wOff + u * wStride ..] of
     * the rows into acc[accOff + u * accStride ..]; four at once when there are four, which gives the same floats.
     */
    private static void weighRows(int outputs, float[] w, int wOff, int wStride, int count, float[] rows, int rowOff,
                                  int stride, int n, float[] acc, int accOff, int accStride) {
        if (outputs == OUTPUTS) {
            Kernels.addWeightedRows4(w, wOff, wStride, count, rows, rowOff, stride, n, acc, accOff, accStride);
            return;
        }
        for (int u = 0; u < outputs; u++) {
            Kernels.addWeightedRows(w, wOff + u * wStride, count, rows, rowOff, stride, n, acc, accOff + u * accStride);
        }
    }
}
