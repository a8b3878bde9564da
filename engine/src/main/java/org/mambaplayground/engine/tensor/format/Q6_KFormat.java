package org.mambaplayground.engine.tensor.format;

import static org.mambaplayground.engine.tensor.format.Simd.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML's Q6_K: 256 weights in 210 bytes (6.5625 bits a weight): 128 bytes ql of low nibbles, 64 bytes qh of
 * 2-bit high parts, 16 signed 8-bit scales (one per 16 weights), then the F16 d (last). In each half n of 128
 * weights, quarter k (32 weights, l = 0..31) takes its nibble from ql[64n + l + 32 (k odd)] (low for k &lt; 2,
 * high otherwise) and bits 2k..2k+1 of qh[32n + l]; the weight is d * scale[8n + l/16 + 2k] * (q - 32).
 */
public final class Q6_KFormat implements WeightFormat, KQuants.SuperBlock {
    static final Q6_KFormat INSTANCE = new Q6_KFormat();
    private static final int BLOCK = KQuants.BLOCK;
    private static final int BLOCK_BYTES = 210;
    private static final int QH = 128, SCALES = 192, D = 208;

    private Q6_KFormat() {}

    @Override public String name() { return "Q6_K"; }
    @Override public int blockElements() { return BLOCK; }
    @Override public int blockBytes() { return BLOCK_BYTES; }
    @Override public int ggmlType() { return 14; }
    @Override public String toString() { return name(); }

    private static int scale(MemorySegment seg, long o, int i) { return seg.get(ValueLayout.JAVA_BYTE, o + SCALES + i); }

    @Override
    public float get(MemorySegment seg, long index) {
        long o = index / BLOCK * BLOCK_BYTES;
        int e = (int) (index % BLOCK), n = e / 128, k = e % 128 / 32, l = e % 32;
        int packed = KQuants.u8(seg, o + 64 * n + l + (k & 1) * 32);
        int low = k < 2 ? packed & 0x0F : packed >> 4;
        int q = (low | ((KQuants.u8(seg, o + QH + 32 * n + l) >> 2 * k) & 3) << 4) - 32;
        return Simd.f16(seg, o + D) * scale(seg, o, 8 * n + l / 16 + 2 * k) * q;
    }

    @Override
    public void encode(float[] src, int srcOff, MemorySegment dst, long offset, int count) {
        Blocks.checkWhole(this, count);
        for (int b = 0; b < count / BLOCK; b++) {
            int from = srcOff + b * BLOCK;
            long o = offset + (long) b * BLOCK_BYTES;
            // Symmetric per 16 weights: scale = max|x| / 31; the scales themselves to 8 bits against d = max scale / 127.
            // (A plain fit, not ggml's make_qx_quants search: valid Q6_K, not bit-equal to llama-quantize.)
            float[] scales = new float[16];
            float maxScale = 0;
            for (int s = 0; s < 16; s++) {
                float amax = 0;
                for (int i = 0; i < 16; i++) amax = Math.max(amax, Math.abs(src[from + 16 * s + i]));
                scales[s] = amax / 31;
                maxScale = Math.max(maxScale, scales[s]);
            }
            float d = Float.float16ToFloat(Float.floatToFloat16(maxScale / 127));
            int[] sc = new int[16];
            for (int s = 0; s < 16; s++) {
                sc[s] = d > 0 ? KQuants.clamp(Math.round(scales[s] / d), -128, 127) : 0;
                dst.set(ValueLayout.JAVA_BYTE, o + SCALES + s, (byte) sc[s]);
            }
            dst.set(Simd.I16_LE, o + D, Float.floatToFloat16(d));
            byte[] ql = new byte[128], qh = new byte[64];
            for (int e = 0; e < BLOCK; e++) {
                int n = e / 128, k = e % 128 / 32, l = e % 32, s = 8 * n + l / 16 + 2 * k;
                float eff = d * sc[s];
                int q = (eff != 0 ? KQuants.clamp(Math.round(src[from + e] / eff), -32, 31) : 0) + 32;
                int qi = 64 * n + l + (k & 1) * 32;
                ql[qi] |= (byte) (k < 2 ? q & 0x0F : (q & 0x0F) << 4);
                qh[32 * n + l] |= (byte) ((q >> 4) << 2 * k);
            }
            MemorySegment.copy(ql, 0, dst, ValueLayout.JAVA_BYTE, o, 128);
            MemorySegment.copy(qh, 0, dst, ValueLayout.JAVA_BYTE, o + QH, 64);
        }
    }

