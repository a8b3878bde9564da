package org.mambaplayground.engine.tensor.format;

import java.lang.foreign.MemorySegment;

/**
 * What the block formats share: argument checks, ggml's rounding, and plain loops over {@link WeightFormat#get}
 * for vector shapes the block kernels do not cover (fewer than 8 or more than 16 float lanes).
 */
final class Blocks {
    private Blocks() {}

    static void checkWhole(WeightFormat f, int count) {
        if (count % f.blockElements() != 0) {
            throw new IllegalArgumentException(f.name() + " rows are whole blocks of " + f.blockElements() + " elements, not " + count);
        }
    }

    /** C's roundf: to the nearest integer, halves away from zero (Math.round sends -2.5 to -2). */
    static int roundHalfAway(float v) {
        float a = Math.abs(v);
        float t = (float) Math.floor(a);
        if (a - t >= 0.5f) t += 1; // exact: a - floor(a) is representable
        return (int) Math.copySign(t, v);
    }

    static void decodeScalar(WeightFormat f, MemorySegment seg, long offset, float[] out, int outOff, int count) {
        MemorySegment run = seg.asSlice(offset);
        for (int i = 0; i < count; i++) out[outOff + i] = f.get(run, i);
    }

    static float dotScalar(WeightFormat f, MemorySegment seg, long offset, float[] x, int xOff, int count) {
        MemorySegment run = seg.asSlice(offset);
        float sum = 0;
        for (int i = 0; i < count; i++) sum += f.get(run, i) * x[xOff + i];
        return sum;
    }

    static void axpyScalar(WeightFormat f, float alpha, MemorySegment seg, long offset, float[] y, int yOff, int count) {
        MemorySegment run = seg.asSlice(offset);
        for (int i = 0; i < count; i++) y[yOff + i] += alpha * f.get(run, i);
    }

    static void dot2x4Scalar(WeightFormat f, MemorySegment seg, long row0, long rowBytes, float[] x, int t0, int cols,
                             float[] out, int rows, int r) {
        for (int dr = 0; dr < 2; dr++) {
            for (int t = t0; t < t0 + 4; t++) out[t * rows + r + dr] = dotScalar(f, seg, row0 + dr * rowBytes, x, t * cols, cols);
        }
    }
}
