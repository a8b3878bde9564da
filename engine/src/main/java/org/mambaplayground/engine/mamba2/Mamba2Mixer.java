package org.mambaplayground.engine.mamba2;

import org.mambaplayground.engine.model.LayerMath;
import org.mambaplayground.engine.model.Weights;
import org.mambaplayground.engine.tensor.Kernels;
import org.mambaplayground.engine.tensor.Parallel;
import org.mambaplayground.engine.tensor.Tensor;

/**
 * One layer's Mamba2 mixer (mamba_ssm's {@code Mamba2} module): in_proj to [z, x, B, C, dt], causal depthwise
 * conv with SiLU over x, B and C, the selective scan, the gated RMSNorm norm(y * silu(z)) grouped by n_groups,
 * and out_proj. {@link #step} is the recurrent form for one token; {@link #forward} runs many tokens with
 * matrix kernels and the chunked {@link SsdScan}.
 */
final class Mamba2Mixer {
    private final Mamba2Config c;
    private final Tensor inProj;
    private final Tensor outProj;
    private final float[] convWeight; // [conv_dim, d_conv]
    private final float[] convBias;
    private final float[] dtBias;
    private final float[] a; // A = -exp(A_log), computed once in float32 as mamba_ssm does
    private final float[] d;
    private final float[] normWeight;
    private final SsdScan ssd;

    Mamba2Mixer(Mamba2Config c, Weights w, int layer) {
        this.c = c;
        Mamba2Tensors names = c.tensors();
        int heads = c.nHeads();
        inProj = w.tensor(names.inProj(layer));
        outProj = w.tensor(names.outProj(layer));
        convWeight = w.floats(names.convWeight(layer));
        convBias = w.floats(names.convBias(layer));
        dtBias = w.floats(names.dtBias(layer));
        float[] aLog = w.floats(names.aLog(layer));
        a = new float[heads];
        for (int h = 0; h < heads; h++) a[h] = (float) -Math.exp(aLog[h]);
        d = w.floats(names.d(layer));
        normWeight = w.floats(names.norm(layer));
        ssd = new SsdScan(c);
    }

    /** One token: hidden [dim] -> out [dim], updating this layer's conv history and SSM state. */
    void step(float[] hidden, float[] out, float[] conv, float[] ssm) {
        int inner = c.innerDim(), convDim = c.convDim(), k = c.dConv(), heads = c.nHeads();
        float[] zxbcdt = new float[c.inProjDim()];
        Kernels.matvec(inProj, hidden, zxbcdt);

        // Conv over the d_conv - 1 remembered inputs and this one, then shift this input into the history.
        float[] xbc = new float[convDim];
        for (int ch = 0; ch < convDim; ch++) {
            float input = zxbcdt[inner + ch];
            float sum = convBias[ch] + convWeight[ch * k + k - 1] * input;
            for (int j = 0; j < k - 1; j++) sum += convWeight[ch * k + j] * conv[j * convDim + ch];
            xbc[ch] = LayerMath.silu(sum);
        }
        if (k > 1) {
            System.arraycopy(conv, convDim, conv, 0, (k - 2) * convDim);
            System.arraycopy(zxbcdt, inner, conv, (k - 2) * convDim, convDim);
        }

        // Recurrent SSM update per head: S = exp(dt A) S + dt x B^T; y = S C + D x.
        int p = c.headDim(), nState = c.dState(), bBase = inner, cBase = inner + c.nGroups() * nState;
        float[] y = new float[inner];
        // Heads are independent: spread them over the kernel threads (the state is megabytes per layer).
        Parallel.forRange(heads, 1, (from, to) -> {
            for (int h = from; h < to; h++) {
                float dt = LayerMath.softplus(zxbcdt[inner + convDim + h] + dtBias[h]);
                float decay = (float) Math.exp(dt * a[h]);
                int g = h / c.headsPerGroup();
                for (int i = 0; i < p; i++) {
                    float x = xbc[h * p + i];
                    int si = (h * p + i) * nState;
                    y[h * p + i] = Kernels.decayAxpyDot(ssm, si, decay, dt * x, xbc, bBase + g * nState, xbc, cBase + g * nState, nState)
                            + d[h] * x;
                }
            }
        });
        gatedNorm(y, 0, zxbcdt, 0);
        Kernels.matvec(outProj, y, out);
    }

    /** Many tokens: hidden [n, dim] -> [n, dim], continuing from and updating the state. */
    float[] forward(float[] hidden, int n, float[] conv, float[] ssm) {
        int inner = c.innerDim(), convDim = c.convDim(), proj = c.inProjDim(), heads = c.nHeads();
        float[] zxbcdt = new float[n * proj];
        Kernels.matmul(inProj, hidden, zxbcdt, n);

        float[] xbc = causalConv(zxbcdt, n, conv);
        float[] dt = new float[n * heads];
        for (int t = 0; t < n; t++) {
            for (int h = 0; h < heads; h++) dt[t * heads + h] = LayerMath.softplus(zxbcdt[t * proj + inner + convDim + h] + dtBias[h]);
        }
        float[] y = new float[n * inner];
        ssd.scan(xbc, dt, a, d, ssm, y, n);
        for (int t = 0; t < n; t++) gatedNorm(y, t * inner, zxbcdt, t * proj);

        float[] out = new float[n * c.dim()];
        Kernels.matmul(outProj, y, out, n);
        return out;
    }

    /** Depthwise causal conv + SiLU over the x, B, C columns of n rows, then keeps the last inputs as history. */
    private float[] causalConv(float[] zxbcdt, int n, float[] conv) {
        int inner = c.innerDim(), convDim = c.convDim(), k = c.dConv(), proj = c.inProjDim(), hist = k - 1;
        float[] out = new float[n * convDim];
        for (int t = 0; t < n; t++) {
            for (int ch = 0; ch < convDim; ch++) {
                float sum = convBias[ch];
                for (int j = 0; j < k; j++) {
                    int time = t - hist + j; // negative times come from the remembered history
                    float input = time >= 0 ? zxbcdt[time * proj + inner + ch] : conv[(hist + time) * convDim + ch];
                    sum += convWeight[ch * k + j] * input;
                }
                out[t * convDim + ch] = LayerMath.silu(sum);
            }
        }
        float[] next = new float[conv.length];
        for (int j = 0; j < hist; j++) {
            int time = n - hist + j;
            for (int ch = 0; ch < convDim; ch++) {
                next[j * convDim + ch] = time >= 0 ? zxbcdt[time * proj + inner + ch] : conv[(hist + time) * convDim + ch];
            }
        }
        System.arraycopy(next, 0, conv, 0, conv.length);
        return out;
    }

    /** y = rmsnorm(y * silu(z)) * weight, normalised within each of the n_groups groups (norm_before_gate=False). */
    private void gatedNorm(float[] y, int yo, float[] zxbcdt, int zo) {
        int inner = c.innerDim();
        for (int i = 0; i < inner; i++) y[yo + i] *= LayerMath.silu(zxbcdt[zo + i]);
        int group = inner / c.nGroups();
        for (int g = 0; g < c.nGroups(); g++) {
            LayerMath.rmsNorm(y, yo + g * group, y, yo + g * group, normWeight, g * group, group, Mamba2Config.NORM_EPS);
        }
    }
}
