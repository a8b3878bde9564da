package org.mambaplayground.engine.tensor.format;

import static org.mambaplayground.engine.tensor.format.Simd.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML's Q4_0: blocks of 32 weights, an F16 scale d and 16 bytes of 4-bit values q; a weight is (q - 8) * d.
 * Weight j of a block is the low nibble of byte j for j &lt; 16 and the high nibble of byte j - 16 otherwise.
 * 18 bytes a block (4.5 bits a weight). Quantized as ggml's reference does: d = m / -8 where m is the value of
 * largest magnitude (the first, with its sign), q = min(15, trunc(x / d + 8.5)).
 */
public final class Q4_0Format implements WeightFormat {
    static final Q4_0Format INSTANCE = new Q4_0Format();
    static final int BLOCK = 32;
    static final int HALF = BLOCK / 2;
    static final int BLOCK_BYTES = 2 + HALF;

    private Q4_0Format() {}

    @Override public String name() { return "Q4_0"; }
    @Override public int blockElements() { return BLOCK; }
    @Override public int blockBytes() { return BLOCK_BYTES; }
    @Override public int ggmlType() { return 2; }
    @Override public String toString() { return name(); }

    @Override
    public float get(MemorySegment seg, long index) {
        long block = (index / BLOCK) * BLOCK_BYTES;
        int j = (int) (index % BLOCK);
        int packed = seg.get(ValueLayout.JAVA_BYTE, block + 2 + j % HALF) & 0xFF;
        int q = j < HALF ? packed & 0x0F : packed >>> 4;
        return Simd.f16(seg, block) * (q - 8);
    }

