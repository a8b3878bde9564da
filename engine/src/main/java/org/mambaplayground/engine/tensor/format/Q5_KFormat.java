package org.mambaplayground.engine.tensor.format;

import static org.mambaplayground.engine.tensor.format.Simd.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML's Q5_K: Q4_K with a fifth bit, 176 bytes for 256 weights (5.5 bits a weight): F16 d and dmin, 12 bytes of
 * 6-bit scales and mins, 32 bytes qh of high bits, 128 bytes of low nibbles. Weight l of sub-block j = 2c + h
 * takes its nibble as Q4_K does and its fifth bit from bit j of qh[l]; it is d * scale_j * q - dmin * min_j.
 */
public final class Q5_KFormat implements WeightFormat, KQuants.SuperBlock {
    static final Q5_KFormat INSTANCE = new Q5_KFormat();
    private static final int BLOCK = KQuants.BLOCK;
    private static final int BLOCK_BYTES = 176;
    private static final int SCALES = 4, QH = 16, QS = 48;

    private Q5_KFormat() {}

    @Override public String name() { return "Q5_K"; }
    @Override public int blockElements() { return BLOCK; }
    @Override public int blockBytes() { return BLOCK_BYTES; }
    @Override public int ggmlType() { return 13; }
    @Override public String toString() { return name(); }

    @Override
    public float get(MemorySegment seg, long index) {
        long o = index / BLOCK * BLOCK_BYTES;
        int e = (int) (index % BLOCK), c = e / 64, high = e % 64 / 32, l = e % 32, j = 2 * c + high;
        int packed = KQuants.u8(seg, o + QS + 32 * c + l);
        int q = (high == 0 ? packed & 0x0F : packed >> 4) | ((KQuants.u8(seg, o + QH + l) >> j) & 1) << 4;
        return Simd.f16(seg, o) * KQuants.scale(seg, o + SCALES, j) * q - Simd.f16(seg, o + 2) * KQuants.min(seg, o + SCALES, j);
    }

    @Override
    public void encode(float[] src, int srcOff, MemorySegment dst, long offset, int count) {
        Blocks.checkWhole(this, count);
        int[] sc = new int[8], m = new int[8];
        for (int b = 0; b < count / BLOCK; b++) {
            int from = srcOff + b * BLOCK;
            long o = offset + (long) b * BLOCK_BYTES;
            float[] stored = KQuants.encodeScales(src, from, 31, dst, o, sc, m);
            float d = stored[0], dmin = stored[1];
            int[] qh = new int[32];
            for (int c = 0; c < 4; c++) {
                int lo = 2 * c, hi = lo + 1;
                for (int l = 0; l < 32; l++) {
                    int q0 = level(src[from + 64 * c + l], d * sc[lo], dmin * m[lo]);
                    int q1 = level(src[from + 64 * c + 32 + l], d * sc[hi], dmin * m[hi]);
                    dst.set(ValueLayout.JAVA_BYTE, o + QS + 32 * c + l, (byte) ((q0 & 0x0F) | (q1 & 0x0F) << 4));
                    qh[l] |= (q0 >> 4) << lo | (q1 >> 4) << hi;
                }
            }
            for (int l = 0; l < 32; l++) dst.set(ValueLayout.JAVA_BYTE, o + QH + l, (byte) qh[l]);
        }
    }

    private static int level(float x, float scale, float min) {
        return scale > 0 ? KQuants.clamp(Math.round((x + min) / scale), 0, 31) : 0;
    }

