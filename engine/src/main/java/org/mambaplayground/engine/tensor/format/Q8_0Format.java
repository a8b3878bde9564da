package org.mambaplayground.engine.tensor.format;

import static org.mambaplayground.engine.tensor.format.Simd.LANES;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML's Q8_0: blocks of 32 weights, each an F16 scale d followed by 32 signed bytes q; a weight is d * q.
 * 34 bytes a block (8.5 bits a weight). Quantized as ggml's reference does: d = max|x| / 127 and
 * q = round(x / d), rounding half away from zero.
 */
public final class Q8_0Format implements WeightFormat {
    static final Q8_0Format INSTANCE = new Q8_0Format();
    static final int BLOCK = 32;
    static final int HALF = BLOCK / 2;
    static final int BLOCK_BYTES = 2 + BLOCK;

    private Q8_0Format() {}

    @Override public String name() { return "Q8_0"; }
    @Override public int blockElements() { return BLOCK; }
    @Override public int blockBytes() { return BLOCK_BYTES; }
    @Override public int ggmlType() { return 8; }
    @Override public String toString() { return name(); }

    @Override
    public float get(MemorySegment seg, long index) {
        long block = (index / BLOCK) * BLOCK_BYTES;
        return Simd.f16(seg, block) * seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, block + 2 + index % BLOCK);
    }

    @Override
    public void encode(float[] src, int srcOff, MemorySegment dst, long offset, int count) {
        Blocks.checkWhole(this, count);
        for (int b = 0; b < count / BLOCK; b++) {
            int from = srcOff + b * BLOCK;
            long o = offset + (long) b * BLOCK_BYTES;
            float amax = 0;
            for (int j = 0; j < BLOCK; j++) amax = Math.max(amax, Math.abs(src[from + j]));
            float d = amax / 127;
            float id = d != 0 ? 1 / d : 0;
            dst.set(Simd.I16_LE, o, Float.floatToFloat16(d));
            for (int j = 0; j < BLOCK; j++) {
                dst.set(java.lang.foreign.ValueLayout.JAVA_BYTE, o + 2 + j, (byte) Blocks.roundHalfAway(src[from + j] * id));
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
            for (int s = 0; s < BLOCK; s += LANES) Simd.loadI8(seg, o + 2 + s).mul(d).intoArray(out, outOff + b * BLOCK + s);
        }
    }

    @Override
    public float dot(MemorySegment seg, long offset, float[] x, int xOff, int count) {
        Blocks.checkWhole(this, count);
        if (!Simd.BYTE_LANES) return Blocks.dotScalar(this, seg, offset, x, xOff, count);
        // Two blocks at a time into two accumulators: one chain of dependent FMAs would cap a core at a block per
        // FMA latency, well below what memory delivers. Written out in the loop, not in a helper returning a vector:
        // a helper compiled on its own is not always inlined, and then every vector it returns is an allocation.
        FloatVector acc0 = Simd.zero(), acc1 = Simd.zero();
        int blocks = count / BLOCK, b = 0;
        for (; b + 2 <= blocks; b += 2) {
            long o0 = offset + (long) b * BLOCK_BYTES, o1 = o0 + BLOCK_BYTES;
            int x0 = xOff + b * BLOCK, x1 = x0 + BLOCK;
            FloatVector s0 = Simd.loadI8(seg, o0 + 2).mul(Simd.x(x, x0));
            FloatVector s1 = Simd.loadI8(seg, o1 + 2).mul(Simd.x(x, x1));
            for (int s = LANES; s < BLOCK; s += LANES) {
                s0 = Simd.loadI8(seg, o0 + 2 + s).fma(Simd.x(x, x0 + s), s0);
                s1 = Simd.loadI8(seg, o1 + 2 + s).fma(Simd.x(x, x1 + s), s1);
            }
            acc0 = s0.fma(Simd.broadcast(Simd.f16(seg, o0)), acc0);
            acc1 = s1.fma(Simd.broadcast(Simd.f16(seg, o1)), acc1);
        }
        for (; b < blocks; b++) {
            long o = offset + (long) b * BLOCK_BYTES;
            int xb = xOff + b * BLOCK;
            FloatVector s0 = Simd.loadI8(seg, o + 2).mul(Simd.x(x, xb));
            for (int s = LANES; s < BLOCK; s += LANES) s0 = Simd.loadI8(seg, o + 2 + s).fma(Simd.x(x, xb + s), s0);
            acc0 = s0.fma(Simd.broadcast(Simd.f16(seg, o)), acc0);
        }
        return Simd.sum(acc0.add(acc1));
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
        // 16 lanes (AVX-512): a block is two vectors, written out, and each x vector is loaded once for four rows.
        // Only the JDK's own (force-inlined) vector calls: past C2's node budget for inlining, which four rows
        // reach, a helper of ours (Simd's) is no longer inlined and every vector it returns is boxed.
        FloatVector a0 = FloatVector.zero(Simd.F), a1 = a0, a2 = a0, a3 = a0;
        long r0 = offset + 2, r1 = r0 + rowStride, r2 = r1 + rowStride, r3 = r2 + rowStride;
        for (int b = 0; b < count / BLOCK; b++) {
            long o = (long) b * BLOCK_BYTES;
            FloatVector lo = FloatVector.fromArray(Simd.F, x, b * BLOCK), hi = FloatVector.fromArray(Simd.F, x, b * BLOCK + HALF);
            a0 = ((FloatVector) ByteVector.fromMemorySegment(Simd.B, seg, r0 + o, Simd.LE).convertShape(VectorOperators.B2F, Simd.F, 0)).mul(lo)
                    .add(((FloatVector) ByteVector.fromMemorySegment(Simd.B, seg, r0 + o + HALF, Simd.LE).convertShape(VectorOperators.B2F, Simd.F, 0)).mul(hi))
                    .fma(FloatVector.broadcast(Simd.F, Float.float16ToFloat(seg.get(Simd.I16_LE, r0 + o - 2))), a0);
            a1 = ((FloatVector) ByteVector.fromMemorySegment(Simd.B, seg, r1 + o, Simd.LE).convertShape(VectorOperators.B2F, Simd.F, 0)).mul(lo)
                    .add(((FloatVector) ByteVector.fromMemorySegment(Simd.B, seg, r1 + o + HALF, Simd.LE).convertShape(VectorOperators.B2F, Simd.F, 0)).mul(hi))
                    .fma(FloatVector.broadcast(Simd.F, Float.float16ToFloat(seg.get(Simd.I16_LE, r1 + o - 2))), a1);
            a2 = ((FloatVector) ByteVector.fromMemorySegment(Simd.B, seg, r2 + o, Simd.LE).convertShape(VectorOperators.B2F, Simd.F, 0)).mul(lo)
                    .add(((FloatVector) ByteVector.fromMemorySegment(Simd.B, seg, r2 + o + HALF, Simd.LE).convertShape(VectorOperators.B2F, Simd.F, 0)).mul(hi))
                    .fma(FloatVector.broadcast(Simd.F, Float.float16ToFloat(seg.get(Simd.I16_LE, r2 + o - 2))), a2);
            a3 = ((FloatVector) ByteVector.fromMemorySegment(Simd.B, seg, r3 + o, Simd.LE).convertShape(VectorOperators.B2F, Simd.F, 0)).mul(lo)
                    .add(((FloatVector) ByteVector.fromMemorySegment(Simd.B, seg, r3 + o + HALF, Simd.LE).convertShape(VectorOperators.B2F, Simd.F, 0)).mul(hi))
                    .fma(FloatVector.broadcast(Simd.F, Float.float16ToFloat(seg.get(Simd.I16_LE, r3 + o - 2))), a3);
        }
        out[outOff] = a0.reduceLanes(VectorOperators.ADD);
        out[outOff + outStride] = a1.reduceLanes(VectorOperators.ADD);
        out[outOff + 2 * outStride] = a2.reduceLanes(VectorOperators.ADD);
        out[outOff + 3 * outStride] = a3.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public void dot2x4(MemorySegment seg, long row0, long rowBytes, float[] x, int t0, int cols, float[] out, int rows, int r) {
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
            for (int s = 0; s < BLOCK; s += LANES) {
                int c = b * BLOCK + s;
                FloatVector w0 = Simd.loadI8(seg, o0 + 2 + s).mul(d0), w1 = Simd.loadI8(seg, o1 + 2 + s).mul(d1);
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
            for (int s = 0; s < BLOCK; s += LANES) {
                int yo = yOff + b * BLOCK + s;
                Simd.loadI8(seg, o + 2 + s).fma(Simd.broadcast(scale), Simd.x(y, yo)).intoArray(y, yo);
            }
        }
    }
}
