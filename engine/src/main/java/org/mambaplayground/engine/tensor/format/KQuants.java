package org.mambaplayground.engine.tensor.format;

import static org.mambaplayground.engine.tensor.format.Simd.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;

/**
 * What llama.cpp's k-quants share: super-blocks of 256 weights, the 6-bit scales and mins of Q4_K and Q5_K
 * (packed into 12 bytes), and the prefill tile and axpy, which decode a super-block once into floats and reuse it
 * (the decode is a few operations a weight; the tile then multiplies each decoded weight by four tokens).
 */
final class KQuants {
    static final int BLOCK = 256;
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[2 * BLOCK]);

    private KQuants() {}

    /** One format's decoding of the super-block at byte {@code o} into 256 floats. */
    interface SuperBlock {
        void decodeBlock(MemorySegment seg, long o, float[] out, int outOff);
    }

    static int u8(MemorySegment seg, long o) { return seg.get(ValueLayout.JAVA_BYTE, o) & 0xFF; }

    /** Scale j (0..7) of the 12 packed bytes at {@code s}: ggml's get_scale_min_k4, first half. */
    static int scale(MemorySegment seg, long s, int j) {
        return j < 4 ? u8(seg, s + j) & 63 : (u8(seg, s + j + 4) & 0x0F) | (u8(seg, s + j - 4) >> 6) << 4;
    }

    /** Min j (0..7) of the 12 packed bytes at {@code s}: ggml's get_scale_min_k4, second half. */
    static int min(MemorySegment seg, long s, int j) {
        return j < 4 ? u8(seg, s + j + 4) & 63 : (u8(seg, s + j + 4) >> 4) | (u8(seg, s + j) >> 6) << 4;
    }

    /**
     * The eight scales d * scale_j and mins dmin * min_j of the super-block whose 12 packed bytes start at {@code s},
     * unpacked once per super-block (one call, not sixteen in the middle of the vector loop: each call there spills
     * every live vector register).
     */
    static void unpackScales(MemorySegment seg, long s, float d, float dmin, float[] scales, float[] mins) {
        for (int j = 0; j < 8; j++) {
            scales[j] = d * scale(seg, s, j);
            mins[j] = dmin * min(seg, s, j);
        }
    }

    /** Packs eight 6-bit scales and mins as {@link #scale} and {@link #min} read them. */
    static void packScales(int[] sc, int[] m, MemorySegment seg, long s) {
        for (int j = 0; j < 4; j++) {
            seg.set(ValueLayout.JAVA_BYTE, s + j, (byte) (sc[j] | (sc[j + 4] >> 4) << 6));
            seg.set(ValueLayout.JAVA_BYTE, s + j + 4, (byte) (m[j] | (m[j + 4] >> 4) << 6));
            seg.set(ValueLayout.JAVA_BYTE, s + j + 8, (byte) ((sc[j + 4] & 0x0F) | (m[j + 4] & 0x0F) << 4));
        }
    }

    /**
     * The scales of a Q4_K or Q5_K super-block (256 values from {@code src[from]}, values quantized to
     * {@code levels} + 1 steps): per sub-block of 32 an asymmetric fit, scale (max - min) / levels and min -min (at
     * least 0), both quantized to 6 bits against the super-block's d and dmin. Stores d, dmin and the packed scales
     * at {@code o}, leaves the 6-bit values in {@code sc} and {@code m} and returns {d, dmin} as stored. Not ggml's
     * iterative search (make_qkx2_quants): a plain min/max fit, so our files are valid k-quants but not bit-equal
     * to llama-quantize's.
     */
    static float[] encodeScales(float[] src, int from, int levels, MemorySegment dst, long o, int[] sc, int[] m) {
        float[] scales = new float[8], mins = new float[8];
        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < 8; j++) {
            float lo = 0, hi = 0;
            for (int i = 0; i < 32; i++) {
                lo = Math.min(lo, src[from + 32 * j + i]);
                hi = Math.max(hi, src[from + 32 * j + i]);
            }
            scales[j] = (hi - lo) / levels;
            mins[j] = -lo;
            maxScale = Math.max(maxScale, scales[j]);
            maxMin = Math.max(maxMin, mins[j]);
        }
        float d = Float.float16ToFloat(Float.floatToFloat16(maxScale / 63));
        float dmin = Float.float16ToFloat(Float.floatToFloat16(maxMin / 63));
        for (int j = 0; j < 8; j++) {
            sc[j] = d > 0 ? clamp(Math.round(scales[j] / d), 0, 63) : 0;
            m[j] = dmin > 0 ? clamp(Math.round(mins[j] / dmin), 0, 63) : 0;
        }
        dst.set(Simd.I16_LE, o, Float.floatToFloat16(d));
        dst.set(Simd.I16_LE, o + 2, Float.floatToFloat16(dmin));
        packScales(sc, m, dst, o + 4);
        return new float[] {d, dmin};
    }

    static int clamp(int v, int lo, int hi) { return Math.max(lo, Math.min(hi, v)); }

    static void decode(WeightFormat f, SuperBlock blocks, MemorySegment seg, long offset, float[] out, int outOff, int count) {
        Blocks.checkWhole(f, count);
        for (int b = 0; b < count / BLOCK; b++) blocks.decodeBlock(seg, offset + (long) b * f.blockBytes(), out, outOff + b * BLOCK);
    }

    static void axpy(WeightFormat f, SuperBlock blocks, float alpha, MemorySegment seg, long offset, float[] y, int yOff, int count) {
        Blocks.checkWhole(f, count);
        float[] w = SCRATCH.get();
        for (int b = 0; b < count / BLOCK; b++) {
            blocks.decodeBlock(seg, offset + (long) b * f.blockBytes(), w, 0);
            int yb = yOff + b * BLOCK;
            for (int i = 0; i < BLOCK; i += LANES) {
                Simd.x(w, i).fma(Simd.broadcast(alpha), Simd.x(y, yb + i)).intoArray(y, yb + i);
            }
        }
    }

    /** The 2 x 4 prefill tile: each super-block of both rows decoded once, then used for all four tokens. */
    static void dot2x4(WeightFormat f, SuperBlock blocks, MemorySegment seg, long row0, long rowBytes, float[] x, int t0,
                       int cols, float[] out, int rows, int r) {
        Blocks.checkWhole(f, cols);
        float[] w = SCRATCH.get();
        FloatVector a00 = Simd.zero(), a01 = Simd.zero(), a02 = Simd.zero(), a03 = Simd.zero();
        FloatVector a10 = Simd.zero(), a11 = Simd.zero(), a12 = Simd.zero(), a13 = Simd.zero();
        long row1 = row0 + rowBytes;
        int x0 = t0 * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        for (int b = 0; b < cols / BLOCK; b++) {
            blocks.decodeBlock(seg, row0 + (long) b * f.blockBytes(), w, 0);
            blocks.decodeBlock(seg, row1 + (long) b * f.blockBytes(), w, BLOCK);
            for (int i = 0; i < BLOCK; i += LANES) {
                int c = b * BLOCK + i;
                FloatVector w0 = Simd.x(w, i), w1 = Simd.x(w, BLOCK + i);
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
        }
        Simd.store2x4(out, rows, r, t0, Simd.sum(a00), Simd.sum(a01), Simd.sum(a02), Simd.sum(a03),
                Simd.sum(a10), Simd.sum(a11), Simd.sum(a12), Simd.sum(a13));
    }
}
