package org.mambaplayground.engine.tensor.format;

import static org.mambaplayground.engine.tensor.format.Simd.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * GGML's Q4_K: super-blocks of 256 weights in 144 bytes (4.5 bits a weight): F16 d and dmin, 12 bytes holding
 * eight 6-bit scales and eight 6-bit mins (one pair per sub-block of 32), then 128 bytes of 4-bit values q.
 * Weight l of sub-block j is d * scale_j * q - dmin * min_j; sub-blocks 2c and 2c + 1 share the 32 bytes at
 * 32c, the first in the low nibbles, the second in the high ones.
 */
public final class Q4_KFormat implements WeightFormat, KQuants.SuperBlock {
    static final Q4_KFormat INSTANCE = new Q4_KFormat();
    private static final int BLOCK = KQuants.BLOCK;
    private static final int BLOCK_BYTES = 144;
    private static final int SCALES = 4, QS = 16;

    private Q4_KFormat() {}

    @Override public String name() { return "Q4_K"; }
    @Override public int blockElements() { return BLOCK; }
    @Override public int blockBytes() { return BLOCK_BYTES; }
    @Override public int ggmlType() { return 12; }
    @Override public String toString() { return name(); }

    @Override
    public float get(MemorySegment seg, long index) {
        long o = index / BLOCK * BLOCK_BYTES;
        int e = (int) (index % BLOCK), c = e / 64, high = e % 64 / 32, l = e % 32, j = 2 * c + high;
        int packed = KQuants.u8(seg, o + QS + 32 * c + l);
        int q = high == 0 ? packed & 0x0F : packed >> 4;
        return Simd.f16(seg, o) * KQuants.scale(seg, o + SCALES, j) * q - Simd.f16(seg, o + 2) * KQuants.min(seg, o + SCALES, j);
    }

    @Override
    public void encode(float[] src, int srcOff, MemorySegment dst, long offset, int count) {
        Blocks.checkWhole(this, count);
        int[] sc = new int[8], m = new int[8];
        for (int b = 0; b < count / BLOCK; b++) {
            int from = srcOff + b * BLOCK;
            long o = offset + (long) b * BLOCK_BYTES;
            float[] stored = KQuants.encodeScales(src, from, 15, dst, o, sc, m);
            float d = stored[0], dmin = stored[1];
            for (int c = 0; c < 4; c++) {
                int lo = 2 * c, hi = lo + 1;
                for (int l = 0; l < 32; l++) {
                    int q0 = level(src[from + 64 * c + l], d * sc[lo], dmin * m[lo]);
                    int q1 = level(src[from + 64 * c + 32 + l], d * sc[hi], dmin * m[hi]);
                    dst.set(ValueLayout.JAVA_BYTE, o + QS + 32 * c + l, (byte) (q0 | q1 << 4));
                }
            }
        }
    }

    private static int level(float x, float scale, float min) {
        return scale > 0 ? KQuants.clamp(Math.round((x + min) / scale), 0, 15) : 0;
    }

    @Override
    public void decodeBlock(MemorySegment seg, long o, float[] out, int outOff) {
        if (!Simd.BYTE_LANES) {
            Blocks.decodeScalar(this, seg.asSlice(o, BLOCK_BYTES), 0, out, outOff, BLOCK);
            return;
        }
        float[] scales = new float[8], mins = new float[8];
        KQuants.unpackScales(seg, o + SCALES, Simd.f16(seg, o), Simd.f16(seg, o + 2), scales, mins);
        for (int c = 0; c < 4; c++) {
            float s0 = scales[2 * c], m0 = mins[2 * c], s1 = scales[2 * c + 1], m1 = mins[2 * c + 1];
            for (int l = 0; l < 32; l += LANES) {
                IntVector packed = (IntVector) jdk.incubator.vector.ByteVector.fromMemorySegment(Simd.B, seg, o + QS + 32 * c + l, Simd.LE)
                        .convertShape(jdk.incubator.vector.VectorOperators.ZERO_EXTEND_B2I, Simd.I, 0);
                packed.and(0x0F).or(0x4B000000).reinterpretAsFloats().sub(0x1p23f).mul(s0).sub(m0).intoArray(out, outOff + 64 * c + l);
                packed.lanewise(jdk.incubator.vector.VectorOperators.LSHR, 4).or(0x4B000000).reinterpretAsFloats().sub(0x1p23f)
                        .mul(s1).sub(m1).intoArray(out, outOff + 64 * c + 32 + l);
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
        // Each weight decoded (one FMA: q * scale - min) and multiplied in (a second); written out, without helpers
        // returning vectors, for C2 to keep everything in registers.
        float[] scales = new float[8], mins = new float[8];
        FloatVector acc0 = Simd.zero(), acc1 = Simd.zero();
        for (int b = 0; b < count / BLOCK; b++) {
            long o = offset + (long) b * BLOCK_BYTES;
            int xb = xOff + b * BLOCK;
            KQuants.unpackScales(seg, o + SCALES, Simd.f16(seg, o), -Simd.f16(seg, o + 2), scales, mins);
            for (int c = 0; c < 4; c++) {
                FloatVector s0 = Simd.broadcast(scales[2 * c]), m0 = Simd.broadcast(mins[2 * c]);
                FloatVector s1 = Simd.broadcast(scales[2 * c + 1]), m1 = Simd.broadcast(mins[2 * c + 1]);
                for (int l = 0; l < 32; l += LANES) {
                    IntVector packed = (IntVector) jdk.incubator.vector.ByteVector.fromMemorySegment(Simd.B, seg, o + QS + 32 * c + l, Simd.LE).convertShape(jdk.incubator.vector.VectorOperators.ZERO_EXTEND_B2I, Simd.I, 0);
                    FloatVector w0 = packed.and(0x0F).or(0x4B000000).reinterpretAsFloats().sub(0x1p23f).fma(s0, m0);
                    FloatVector w1 = packed.lanewise(jdk.incubator.vector.VectorOperators.LSHR, 4).or(0x4B000000).reinterpretAsFloats().sub(0x1p23f).fma(s1, m1);
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