    @Override
    public void decodeBlock(MemorySegment seg, long o, float[] out, int outOff) {
        if (!Simd.BYTE_LANES) {
            Blocks.decodeScalar(this, seg.asSlice(o, BLOCK_BYTES), 0, out, outOff, BLOCK);
            return;
        }
        float[] scales = new float[8], mins = new float[8];
        KQuants.unpackScales(seg, o + SCALES, Simd.f16(seg, o), Simd.f16(seg, o + 2), scales, mins);
        for (int l = 0; l < 32; l += LANES) {
            // the fifth bits of chunk c are bits 2c and 2c + 1: shifted down two at a time (constant shifts: a shift
            // by a loop variable is not compiled to a vector instruction here)
            IntVector high = (IntVector) jdk.incubator.vector.ByteVector.fromMemorySegment(Simd.B, seg, o + QH + l, Simd.LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, Simd.I, 0);
            for (int c = 0; c < 4; c++, high = high.lanewise(VectorOperators.LSHR, 2)) {
                IntVector packed = (IntVector) jdk.incubator.vector.ByteVector.fromMemorySegment(Simd.B, seg, o + QS + 32 * c + l, Simd.LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, Simd.I, 0);
                IntVector q0 = packed.and(0x0F).or(high.and(1).lanewise(VectorOperators.LSHL, 4));
                IntVector q1 = packed.lanewise(VectorOperators.LSHR, 4).or(high.and(2).lanewise(VectorOperators.LSHL, 3));
                q0.or(0x4B000000).reinterpretAsFloats().sub(0x1p23f).mul(scales[2 * c]).sub(mins[2 * c]).intoArray(out, outOff + 64 * c + l);
                q1.or(0x4B000000).reinterpretAsFloats().sub(0x1p23f).mul(scales[2 * c + 1]).sub(mins[2 * c + 1]).intoArray(out, outOff + 64 * c + 32 + l);
            }
        }
    }

    @Override
    public void decode(MemorySegment seg, long offset, float[] out, int outOff, int count) {
        KQuants.decode(this, this, seg, offset, out, outOff, count);
    }

    @Override
    public float dot(MemorySegment seg, long offset, float[] x, int xOff, int count) {
        Blocks.checkWhole(this, count);
        if (!Simd.BYTE_LANES) return Blocks.dotScalar(this, seg, offset, x, xOff, count);
        // Each weight decoded (one FMA: q * scale - min) and multiplied in (a second), the fifth bits shifted down two
        // at a time as in decodeBlock; written out, without helpers returning vectors, for C2 to keep them in registers.
        float[] scales = new float[8], mins = new float[8];
        FloatVector acc0 = Simd.zero(), acc1 = Simd.zero();
        for (int b = 0; b < count / BLOCK; b++) {
            long o = offset + (long) b * BLOCK_BYTES;
            int xb = xOff + b * BLOCK;
            KQuants.unpackScales(seg, o + SCALES, Simd.f16(seg, o), -Simd.f16(seg, o + 2), scales, mins);
            for (int l = 0; l < 32; l += LANES) {
                IntVector high = (IntVector) jdk.incubator.vector.ByteVector.fromMemorySegment(Simd.B, seg, o + QH + l, Simd.LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, Simd.I, 0);
                for (int c = 0; c < 4; c++, high = high.lanewise(VectorOperators.LSHR, 2)) {
                    IntVector packed = (IntVector) jdk.incubator.vector.ByteVector.fromMemorySegment(Simd.B, seg, o + QS + 32 * c + l, Simd.LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, Simd.I, 0);
                    FloatVector w0 = packed.and(0x0F).or(high.and(1).lanewise(VectorOperators.LSHL, 4)).or(0x4B000000)
                            .reinterpretAsFloats().sub(0x1p23f).fma(Simd.broadcast(scales[2 * c]), Simd.broadcast(mins[2 * c]));
                    FloatVector w1 = packed.lanewise(VectorOperators.LSHR, 4).or(high.and(2).lanewise(VectorOperators.LSHL, 3)).or(0x4B000000)
                            .reinterpretAsFloats().sub(0x1p23f).fma(Simd.broadcast(scales[2 * c + 1]), Simd.broadcast(mins[2 * c + 1]));
                    acc0 = w0.fma(FloatVector.fromArray(Simd.F, x, xb + 64 * c + l), acc0);
                    acc1 = w1.fma(FloatVector.fromArray(Simd.F, x, xb + 64 * c + 32 + l), acc1);
                }
            }
        }
        return Simd.sum(acc0.add(acc1));
    }

    @Override
    public void dot2x4(MemorySegment seg, long row0, long rowBytes, float[] x, int t0, int cols, float[] out, int rows, int r) {
        KQuants.dot2x4(this, this, seg, row0, rowBytes, x, t0, cols, out, rows, r);
    }

    @Override
    public void axpy(float alpha, MemorySegment seg, long offset, float[] y, int yOff, int count) {
        KQuants.axpy(this, this, alpha, seg, offset, y, yOff, count);
    }
}
