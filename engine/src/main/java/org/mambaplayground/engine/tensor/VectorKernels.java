package org.mambaplayground.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
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
     * c[i * w + v] (+)= sum over k in [0, nk) of a[aOff + i * si + k * sk] * b[k * w + v], for i in [0, ni) and v in
     * [0, w), w a multiple of the vector length: a small matrix product whose right side and result run along
     * vectors (attention's query rows), the left side broadcast element by element from either layout (a prompt's
     * attention reads its [key, dim] values as [dim, key]). Four rows of a by two vectors of sums stay in
     * registers (eleven with AVX2's sixteen): no horizontal sums.
     */
    static void broadcastProduct(float[] a, int aOff, int si, int sk, int ni, int nk, float[] b, int w, float[] c, boolean add) {
        int i = 0;
        for (; i + 4 <= ni; i += 4) {
            int a0 = aOff + i * si, a1 = a0 + si, a2 = a1 + si, a3 = a2 + si;
            int v = 0;
            for (; v + 2 * LANES <= w; v += 2 * LANES) {
                int o0 = i * w + v, o1 = o0 + w, o2 = o1 + w, o3 = o2 + w;
                FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
                if (add) {
                    c00 = FloatVector.fromArray(F, c, o0); c01 = FloatVector.fromArray(F, c, o0 + LANES);
                    c10 = FloatVector.fromArray(F, c, o1); c11 = FloatVector.fromArray(F, c, o1 + LANES);
                    c20 = FloatVector.fromArray(F, c, o2); c21 = FloatVector.fromArray(F, c, o2 + LANES);
                    c30 = FloatVector.fromArray(F, c, o3); c31 = FloatVector.fromArray(F, c, o3 + LANES);
                } else {
                    c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(F);
                }
                for (int k = 0, ak = 0, bk = v; k < nk; k++, ak += sk, bk += w) {
                    FloatVector b0 = FloatVector.fromArray(F, b, bk), b1 = FloatVector.fromArray(F, b, bk + LANES);
                    FloatVector x = FloatVector.broadcast(F, a[a0 + ak]);
                    c00 = b0.fma(x, c00); c01 = b1.fma(x, c01);
                    x = FloatVector.broadcast(F, a[a1 + ak]);
                    c10 = b0.fma(x, c10); c11 = b1.fma(x, c11);
                    x = FloatVector.broadcast(F, a[a2 + ak]);
                    c20 = b0.fma(x, c20); c21 = b1.fma(x, c21);
                    x = FloatVector.broadcast(F, a[a3 + ak]);
                    c30 = b0.fma(x, c30); c31 = b1.fma(x, c31);
                }
                c00.intoArray(c, o0); c01.intoArray(c, o0 + LANES);
                c10.intoArray(c, o1); c11.intoArray(c, o1 + LANES);
                c20.intoArray(c, o2); c21.intoArray(c, o2 + LANES);
                c30.intoArray(c, o3); c31.intoArray(c, o3 + LANES);
            }
            for (; v < w; v += LANES) {
                for (int r = 0; r < 4; r++) broadcastRow(a, aOff + (i + r) * si, sk, nk, b, w, v, c, (i + r) * w + v, add);
            }
        }
        for (; i < ni; i++) {
            for (int v = 0; v < w; v += LANES) broadcastRow(a, aOff + i * si, sk, nk, b, w, v, c, i * w + v, add);
        }
    }

    static float max(float[] a, int from, int to) {
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int j = from;
        for (int upper = to - LANES; j <= upper; j += LANES) m = m.max(FloatVector.fromArray(F, a, j));
        float max = m.reduceLanes(VectorOperators.MAX);
        for (; j < to; j++) max = Math.max(max, a[j]);
        return max;
    }

    static float exp(float x) { return FloatVector.broadcast(F, x).lanewise(VectorOperators.EXP).lane(0); }

    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    /**
     * One key block of an online softmax whose query rows run along vectors (FlashAttention's update, a vector of
     * rows at a time): s is [count, w] scores, key j's in row j; query row r sees key positions lo[r] .. hi[r]. Masks
     * the keys a row does not see, raises the running maxima m[w], rescales the sums l[w] and the accumulated
     * values accT [dims, w] to them, and leaves in s the weights exp(score - max). A row that has seen no key yet
     * keeps maximum -infinity and zeros.
     */
    static void softmaxBlock(float[] s, int count, int w, int keyPos0, int[] lo, int[] hi, float[] m, float[] l, float[] accT, int dims) {
        FloatVector negInf = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY), zero = FloatVector.zero(F);
        for (int v = 0; v < w; v += LANES) {
            IntVector loV = IntVector.fromArray(I, lo, v), hiV = IntVector.fromArray(I, hi, v);
            FloatVector mOld = FloatVector.fromArray(F, m, v), mx = negInf;
            for (int j = 0, o = v; j < count; j++, o += w) {
                int kp = keyPos0 + j;
                VectorMask<Float> visible = loV.compare(VectorOperators.LE, kp).and(hiV.compare(VectorOperators.GE, kp)).cast(F);
                FloatVector sc = negInf.blend(FloatVector.fromArray(F, s, o), visible);
                sc.intoArray(s, o);
                mx = mx.max(sc);
            }
            FloatVector mNew = mOld.max(mx);
            FloatVector mSafe = mNew.blend(zero, mNew.compare(VectorOperators.EQ, Float.NEGATIVE_INFINITY));
            FloatVector sum = FloatVector.fromArray(F, l, v);
            if (mNew.compare(VectorOperators.NE, mOld).anyTrue()) {
                FloatVector rescale = mOld.sub(mSafe).lanewise(VectorOperators.EXP);
                sum = sum.mul(rescale);
                for (int d = 0, o = v; d < dims; d++, o += w) FloatVector.fromArray(F, accT, o).mul(rescale).intoArray(accT, o);
            }
            for (int j = 0, o = v; j < count; j++, o += w) {
                FloatVector p = FloatVector.fromArray(F, s, o).sub(mSafe).lanewise(VectorOperators.EXP);
                p.intoArray(s, o);
                sum = sum.add(p);
            }
            mNew.intoArray(m, v);
            sum.intoArray(l, v);
        }
    }

    private static void broadcastRow(float[] a, int ai, int sk, int nk, float[] b, int w, int v, float[] c, int o, boolean add) {
        FloatVector acc = add ? FloatVector.fromArray(F, c, o) : FloatVector.zero(F);
        for (int k = 0, ak = ai, bk = v; k < nk; k++, ak += sk, bk += w) acc = FloatVector.fromArray(F, b, bk).fma(FloatVector.broadcast(F, a[ak]), acc);
        acc.intoArray(c, o);
    }

    /** out[outOff + i] = a[aOff + i] * exp(c - e[i]) * b[i] for i in [0, n): the SSD scan's decayed weights of a chunk's tokens. */
    static void decayedWeights(float[] a, int aOff, float c, float[] e, float[] b, float[] out, int outOff, int n) {
        FloatVector vc = FloatVector.broadcast(F, c);
        for (int i = 0; i < n; i += LANES) {
            var m = F.indexInRange(i, n);
            FloatVector decay = vc.sub(FloatVector.fromArray(F, e, i, m)).lanewise(VectorOperators.EXP);
            FloatVector.fromArray(F, a, aOff + i, m).mul(decay).mul(FloatVector.fromArray(F, b, i, m)).intoArray(out, outOff + i, m);
        }
    }

    /** y[yOff + i] += a[aOff + i] * b[bOff + i] for i in [0, n): a depthwise conv's tap over all channels. */
    static void addProducts(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int upper = n - LANES; i <= upper; i += LANES) {
            FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = Math.fma(a[aOff + i], b[bOff + i], y[yOff + i]);
    }

    /**
     * y[yOff + i] = silu(y[yOff + i]) = y / (1 + e^-y), or, with a gate, y[yOff + i] *= silu(gate[gOff + i]), for
     * i in [0, n). Every element goes through the vector exp (the last partial vector under a mask), so a token's
     * result does not depend on how many tokens were computed with it.
     */
    static void silu(float[] y, int yOff, float[] gate, int gOff, int n) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (int i = 0; i < n; i += LANES) {
            var m = F.indexInRange(i, n);
            FloatVector g = FloatVector.fromArray(F, gate == null ? y : gate, (gate == null ? yOff : gOff) + i, m);
            FloatVector s = g.div(g.neg().lanewise(VectorOperators.EXP).add(one));
            if (gate != null) s = s.mul(FloatVector.fromArray(F, y, yOff + i, m));
            s.intoArray(y, yOff + i, m);
        }
    }

    /**
     * p[j] = exp(p[j] - shift) for j in [from, to). Every element goes through the vector exp (a range's last
     * partial vector too, under a mask), so a key's weight is the same wherever its range starts: a prompt and the
     * same tokens decoded one at a time weigh their keys alike. (No sum: the caller adds the weights in key order,
     * as a prompt's tile does.)
     */
    static void expShifted(float[] p, int from, int to, float shift) {
        for (int j = from; j < to; j += LANES) {
            var inRange = F.indexInRange(j, to);
            FloatVector.fromArray(F, p, j, inRange).sub(shift).lanewise(VectorOperators.EXP).intoArray(p, j, inRange);
        }
    }

    /**
     * acc[accOff + d] += sum over j in [0, count) of w[wOff + j] * rows[rowOff + j * stride + d], for d in [0, n):
     * a block of weighted rows added at once, each output vector summed in a register over the block instead of
     * loaded and stored once per row (the same FMAs in the same order per element as one axpy per row).
     */
    static void addWeightedRows(float[] w, int wOff, int count, float[] rows, int rowOff, int stride, int n, float[] acc, int accOff) {
        int d = 0;
        for (; d + 4 * LANES <= n; d += 4 * LANES) {
            int o = accOff + d;
            FloatVector a0 = FloatVector.fromArray(F, acc, o), a1 = FloatVector.fromArray(F, acc, o + LANES);
            FloatVector a2 = FloatVector.fromArray(F, acc, o + 2 * LANES), a3 = FloatVector.fromArray(F, acc, o + 3 * LANES);
            for (int j = 0, r = rowOff + d; j < count; j++, r += stride) {
                FloatVector p = FloatVector.broadcast(F, w[wOff + j]);
                a0 = FloatVector.fromArray(F, rows, r).fma(p, a0);
                a1 = FloatVector.fromArray(F, rows, r + LANES).fma(p, a1);
                a2 = FloatVector.fromArray(F, rows, r + 2 * LANES).fma(p, a2);
                a3 = FloatVector.fromArray(F, rows, r + 3 * LANES).fma(p, a3);
            }
            a0.intoArray(acc, o);
            a1.intoArray(acc, o + LANES);
            a2.intoArray(acc, o + 2 * LANES);
            a3.intoArray(acc, o + 3 * LANES);
        }
        for (; d + LANES <= n; d += LANES) {
            FloatVector a = FloatVector.fromArray(F, acc, accOff + d);
            for (int j = 0, r = rowOff + d; j < count; j++, r += stride) a = FloatVector.fromArray(F, rows, r).fma(FloatVector.broadcast(F, w[wOff + j]), a);
            a.intoArray(acc, accOff + d);
        }
        for (; d < n; d++) {
            float a = acc[accOff + d];
            for (int j = 0, r = rowOff + d; j < count; j++, r += stride) a = Math.fma(rows[r], w[wOff + j], a);
            acc[accOff + d] = a;
        }
    }

    /**
     * Four sums of weighted rows at once, sharing each row's loads: acc[accOff + u * accStride + d] += sum over j in
     * [0, count) of w[wOff + u * wStride + j] * rows[rowOff + j * stride + d], for u in [0, 4). Each output adds its
     * terms in the same order as {@link #addWeightedRows}, so both give the same floats.
     */
    static void addWeightedRows4(float[] w, int wOff, int wStride, int count, float[] rows, int rowOff, int stride, int n,
                                 float[] acc, int accOff, int accStride) {
        int w0 = wOff, w1 = w0 + wStride, w2 = w1 + wStride, w3 = w2 + wStride;
        int d = 0;
        // Four vectors of each output at a time take 16 sums and 4 rows in registers: AVX-512 has the 32 it needs,
        // AVX2's 16 would spill, so there two vectors at a time (8 sums).
        for (; LANES >= 16 && d + 4 * LANES <= n; d += 4 * LANES) {
            int o0 = accOff + d, o1 = o0 + accStride, o2 = o1 + accStride, o3 = o2 + accStride;
            FloatVector a00 = load(acc, o0), a01 = load(acc, o0 + LANES), a02 = load(acc, o0 + 2 * LANES), a03 = load(acc, o0 + 3 * LANES);
            FloatVector a10 = load(acc, o1), a11 = load(acc, o1 + LANES), a12 = load(acc, o1 + 2 * LANES), a13 = load(acc, o1 + 3 * LANES);
            FloatVector a20 = load(acc, o2), a21 = load(acc, o2 + LANES), a22 = load(acc, o2 + 2 * LANES), a23 = load(acc, o2 + 3 * LANES);
            FloatVector a30 = load(acc, o3), a31 = load(acc, o3 + LANES), a32 = load(acc, o3 + 2 * LANES), a33 = load(acc, o3 + 3 * LANES);
            for (int j = 0, r = rowOff + d; j < count; j++, r += stride) {
                FloatVector x0 = load(rows, r), x1 = load(rows, r + LANES), x2 = load(rows, r + 2 * LANES), x3 = load(rows, r + 3 * LANES), p;
                p = FloatVector.broadcast(F, w[w0 + j]); a00 = x0.fma(p, a00); a01 = x1.fma(p, a01); a02 = x2.fma(p, a02); a03 = x3.fma(p, a03);
                p = FloatVector.broadcast(F, w[w1 + j]); a10 = x0.fma(p, a10); a11 = x1.fma(p, a11); a12 = x2.fma(p, a12); a13 = x3.fma(p, a13);
                p = FloatVector.broadcast(F, w[w2 + j]); a20 = x0.fma(p, a20); a21 = x1.fma(p, a21); a22 = x2.fma(p, a22); a23 = x3.fma(p, a23);
                p = FloatVector.broadcast(F, w[w3 + j]); a30 = x0.fma(p, a30); a31 = x1.fma(p, a31); a32 = x2.fma(p, a32); a33 = x3.fma(p, a33);
            }
            a00.intoArray(acc, o0); a01.intoArray(acc, o0 + LANES); a02.intoArray(acc, o0 + 2 * LANES); a03.intoArray(acc, o0 + 3 * LANES);
            a10.intoArray(acc, o1); a11.intoArray(acc, o1 + LANES); a12.intoArray(acc, o1 + 2 * LANES); a13.intoArray(acc, o1 + 3 * LANES);
            a20.intoArray(acc, o2); a21.intoArray(acc, o2 + LANES); a22.intoArray(acc, o2 + 2 * LANES); a23.intoArray(acc, o2 + 3 * LANES);
            a30.intoArray(acc, o3); a31.intoArray(acc, o3 + LANES); a32.intoArray(acc, o3 + 2 * LANES); a33.intoArray(acc, o3 + 3 * LANES);
        }
        for (; d + 2 * LANES <= n; d += 2 * LANES) {
            int o0 = accOff + d, o1 = o0 + accStride, o2 = o1 + accStride, o3 = o2 + accStride;
            FloatVector a00 = load(acc, o0), a01 = load(acc, o0 + LANES), a10 = load(acc, o1), a11 = load(acc, o1 + LANES);
            FloatVector a20 = load(acc, o2), a21 = load(acc, o2 + LANES), a30 = load(acc, o3), a31 = load(acc, o3 + LANES);
            for (int j = 0, r = rowOff + d; j < count; j++, r += stride) {
                FloatVector x0 = load(rows, r), x1 = load(rows, r + LANES), p;
                p = FloatVector.broadcast(F, w[w0 + j]); a00 = x0.fma(p, a00); a01 = x1.fma(p, a01);
                p = FloatVector.broadcast(F, w[w1 + j]); a10 = x0.fma(p, a10); a11 = x1.fma(p, a11);
                p = FloatVector.broadcast(F, w[w2 + j]); a20 = x0.fma(p, a20); a21 = x1.fma(p, a21);
                p = FloatVector.broadcast(F, w[w3 + j]); a30 = x0.fma(p, a30); a31 = x1.fma(p, a31);
            }
            a00.intoArray(acc, o0); a01.intoArray(acc, o0 + LANES); a10.intoArray(acc, o1); a11.intoArray(acc, o1 + LANES);
            a20.intoArray(acc, o2); a21.intoArray(acc, o2 + LANES); a30.intoArray(acc, o3); a31.intoArray(acc, o3 + LANES);
        }
        if (d < n) {
            for (int u = 0; u < 4; u++) {
                addWeightedRows(w, wOff + u * wStride, count, rows, rowOff + d, stride, n - d, acc, accOff + u * accStride + d);
            }
        }
    }

    private static FloatVector load(float[] a, int offset) { return FloatVector.fromArray(F, a, offset); }

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