    @Override
    public void encode(float[] src, int srcOff, MemorySegment dst, long offset, int count) {
        Blocks.checkWhole(this, count);
        for (int b = 0; b < count / BLOCK; b++) {
            int from = srcOff + b * BLOCK;
            long o = offset + (long) b * BLOCK_BYTES;
            float amax = 0, max = 0;
            for (int j = 0; j < BLOCK; j++) {
                float v = src[from + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8;
            float id = d != 0 ? 1 / d : 0;
            dst.set(Simd.I16_LE, o, Float.floatToFloat16(d));
            for (int j = 0; j < HALF; j++) {
                int lo = Math.min(15, (int) (src[from + j] * id + 8.5f));
                int hi = Math.min(15, (int) (src[from + HALF + j] * id + 8.5f));
                dst.set(ValueLayout.JAVA_BYTE, o + 2 + j, (byte) (lo | hi << 4));
            }
        }
    }

    @Override
    public void decode(MemorySegment seg, long offset, float[] out, int outOff, int count) {
        Blocks.checkWhole(this, count);
        if (!Simd.BYTE_LANES) {
            Blocks.decodeScalar(this, seg, offset, out, outOff, count);
            return;
        }
        for (int b = 0; b < count / BLOCK; b++) {
            long o = offset + (long) b * BLOCK_BYTES;
            float d = Simd.f16(seg, o);
            int ob = outOff + b * BLOCK;
            for (int s = 0; s < HALF; s += LANES) {
                IntVector packed = Simd.loadPackedNibbles(seg, o + 2 + s);
                Simd.lowNibbles(packed).mul(d).intoArray(out, ob + s);
                Simd.highNibbles(packed).mul(d).intoArray(out, ob + HALF + s);
            }
        }
    }

    @Override
    public float dot(MemorySegment seg, long offset, float[] x, int xOff, int count) {
        Blocks.checkWhole(this, count);
        if (!Simd.BYTE_LANES) return Blocks.dotScalar(this, seg, offset, x, xOff, count);
        // One block an iteration: a two-block body (as Q8_0's) grows this method past C2's node budget for inlining,
        // and the final reduction then runs uninlined, boxed and generic (a third of the speed, on AVX-512).
        FloatVector acc = Simd.zero();
        for (int b = 0; b < count / BLOCK; b++) {
            long o = offset + (long) b * BLOCK_BYTES;
            int xb = xOff + b * BLOCK;
            FloatVector s0 = Simd.zero();
            for (int s = 0; s < HALF; s += LANES) {
                IntVector packed = Simd.loadPackedNibbles(seg, o + 2 + s);
                s0 = Simd.lowNibbles(packed).fma(Simd.x(x, xb + s), s0);
                s0 = Simd.highNibbles(packed).fma(Simd.x(x, xb + HALF + s), s0);
            }
            acc = s0.fma(Simd.broadcast(Simd.f16(seg, o)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public boolean fourRowDot() { return LANES == HALF; }

    @Override
    public void dot4(MemorySegment seg, long offset, long rowStride, float[] x, int count, float[] out, int outOff, int outStride) {
        Blocks.checkWhole(this, count);
        if (LANES != HALF) {
            WeightFormat.super.dot4(seg, offset, rowStride, x, count, out, outOff, outStride);
            return;
        }
        // 16 lanes (AVX-512): a block's 16 bytes are one vector of nibble pairs, and each x vector is loaded once
        // for four rows. Only the JDK's own (force-inlined) vector calls, Simd.lowNibbles/highNibbles written out:
        // past C2's node budget for inlining, which four rows reach, a helper of ours is no longer inlined and
        // every vector it returns is boxed.
        FloatVector a0 = FloatVector.zero(Simd.F), a1 = a0, a2 = a0, a3 = a0;
        long r0 = offset + 2, r1 = r0 + rowStride, r2 = r1 + rowStride, r3 = r2 + rowStride;
        for (int b = 0; b < count / BLOCK; b++) {
            long o = (long) b * BLOCK_BYTES;
            FloatVector lo = FloatVector.fromArray(Simd.F, x, b * BLOCK), hi = FloatVector.fromArray(Simd.F, x, b * BLOCK + HALF);
            IntVector p = (IntVector) ByteVector.fromMemorySegment(Simd.B, seg, r0 + o, Simd.LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, Simd.I, 0);
            a0 = p.and(0x0F).or(0x4B000000).reinterpretAsFloats().sub(Simd.NIBBLE_BIAS).mul(lo)
                    .add(p.lanewise(VectorOperators.LSHR, 4).or(0x4B000000).reinterpretAsFloats().sub(Simd.NIBBLE_BIAS).mul(hi))
                    .fma(FloatVector.broadcast(Simd.F, Float.float16ToFloat(seg.get(Simd.I16_LE, r0 + o - 2))), a0);
            p = (IntVector) ByteVector.fromMemorySegment(Simd.B, seg, r1 + o, Simd.LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, Simd.I, 0);
            a1 = p.and(0x0F).or(0x4B000000).reinterpretAsFloats().sub(Simd.NIBBLE_BIAS).mul(lo)
                    .add(p.lanewise(VectorOperators.LSHR, 4).or(0x4B000000).reinterpretAsFloats().sub(Simd.NIBBLE_BIAS).mul(hi))
                    .fma(FloatVector.broadcast(Simd.F, Float.float16ToFloat(seg.get(Simd.I16_LE, r1 + o - 2))), a1);
            p = (IntVector) ByteVector.fromMemorySegment(Simd.B, seg, r2 + o, Simd.LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, Simd.I, 0);
            a2 = p.and(0x0F).or(0x4B000000).reinterpretAsFloats().sub(Simd.NIBBLE_BIAS).mul(lo)
                    .add(p.lanewise(VectorOperators.LSHR, 4).or(0x4B000000).reinterpretAsFloats().sub(Simd.NIBBLE_BIAS).mul(hi))
                    .fma(FloatVector.broadcast(Simd.F, Float.float16ToFloat(seg.get(Simd.I16_LE, r2 + o - 2))), a2);
            p = (IntVector) ByteVector.fromMemorySegment(Simd.B, seg, r3 + o, Simd.LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, Simd.I, 0);
            a3 = p.and(0x0F).or(0x4B000000).reinterpretAsFloats().sub(Simd.NIBBLE_BIAS).mul(lo)
                    .add(p.lanewise(VectorOperators.LSHR, 4).or(0x4B000000).reinterpretAsFloats().sub(Simd.NIBBLE_BIAS).mul(hi))
                    .fma(FloatVector.broadcast(Simd.F, Float.float16ToFloat(seg.get(Simd.I16_LE, r3 + o - 2))), a3);
        }
        out[outOff] = a0.reduceLanes(VectorOperators.ADD);
        out[outOff + outStride] = a1.reduceLanes(VectorOperators.ADD);
        out[outOff + 2 * outStride] = a2.reduceLanes(VectorOperators.ADD);
        out[outOff + 3 * outStride] = a3.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public void dot2x4(MemorySegment seg, long row0, long rowBytes, float[] x, int t0, int cols, float[] out, int rows, int r) {
        // Byte vectors converted by the CPU here, not the float-bits trick of dot: with it this large method grew past
        // what C2 compiles, and the Vector API then ran uncompiled (a tenth of the speed).
        Blocks.checkWhole(this, cols);
        if (!Simd.BYTE_LANES) {
            Blocks.dot2x4Scalar(this, seg, row0, rowBytes, x, t0, cols, out, rows, r);
            return;
        }
        FloatVector a00 = Simd.zero(), a01 = Simd.zero(), a02 = Simd.zero(), a03 = Simd.zero();
        FloatVector a10 = Simd.zero(), a11 = Simd.zero(), a12 = Simd.zero(), a13 = Simd.zero();
        long row1 = row0 + rowBytes;
        int x0 = t0 * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        for (int b = 0; b < cols / BLOCK; b++) {
            long o0 = row0 + (long) b * BLOCK_BYTES, o1 = row1 + (long) b * BLOCK_BYTES;
            float d0 = Simd.f16(seg, o0), d1 = Simd.f16(seg, o1);
            for (int s = 0; s < HALF; s += LANES) {
                ByteVector p0 = Simd.loadBytes(seg, o0 + 2 + s), p1 = Simd.loadBytes(seg, o1 + 2 + s);
                for (int half = 0; half < 2; half++) {
                    FloatVector w0 = (half == 0 ? Simd.lowNibbles(p0) : Simd.highNibbles(p0)).mul(d0);
                    FloatVector w1 = (half == 0 ? Simd.lowNibbles(p1) : Simd.highNibbles(p1)).mul(d1);
                    int c = b * BLOCK + half * HALF + s;
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
        }
        Simd.store2x4(out, rows, r, t0, Simd.sum(a00), Simd.sum(a01), Simd.sum(a02), Simd.sum(a03),
                Simd.sum(a10), Simd.sum(a11), Simd.sum(a12), Simd.sum(a13));
    }

    @Override
    public void axpy(float alpha, MemorySegment seg, long offset, float[] y, int yOff, int count) {
        Blocks.checkWhole(this, count);
        if (!Simd.BYTE_LANES) {
            Blocks.axpyScalar(this, alpha, seg, offset, y, yOff, count);
            return;
        }
        for (int b = 0; b < count / BLOCK; b++) {
            long o = offset + (long) b * BLOCK_BYTES;
            float scale = alpha * Simd.f16(seg, o);
            int yb = yOff + b * BLOCK;
            for (int s = 0; s < HALF; s += LANES) {
                IntVector packed = Simd.loadPackedNibbles(seg, o + 2 + s);
                Simd.lowNibbles(packed).fma(Simd.broadcast(scale), Simd.x(y, yb + s)).intoArray(y, yb + s);
                Simd.highNibbles(packed).fma(Simd.broadcast(scale), Simd.x(y, yb + HALF + s)).intoArray(y, yb + HALF + s);
            }
        }
    }
}
