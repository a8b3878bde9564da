package org.mambaplayground.engine.tensor;

/** Plain loops: the fallback when the Vector API module is not present. */
final class ScalarKernels {
    private ScalarKernels() {}

    static float dot(Tensor w, long first, float[] x, int xOff, int cols) {
        float sum = 0f;
        for (int c = 0; c < cols; c++) sum += w.get(first + c) * x[xOff + c];
        return sum;
    }

    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) sum += a[aOff + i] * b[bOff + i];
        return sum;
    }
}
