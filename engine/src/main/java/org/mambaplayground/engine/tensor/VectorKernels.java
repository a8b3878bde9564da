package org.mambaplayground.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API dot products over weights read straight from their memory segment: F32 loaded directly,
 * BF16 widened by a 16-bit shift, F16 decoded with exponent re-biasing. Only {@link Kernels} calls this
 * (it falls back to scalar loops when the incubator module is absent).
 */
final class VectorKernels {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final int LANES = F.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    /** 2^112: moves a half-precision exponent (bias 15) placed in a float (bias 127) to its true value. */
    private static final float F16_REBIAS = 0x1p112f;
    /** Tokens that share one load and conversion of a weight vector in {@link #dot2x4}. */
    static final int TOKEN_BLOCK = 4;

    private VectorKernels() {}

    /** Whether the segment can be read with vector loads (off-heap or byte[]-backed). */
    static boolean vectorReadable(MemorySegment seg) {
        return seg.isNative() || seg.heapBase().map(b -> b instanceof byte[]).orElse(true);
    }

    // ---- weight loads: 'LANES' consecutive elements starting at element index 'e' of a row ----

    private static FloatVector loadBF16(MemorySegment seg, long byteOffset) {
        ShortVector s = ShortVector.fromMemorySegment(S, seg, byteOffset, LE);
        return ((IntVector) s.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static FloatVector loadF16(MemorySegment seg, long byteOffset) {
        ShortVector s = ShortVector.fromMemorySegment(S, seg, byteOffset, LE);
        IntVector h = (IntVector) s.convertShape(VectorOperators.S2I, I, 0);
        IntVector magnitudeBits = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
        IntVector bits = magnitudeBits.reinterpretAsFloats().mul(F16_REBIAS).reinterpretAsInts();
        VectorMask<Integer> infOrNaN = h.and(0x7C00).compare(VectorOperators.EQ, 0x7C00);
        bits = bits.blend(magnitudeBits.or(0x7F800000), infOrNaN);
        return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    private static FloatVector load(DType dtype, MemorySegment seg, long rowByteOffset, int e) {
        return switch (dtype) {
            case F32 -> FloatVector.fromMemorySegment(F, seg, rowByteOffset + 4L * e, LE);
            case BF16 -> loadBF16(seg, rowByteOffset + 2L * e);
            case F16 -> loadF16(seg, rowByteOffset + 2L * e);
        };
    }

    private static float scalar(DType dtype, MemorySegment seg, long rowByteOffset, int e) {
        return switch (dtype) {
            case F32 -> seg.get(F32_LE, rowByteOffset + 4L * e);
            case BF16 -> Float.intBitsToFloat((seg.get(I16_LE, rowByteOffset + 2L * e) & 0xFFFF) << 16);
            case F16 -> Float.float16ToFloat(seg.get(I16_LE, rowByteOffset + 2L * e));
        };
    }

    // ---- dot products of one weight row with activations ----

    /** sum_c w[row, c] * x[xOff + c], for a weight tensor of dtype {@code dtype} stored in {@code seg}. */
    static float dot(DType dtype, MemorySegment seg, long rowByteOffset, float[] x, int xOff, int cols) {
        return switch (dtype) {
            case F32 -> dotF32(seg, rowByteOffset, x, xOff, cols);
            case BF16 -> dotBF16(seg, rowByteOffset, x, xOff, cols);
            case F16 -> dotF16(seg, rowByteOffset, x, xOff, cols);
        };
    }

    // One method per dtype so each hot loop is a straight line the JIT vectorises without branches.

    private static float dotF32(MemorySegment seg, long row, float[] x, int xOff, int cols) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        int c = 0;
        for (int upper = cols - 2 * LANES; c <= upper; c += 2 * LANES) {
            acc0 = FloatVector.fromMemorySegment(F, seg, row + 4L * c, LE).fma(FloatVector.fromArray(F, x, xOff + c), acc0);
            acc1 = FloatVector.fromMemorySegment(F, seg, row + 4L * (c + LANES), LE).fma(FloatVector.fromArray(F, x, xOff + c + LANES), acc1);
        }
        for (int upper = cols - LANES; c <= upper; c += LANES) {
            acc0 = FloatVector.fromMemorySegment(F, seg, row + 4L * c, LE).fma(FloatVector.fromArray(F, x, xOff + c), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) sum += seg.get(F32_LE, row + 4L * c) * x[xOff + c];
        return sum;
    }

    private static float dotBF16(MemorySegment seg, long row, float[] x, int xOff, int cols) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        int c = 0;
        for (int upper = cols - 2 * LANES; c <= upper; c += 2 * LANES) {
            acc0 = loadBF16(seg, row + 2L * c).fma(FloatVector.fromArray(F, x, xOff + c), acc0);
            acc1 = loadBF16(seg, row + 2L * (c + LANES)).fma(FloatVector.fromArray(F, x, xOff + c + LANES), acc1);
        }
        for (int upper = cols - LANES; c <= upper; c += LANES) {
            acc0 = loadBF16(seg, row + 2L * c).fma(FloatVector.fromArray(F, x, xOff + c), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) sum += Float.intBitsToFloat((seg.get(I16_LE, row + 2L * c) & 0xFFFF) << 16) * x[xOff + c];
        return sum;
    }

    private static float dotF16(MemorySegment seg, long row, float[] x, int xOff, int cols) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        int c = 0;
        for (int upper = cols - 2 * LANES; c <= upper; c += 2 * LANES) {
            acc0 = loadF16(seg, row + 2L * c).fma(FloatVector.fromArray(F, x, xOff + c), acc0);
            acc1 = loadF16(seg, row + 2L * (c + LANES)).fma(FloatVector.fromArray(F, x, xOff + c + LANES), acc1);
        }
        for (int upper = cols - LANES; c <= upper; c += LANES) {
            acc0 = loadF16(seg, row + 2L * c).fma(FloatVector.fromArray(F, x, xOff + c), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) sum += Float.float16ToFloat(seg.get(I16_LE, row + 2L * c)) * x[xOff + c];
        return sum;
    }

    /**
     * Two weight rows (r, r + 1) times {@link #TOKEN_BLOCK} token rows (t0..t0+3): eight dot products
     * sharing every load, the register tile that keeps prefill compute-bound rather than load-bound.
     * One copy per dtype, so no branch (and no boxed vector) sits in the hot loop.
     */
    static void dot2x4(DType dtype, MemorySegment seg, long row0, long rowBytes, float[] x, int t0, int cols,
                       float[] out, int rows, int r) {
        switch (dtype) {
            case F32 -> dot2x4F32(seg, row0, rowBytes, x, t0, cols, out, rows, r);
            case BF16 -> dot2x4BF16(seg, row0, rowBytes, x, t0, cols, out, rows, r);
            case F16 -> dot2x4F16(seg, row0, rowBytes, x, t0, cols, out, rows, r);
        }
    }

    private static void dot2x4F32(MemorySegment seg, long row0, long rowBytes, float[] x, int t0, int cols,
                                  float[] out, int rows, int r) {
        FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F), a02 = FloatVector.zero(F), a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F), a12 = FloatVector.zero(F), a13 = FloatVector.zero(F);
        long row1 = row0 + rowBytes;
        int x0 = t0 * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        int c = 0;
        for (int upper = cols - LANES; c <= upper; c += LANES) {
            FloatVector w0 = FloatVector.fromMemorySegment(F, seg, row0 + 4L * c, LE);
            FloatVector w1 = FloatVector.fromMemorySegment(F, seg, row1 + 4L * c, LE);
            FloatVector v = FloatVector.fromArray(F, x, x0 + c);
            a00 = w0.fma(v, a00);
            a10 = w1.fma(v, a10);
            v = FloatVector.fromArray(F, x, x1 + c);
            a01 = w0.fma(v, a01);
            a11 = w1.fma(v, a11);
            v = FloatVector.fromArray(F, x, x2 + c);
            a02 = w0.fma(v, a02);
            a12 = w1.fma(v, a12);
            v = FloatVector.fromArray(F, x, x3 + c);
            a03 = w0.fma(v, a03);
            a13 = w1.fma(v, a13);
        }
        store2x4(DType.F32, seg, row0, row1, x, x0, cols, c, out, rows, r, t0,
                a00.reduceLanes(VectorOperators.ADD), a01.reduceLanes(VectorOperators.ADD),
                a02.reduceLanes(VectorOperators.ADD), a03.reduceLanes(VectorOperators.ADD),
                a10.reduceLanes(VectorOperators.ADD), a11.reduceLanes(VectorOperators.ADD),
                a12.reduceLanes(VectorOperators.ADD), a13.reduceLanes(VectorOperators.ADD));
    }

    private static void dot2x4BF16(MemorySegment seg, long row0, long rowBytes, float[] x, int t0, int cols,
                                  float[] out, int rows, int r) {
        FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F), a02 = FloatVector.zero(F), a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F), a12 = FloatVector.zero(F), a13 = FloatVector.zero(F);
        long row1 = row0 + rowBytes;
        int x0 = t0 * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        int c = 0;
        for (int upper = cols - LANES; c <= upper; c += LANES) {
            FloatVector w0 = loadBF16(seg, row0 + 2L * c);
            FloatVector w1 = loadBF16(seg, row1 + 2L * c);
            FloatVector v = FloatVector.fromArray(F, x, x0 + c);
            a00 = w0.fma(v, a00);
            a10 = w1.fma(v, a10);
            v = FloatVector.fromArray(F, x, x1 + c);
            a01 = w0.fma(v, a01);
            a11 = w1.fma(v, a11);
            v = FloatVector.fromArray(F, x, x2 + c);
            a02 = w0.fma(v, a02);
            a12 = w1.fma(v, a12);
            v = FloatVector.fromArray(F, x, x3 + c);
            a03 = w0.fma(v, a03);
            a13 = w1.fma(v, a13);
        }
        store2x4(DType.BF16, seg, row0, row1, x, x0, cols, c, out, rows, r, t0,
                a00.reduceLanes(VectorOperators.ADD), a01.reduceLanes(VectorOperators.ADD),
                a02.reduceLanes(VectorOperators.ADD), a03.reduceLanes(VectorOperators.ADD),
                a10.reduceLanes(VectorOperators.ADD), a11.reduceLanes(VectorOperators.ADD),
                a12.reduceLanes(VectorOperators.ADD), a13.reduceLanes(VectorOperators.ADD));
    }

    private static void dot2x4F16(MemorySegment seg, long row0, long rowBytes, float[] x, int t0, int cols,
                                  float[] out, int rows, int r) {
        FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F), a02 = FloatVector.zero(F), a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F), a12 = FloatVector.zero(F), a13 = FloatVector.zero(F);
        long row1 = row0 + rowBytes;
        int x0 = t0 * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        int c = 0;
        for (int upper = cols - LANES; c <= upper; c += LANES) {
            FloatVector w0 = loadF16(seg, row0 + 2L * c);
            FloatVector w1 = loadF16(seg, row1 + 2L * c);
            FloatVector v = FloatVector.fromArray(F, x, x0 + c);
            a00 = w0.fma(v, a00);
            a10 = w1.fma(v, a10);
            v = FloatVector.fromArray(F, x, x1 + c);
            a01 = w0.fma(v, a01);
            a11 = w1.fma(v, a11);
            v = FloatVector.fromArray(F, x, x2 + c);
            a02 = w0.fma(v, a02);
            a12 = w1.fma(v, a12);
            v = FloatVector.fromArray(F, x, x3 + c);
            a03 = w0.fma(v, a03);
            a13 = w1.fma(v, a13);
        }
        store2x4(DType.F16, seg, row0, row1, x, x0, cols, c, out, rows, r, t0,
                a00.reduceLanes(VectorOperators.ADD), a01.reduceLanes(VectorOperators.ADD),
                a02.reduceLanes(VectorOperators.ADD), a03.reduceLanes(VectorOperators.ADD),
                a10.reduceLanes(VectorOperators.ADD), a11.reduceLanes(VectorOperators.ADD),
                a12.reduceLanes(VectorOperators.ADD), a13.reduceLanes(VectorOperators.ADD));
    }

    /** Adds the scalar tail columns [c, cols) and stores the eight sums. */
    private static void store2x4(DType dtype, MemorySegment seg, long row0, long row1, float[] x, int x0, int cols, int c,
                                 float[] out, int rows, int r, int t0,
                                 float s00, float s01, float s02, float s03, float s10, float s11, float s12, float s13) {
        int x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        for (; c < cols; c++) {
            float w0 = scalar(dtype, seg, row0, c), w1 = scalar(dtype, seg, row1, c);
            s00 += w0 * x[x0 + c]; s01 += w0 * x[x1 + c]; s02 += w0 * x[x2 + c]; s03 += w0 * x[x3 + c];
            s10 += w1 * x[x0 + c]; s11 += w1 * x[x1 + c]; s12 += w1 * x[x2 + c]; s13 += w1 * x[x3 + c];
        }
        out[t0 * rows + r] = s00;
        out[(t0 + 1) * rows + r] = s01;
        out[(t0 + 2) * rows + r] = s02;
        out[(t0 + 3) * rows + r] = s03;
        out[t0 * rows + r + 1] = s10;
        out[(t0 + 1) * rows + r + 1] = s11;
        out[(t0 + 2) * rows + r + 1] = s12;
        out[(t0 + 3) * rows + r + 1] = s13;
    }

    /** Converts {@code count} elements starting at element {@code first} into out[outOff...]. */
    static void toFloats(DType dtype, MemorySegment seg, long first, float[] out, int outOff, int count) {
        long base = first * dtype.bytes();
        int c = 0;
        for (int upper = count - LANES; c <= upper; c += LANES) load(dtype, seg, base, c).intoArray(out, outOff + c);
        for (; c < count; c++) out[outOff + c] = scalar(dtype, seg, base, c);
    }

    // ---- float[] helpers for the architectures (attention, SSM) ----

    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int upper = n - LANES; i <= upper; i += LANES) {
            acc = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) sum += a[aOff + i] * b[bOff + i];
        return sum;
    }

    static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector a = FloatVector.broadcast(F, alpha);
        int i = 0;
        for (int upper = n - LANES; i <= upper; i += LANES) {
            FloatVector.fromArray(F, x, xOff + i).fma(a, FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    /** Sum of all floats in a (large) segment region: the memory-bandwidth probe's inner loop. */
    static float sumFloats(MemorySegment seg, long byteOffset, long count) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        long i = 0, step = 4L * LANES;
        for (long upper = count - step; i <= upper; i += step) {
            long o = byteOffset + 4 * i;
            a0 = a0.add(FloatVector.fromMemorySegment(F, seg, o, LE));
            a1 = a1.add(FloatVector.fromMemorySegment(F, seg, o + 4L * LANES, LE));
            a2 = a2.add(FloatVector.fromMemorySegment(F, seg, o + 8L * LANES, LE));
            a3 = a3.add(FloatVector.fromMemorySegment(F, seg, o + 12L * LANES, LE));
        }
        float sum = a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
        for (; i < count; i++) sum += seg.get(F32_LE, byteOffset + 4 * i);
        return sum;
    }
}
