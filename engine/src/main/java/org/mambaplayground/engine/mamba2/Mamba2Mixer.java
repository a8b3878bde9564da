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
    private final float[] convTaps; // [d_conv, conv_dim]: the checkpoint's [conv_dim, d_conv] weights by tap, for the vector loop
    private final float[] convBias;
    private final float[] dtBias;
    private final float[] a; // A = -exp(A_log), computed once in float32 as mamba_ssm does
    private final float[] d;
    private final float[] normWeight;
    private final SsdScan ssd;
    /** Tokens per chunk of the element-wise steps handed to the kernel threads. */
    private static final int TOKEN_GRAIN = 16;

    Mamba2Mixer(Mamba2Config c, Weights w, int layer) {
        this.c = c;
        Mamba2Tensors names = c.tensors();
        int heads = c.nHeads();
        inProj = w.tensor(names.inProj(layer));
        outProj = w.tensor(names.outProj(layer));
        float[] convWeight = w.floats(names.convWeight(layer));
        int k = c.dConv(), convDim = c.convDim();
        convTaps = new float[k * convDim];
        for (int ch = 0; ch < convDim; ch++) {
            for (int j = 0; j < k; j++) convTaps[j * convDim + ch] = convWeight[ch * k + j];
        }
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
        int inner = c.innerDim(), convDim = c.convDim(), heads = c.nHeads();
        float[] zxbcdt = new float[c.inProjDim()];
        Kernels.matvec(inProj, hidden, zxbcdt);

        // Conv over the d_conv - 1 remembered inputs and this one (the prompt's code with one token), which also
        // shifts this input into the history.
        float[] xbc = causalConv(zxbcdt, 1, conv);

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
        // Tokens are independent in the element-wise steps: spread them over the kernel threads too.
        Parallel.forRange(n, TOKEN_GRAIN, (from, to) -> {
            for (int t = from; t < to; t++) {
                for (int h = 0; h < heads; h++) dt[t * heads + h] = LayerMath.softplus(zxbcdt[t * proj + inner + convDim + h] + dtBias[h]);
            }
        });
        float[] y = new float[n * inner];
        ssd.scan(xbc, dt, a, d, ssm, y, n);
        Parallel.forRange(n, TOKEN_GRAIN, (from, to) -> {
            for (int t = from; t < to; t++) gatedNorm(y, t * inner, zxbcdt, t * proj);
        });

        float[] out = new float[n * c.dim()];
        Kernels.matmul(outProj, y, out, n);
        return out;
    }

    /** Depthwise causal conv + SiLU over the x, B, C columns of n rows, then keeps the last inputs as history. */
    private float[] causalConv(float[] zxbcdt, int n, float[] conv) {
        int inner = c.innerDim(), convDim = c.convDim(), k = c.dConv(), proj = c.inProjDim(), hist = k - 1;
        float[] out = new float[n * convDim];
        Parallel.forRange(n, TOKEN_GRAIN, (from, to) -> {
            for (int t = from; t < to; t++) {
                int o = t * convDim;
                System.arraycopy(convBias, 0, out, o, convDim);
                for (int j = 0; j < k; j++) {
                    int time = t - hist + j; // negative times come from the remembered history
                    if (time >= 0) Kernels.addProducts(convTaps, j * convDim, zxbcdt, time * proj + inner, out, o, convDim);
                    else Kernels.addProducts(convTaps, j * convDim, conv, (hist + time) * convDim, out, o, convDim);
                }
                Kernels.silu(out, o, convDim);
            }
        });
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
        Kernels.mulSilu(y, yo, zxbcdt, zo, inner);
        int group = inner / c.nGroups();
        for (int g = 0; g < c.nGroups(); g++) {
            LayerMath.rmsNorm(y, yo + g * group, y, yo + g * group, normWeight, g * group, group, Mamba2Config.NORM_EPS);
        }
    }
}