    @Override
    public void decodeBlock(MemorySegment seg, long o, float[] out, int outOff) {
        if (!Simd.BYTE_LANES) {
            Blocks.decodeScalar(this, seg.asSlice(o, BLOCK_BYTES), 0, out, outOff, BLOCK);
            return;
        }
        float d = Simd.f16(seg, o + D);
        for (int n = 0; n < 2; n++) {
            for (int l = 0; l < 32; l += LANES) {
                IntVector h = (IntVector) jdk.incubator.vector.ByteVector.fromMemorySegment(Simd.B, seg, o + QH + 32 * n + l, Simd.LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, Simd.I, 0);
                for (int k = 0; k < 4; k++, h = h.lanewise(VectorOperators.LSHR, 2)) { // constant shifts (see Q5_K)
                    IntVector packed = (IntVector) jdk.incubator.vector.ByteVector.fromMemorySegment(Simd.B, seg, o + 64 * n + l + (k & 1) * 32, Simd.LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, Simd.I, 0);
                    IntVector nibbles = k < 2 ? packed.and(0x0F) : packed.lanewise(VectorOperators.LSHR, 4);
                    nibbles.or(h.and(3).lanewise(VectorOperators.LSHL, 4))
                            .or(0x4B000000).reinterpretAsFloats().sub(0x1p23f + 32).mul(d * scale(seg, o, 8 * n + l / 16 + 2 * k))
                            .intoArray(out, outOff + 128 * n + 32 * k + l);
                }
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
        // Quarters in pairs in a loop and the sixteen scales taken once a super-block: written out in full (four
        // quarters, two halves) the method grew past what C2 inlines into, and its vectors left the registers.
        float[] scales = new float[16];
        FloatVector acc0 = Simd.zero(), acc1 = Simd.zero();
        for (int b = 0; b < count / BLOCK; b++) {
            long o = offset + (long) b * BLOCK_BYTES;
            int xb = xOff + b * BLOCK;
            float d = Simd.f16(seg, o + D);
            for (int i = 0; i < 16; i++) scales[i] = d * seg.get(ValueLayout.JAVA_BYTE, o + SCALES + i);
            for (int n = 0; n < 2; n++) {
                for (int l = 0; l < 32; l += LANES) {
                    IntVector h = (IntVector) jdk.incubator.vector.ByteVector.fromMemorySegment(Simd.B, seg, o + QH + 32 * n + l, Simd.LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, Simd.I, 0);
                    int s = 8 * n + l / 16, xo = xb + 128 * n + l;
                    for (int k = 0; k < 4; k += 2, h = h.lanewise(VectorOperators.LSHR, 4)) { // quarters k (of ql[l]), k + 1 (of ql[l + 32])
                        IntVector even = (IntVector) jdk.incubator.vector.ByteVector.fromMemorySegment(Simd.B, seg, o + 64 * n + l, Simd.LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, Simd.I, 0);
                        IntVector odd = (IntVector) jdk.incubator.vector.ByteVector.fromMemorySegment(Simd.B, seg, o + 64 * n + l + 32, Simd.LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, Simd.I, 0);
                        IntVector qa = (k == 0 ? even.and(0x0F) : even.lanewise(VectorOperators.LSHR, 4))
                                .or(h.and(3).lanewise(VectorOperators.LSHL, 4));
                        IntVector qb = (k == 0 ? odd.and(0x0F) : odd.lanewise(VectorOperators.LSHR, 4))
                                .or(h.and(12).lanewise(VectorOperators.LSHL, 2));
                        FloatVector pa = qa.or(0x4B000000).reinterpretAsFloats().sub(0x1p23f + 32).mul(FloatVector.fromArray(Simd.F, x, xo + 32 * k));
                        FloatVector pb = qb.or(0x4B000000).reinterpretAsFloats().sub(0x1p23f + 32).mul(FloatVector.fromArray(Simd.F, x, xo + 32 * k + 32));
                        acc0 = pa.fma(Simd.broadcast(scales[s + 2 * k]), acc0);
                        acc1 = pb.fma(Simd.broadcast(scales[s + 2 * k + 2]), acc1);
                    }
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
