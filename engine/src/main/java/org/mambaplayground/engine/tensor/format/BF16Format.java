package org.mambaplayground.engine.tensor.format;

import static org.mambaplayground.engine.tensor.format.Simd.LANES;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** bfloat16: the top 16 bits of a float, 2 bytes an element; stored rounding to nearest even, as PyTorch does. */
public final class BF16Format implements WeightFormat, InPlaceCacheFormat {
    static final BF16Format INSTANCE = new BF16Format();
    private static final int BYTES = 2;
    /** In-place reads: the sign-extended half shifted into a float's place, the bits above its own masked off. */
    private static final int IN_PLACE_SHIFT = 16, IN_PLACE_MASK = -1;

    private BF16Format() {}

    @Override public String name() { return "BF16"; }
    @Override public int blockElements() { return 1; }
    @Override public int blockBytes() { return BYTES; }
    @Override public int ggmlType() { return 30; }
    @Override public String toString() { return name(); }

    /** Read in place by the shift decode uses: the values themselves. */
    @Override public float operandScale() { return 1f; }

    @Override public boolean readsExactly(MemorySegment seg, long offset, long count) { return true; }

    @Override public boolean readsInPlace(int dims) { return HalfCacheKernels.fitsValues(dims); }

    @Override
    public void scores4(MemorySegment seg, long offset, int keys, float[] q, int qOff, int dims, float[] scores, int sOff) {
        HalfCacheKernels.scores4(seg, offset, keys, q, qOff, dims, scores, sOff, IN_PLACE_SHIFT, IN_PLACE_MASK);
    }

    @Override
    public void addWeighted4(float[] w, int wOff, int wStride, int count, MemorySegment seg, long offset, long chunkBytes,
                             int dims, float[] acc, int accOff, int accStride) {
        HalfCacheKernels.addWeighted4(w, wOff, wStride, count, seg, offset, chunkBytes, dims, acc, accOff, accStride,
                IN_PLACE_SHIFT, IN_PLACE_MASK);
    }

    @Override
    public float get(MemorySegment seg, long index) { return scalar(seg, BYTES * index); }

    private static float scalar(MemorySegment seg, long o) { return Float.intBitsToFloat((seg.get(Simd.I16_LE, o) & 0xFFFF) << 16); }

    private static FloatVector load(MemorySegment seg, long o) { return Simd.loadBF16(seg, o); }

    @Override
    public void encode(float[] src, int srcOff, MemorySegment dst, long offset, int count) {
        for (int i = 0; i < count; i++) {
            float v = src[srcOff + i];
            long o = offset + (long) BYTES * i;
            dst.set(Simd.I16_LE, o, toBFloat16(v));
        }
    }

    @Override
    public void decode(MemorySegment seg, long offset, float[] out, int outOff, int count) {
        int c = 0;
        for (int upper = count - LANES; c <= upper; c += LANES) load(seg, offset + (long) BYTES * c).intoArray(out, outOff + c);
        for (; c < count; c++) out[outOff + c] = scalar(seg, offset + (long) BYTES * c);
    }

    @Override
    public float dot(MemorySegment seg, long offset, float[] x, int xOff, int count) {
        FloatVector acc0 = Simd.zero(), acc1 = Simd.zero();
        int c = 0;
        for (int upper = count - 2 * LANES; c <= upper; c += 2 * LANES) {
            acc0 = load(seg, offset + (long) BYTES * c).fma(Simd.x(x, xOff + c), acc0);
            acc1 = load(seg, offset + (long) BYTES * (c + LANES)).fma(Simd.x(x, xOff + c + LANES), acc1);
        }
        for (int upper = count - LANES; c <= upper; c += LANES) {
            acc0 = load(seg, offset + (long) BYTES * c).fma(Simd.x(x, xOff + c), acc0);
        }
        float sum = Simd.sum(acc0.add(acc1));
        for (; c < count; c++) sum += scalar(seg, offset + (long) BYTES * c) * x[xOff + c];
        return sum;
    }

    @Override
    public void dot2x4(MemorySegment seg, long row0, long rowBytes, float[] x, int t0, int cols, float[] out, int rows, int r) {
        FloatVector a00 = Simd.zero(), a01 = Simd.zero(), a02 = Simd.zero(), a03 = Simd.zero();
        FloatVector a10 = Simd.zero(), a11 = Simd.zero(), a12 = Simd.zero(), a13 = Simd.zero();
        long row1 = row0 + rowBytes;
        int x0 = t0 * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        int c = 0;
        for (int upper = cols - LANES; c <= upper; c += LANES) {
            FloatVector w0 = load(seg, row0 + (long) BYTES * c), w1 = load(seg, row1 + (long) BYTES * c);
            FloatVector v = Simd.x(x, x0 + c);
            a00 = w0.fma(v, a00);
            a10 = w1.fma(v, a10);
            v = Simd.x(x, x1 + c);
            a01 = w0.fma(v, a01);
            a11 = w1.fma(v, a11);
            v = Simd.x(x, x2 + c);
            a02 = w0.fma(v, a02);
            a12 = w1.fma(v, a12);
            v = Simd.x(x, x3 + c);
            a03 = w0.fma(v, a03);
            a13 = w1.fma(v, a13);
        }
        float s00 = Simd.sum(a00), s01 = Simd.sum(a01), s02 = Simd.sum(a02), s03 = Simd.sum(a03);
        float s10 = Simd.sum(a10), s11 = Simd.sum(a11), s12 = Simd.sum(a12), s13 = Simd.sum(a13);
        for (; c < cols; c++) {
            float w0 = scalar(seg, row0 + (long) BYTES * c), w1 = scalar(seg, row1 + (long) BYTES * c);
            s00 += w0 * x[x0 + c]; s01 += w0 * x[x1 + c]; s02 += w0 * x[x2 + c]; s03 += w0 * x[x3 + c];
            s10 += w1 * x[x0 + c]; s11 += w1 * x[x1 + c]; s12 += w1 * x[x2 + c]; s13 += w1 * x[x3 + c];
        }
        Simd.store2x4(out, rows, r, t0, s00, s01, s02, s03, s10, s11, s12, s13);
    }

    @Override
    public void axpy(float alpha, MemorySegment seg, long offset, float[] y, int yOff, int count) {
        FloatVector a = FloatVector.broadcast(Simd.F, alpha);
        int c = 0;
        for (int upper = count - LANES; c <= upper; c += LANES) {
            load(seg, offset + (long) BYTES * c).fma(a, Simd.x(y, yOff + c)).intoArray(y, yOff + c);
        }
        for (; c < count; c++) y[yOff + c] += alpha * scalar(seg, offset + (long) BYTES * c);
    }

    /** Float to bfloat16 bits, rounding to nearest even (as PyTorch does); NaN stays a quiet NaN. */
    public static short toBFloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) return (short) ((bits >>> 16) | 0x0040);
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
