package org.mambaplayground.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API loops over float arrays (attention, the SSM) and the bandwidth probe's sum. Weight kernels live
 * with their formats ({@link org.mambaplayground.engine.tensor.format.WeightFormat}).
 */
final class VectorKernels {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    private VectorKernels() {}

    /** Whether the segment can be read with vector loads (off-heap or byte[]-backed). */
    static boolean vectorReadable(MemorySegment seg) {
        return seg.isNative() || seg.heapBase().map(b -> b instanceof byte[]).orElse(true);
    }

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

    /**
     * The recurrent SSM update of one state row, fused into one pass over it: s = decay * s + alpha * b, then
     * returns sum(s * c). One read and one write of the state instead of three passes.
     */
    static float decayAxpyDot(float[] s, int sOff, float decay, float alpha, float[] b, int bOff, float[] c, int cOff, int n) {
        FloatVector vd = FloatVector.broadcast(F, decay), va = FloatVector.broadcast(F, alpha), acc = FloatVector.zero(F);
        int i = 0;
        for (int upper = n - LANES; i <= upper; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, s, sOff + i).mul(vd).add(FloatVector.fromArray(F, b, bOff + i).mul(va));
            v.intoArray(s, sOff + i);
            acc = v.fma(FloatVector.fromArray(F, c, cOff + i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s[sOff + i] = s[sOff + i] * decay + alpha * b[bOff + i];
            sum += s[sOff + i] * c[cOff + i];
        }
        return sum;
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

    /**
     * Twelve independent FMA chains (more than latency x ports on current x86 and ARM cores, so the FMA units never
     * wait on a result); x -> 0.5 x + 0.25 stays a normal number, so no denormal slows it.
     */
    static float fmaChains(long fmas) {
        FloatVector m = FloatVector.broadcast(F, 0.5f), b = FloatVector.broadcast(F, 0.25f);
        FloatVector a0 = FloatVector.broadcast(F, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < fmas; i += 12) {
            a0 = a0.fma(m, b); a1 = a1.fma(m, b); a2 = a2.fma(m, b); a3 = a3.fma(m, b);
            a4 = a4.fma(m, b); a5 = a5.fma(m, b); a6 = a6.fma(m, b); a7 = a7.fma(m, b);
            a8 = a8.fma(m, b); a9 = a9.fma(m, b); a10 = a10.fma(m, b); a11 = a11.fma(m, b);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
