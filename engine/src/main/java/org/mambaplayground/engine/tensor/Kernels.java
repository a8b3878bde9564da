package org.mambaplayground.engine.tensor;

/**
 * The hot loops of both architectures: weight matrix times activations, reading weights in their stored
 * dtype. {@code w} is [rows, cols] row-major (PyTorch's Linear weight layout: out_features x in_features).
 */
public final class Kernels {
    private Kernels() {}

    /** out[r] = sum_c w[r, c] * x[c]. */
    public static void matvec(Tensor w, float[] x, float[] out) {
        int rows = (int) w.dim(0), cols = (int) w.dim(1);
        for (int r = 0; r < rows; r++) {
            float sum = 0f;
            long base = (long) r * cols;
            for (int c = 0; c < cols; c++) sum += w.get(base + c) * x[c];
            out[r] = sum;
        }
    }

    /** out[t, r] = sum_c w[r, c] * x[t, c] for t in [0, n): x is [n, cols], out is [n, rows], row-major. */
    public static void matmul(Tensor w, float[] x, float[] out, int n) {
        int rows = (int) w.dim(0), cols = (int) w.dim(1);
        for (int t = 0; t < n; t++) {
            for (int r = 0; r < rows; r++) {
                float sum = 0f;
                long base = (long) r * cols;
                for (int c = 0; c < cols; c++) sum += w.get(base + c) * x[t * cols + c];
                out[t * rows + r] = sum;
            }
        }
    }

    /** Copies row {@code row} of a [rows, cols] tensor into out (embedding lookup). */
    public static void row(Tensor w, int row, float[] out) {
        int cols = (int) w.dim(1);
        long base = (long) row * cols;
        for (int c = 0; c < cols; c++) out[c] = w.get(base + c);
    }
}
