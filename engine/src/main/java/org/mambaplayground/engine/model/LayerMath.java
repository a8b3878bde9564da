package org.mambaplayground.engine.model;

/**
 * Element-wise pieces shared by both architectures, on float32 activations. The weight-heavy work lives in
 * {@link org.mambaplayground.engine.tensor.Kernels}; these loops touch activations only.
 */
public final class LayerMath {
    private LayerMath() {}

    /** out[o + i] = x[xo + i] / rms(x[xo .. xo + n)) * weight[wo + i]. out may be x. */
    public static void rmsNorm(float[] out, int o, float[] x, int xo, float[] weight, int wo, int n, float eps) {
        double sumSquares = 0;
        for (int i = 0; i < n; i++) sumSquares += (double) x[xo + i] * x[xo + i];
        float scale = (float) (1.0 / Math.sqrt(sumSquares / n + eps));
        for (int i = 0; i < n; i++) out[o + i] = x[xo + i] * scale * weight[wo + i];
    }

    /** RMSNorm of each of {@code rows} rows of width {@code n}. */
    public static void rmsNormRows(float[] out, float[] x, float[] weight, int rows, int n, float eps) {
        for (int r = 0; r < rows; r++) rmsNorm(out, r * n, x, r * n, weight, 0, n, eps);
    }

    public static float silu(float x) { return x / (1f + (float) Math.exp(-x)); }

    /** log(1 + e^x), as PyTorch computes it: linear above 20 where exp would lose nothing but overflow. */
    public static float softplus(float x) { return x > 20f ? x : (float) Math.log1p(Math.exp(x)); }

    /** In-place softmax over v[from, to). */
    public static void softmax(float[] v, int from, int to) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) max = Math.max(max, v[i]);
        double sum = 0;
        for (int i = from; i < to; i++) {
            v[i] = (float) Math.exp(v[i] - max);
            sum += v[i];
        }
        float inv = (float) (1.0 / sum);
        for (int i = from; i < to; i++) v[i] *= inv;
    }

    public static void addInPlace(float[] acc, float[] x) {
        for (int i = 0; i < acc.length; i++) acc[i] += x[i];
    }

    /** Rejects a token id outside the vocabulary before it becomes an out-of-bounds read. */
    public static void checkToken(int token, int vocabularySize) {
        if (token < 0 || token >= vocabularySize) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary [0, " + vocabularySize + ")");
        }
    }
}
