package org.mambaplayground.engine.tensor.format;

import static org.mambaplayground.engine.tensor.format.Simd.F;
import static org.mambaplayground.engine.tensor.format.Simd.I;
import static org.mambaplayground.engine.tensor.format.Simd.LANES;
import static org.mambaplayground.engine.tensor.format.Simd.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link InPlaceCacheFormat}'s kernels for the 2-byte floats. Both widen a half by a shift and a mask: bfloat16
 * is a float's top half (shift 16), and an IEEE half's sign, exponent and mantissa, shifted by 13 and the
 * sign-extension bits masked off, are a float whose exponent lacks the bias difference 127 - 15 (the value times
 * 2^-112, exactly, normal and subnormal halves alike; an infinity or NaN becomes a finite number, so its format
 * does not read those in place). One shift and one AND a vector, where the exact decode has no cheap vector form.
 */
final class HalfCacheKernels {
    /** Keys a pass of scores4 takes: two vectors' worth, four rows of each in eight sums (AVX2 has 16 registers). */
    static final int KEY_STEP = 2 * LANES;

    /**
     * A vector's worth of halves, loaded as bytes: loading them as shorts (Simd.S), as the BF16 and F16 weight
     * kernels do, from the cache's segments as well as the weights' mapped ones made those kernels' loads about
     * 1.5x slower in decode (the JIT's profile of that shared load saw two kinds of segment).
     */
    private static final VectorSpecies<Byte> HALVES = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.vectorBitSize() / 2));

    private static final java.util.Set<InPlaceCacheFormat> WARMED = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Calls of each kernel that warm it up: past C2's thresholds (5,000 calls, or loops with 40,000 turns). */
    private static final int WARM_UP_CALLS = 12_000;

    private HalfCacheKernels() {}

    static void warmUpInBackground(InPlaceCacheFormat f, int dims) {
        if (!f.readsInPlace(dims) || !WARMED.add(f)) return;
        Thread.ofPlatform().daemon().name("kv-kernels-warm-up").priority(Thread.MIN_PRIORITY).start(() -> {
            int keys = 32;
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                MemorySegment block = arena.allocate(2L * keys * dims, 64); // zeros: a block of finite halves, the model's head size
                float[] q = new float[4 * dims], scores = new float[4 * keys], acc = new float[4 * dims];
                for (int i = 0; i < WARM_UP_CALLS; i++) {
                    f.scores4(block, 0, keys, q, 0, dims, scores, 0);
                    // every count of keys a block's range can have, as decode's splits and window give them
                    f.addWeighted4(scores, 0, keys, 1 + i % keys, block, 0, 2L * keys * InPlaceCacheFormat.VALUE_CHUNK, dims, acc, 0, dims);
                }
            }
        });
    }

    private static FloatVector load(MemorySegment seg, long offset, int shift, int mask) {
        IntVector h = (IntVector) ByteVector.fromMemorySegment(HALVES, seg, offset, LE).reinterpretAsShorts().convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, shift).and(mask).reinterpretAsFloats();
    }

    static void scores4(MemorySegment seg, long offset, int keys, float[] q, int qOff, int dims, float[] scores, int sOff,
                        int shift, int mask) {
        if (keys % KEY_STEP != 0) throw new IllegalArgumentException(keys + " keys: not a multiple of " + KEY_STEP);
        int q0 = qOff, q1 = q0 + dims, q2 = q1 + dims, q3 = q2 + dims;
        long rowBytes = 2L * keys;
        for (int v = 0; v < keys; v += KEY_STEP) {
            FloatVector c00 = Simd.zero(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
            long o = offset + 2L * v;
            for (int d = 0; d < dims; d++, o += rowBytes) {
                FloatVector k0 = load(seg, o, shift, mask), k1 = load(seg, o + 2L * LANES, shift, mask);
                FloatVector x = Simd.broadcast(q[q0 + d]);
                c00 = k0.fma(x, c00); c01 = k1.fma(x, c01);
                x = Simd.broadcast(q[q1 + d]);
                c10 = k0.fma(x, c10); c11 = k1.fma(x, c11);
                x = Simd.broadcast(q[q2 + d]);
                c20 = k0.fma(x, c20); c21 = k1.fma(x, c21);
                x = Simd.broadcast(q[q3 + d]);
                c30 = k0.fma(x, c30); c31 = k1.fma(x, c31);
            }
            int s0 = sOff + v, s1 = s0 + keys, s2 = s1 + keys, s3 = s2 + keys;
            c00.intoArray(scores, s0); c01.intoArray(scores, s0 + LANES);
            c10.intoArray(scores, s1); c11.intoArray(scores, s1 + LANES);
            c20.intoArray(scores, s2); c21.intoArray(scores, s2 + LANES);
            c30.intoArray(scores, s3); c31.intoArray(scores, s3 + LANES);
        }
    }

    /** Whether addWeighted4 reads values of {@code dims} dimensions: whole chunks, each whole vectors. */
    static boolean fitsValues(int dims) {
        return dims % InPlaceCacheFormat.VALUE_CHUNK == 0 && InPlaceCacheFormat.VALUE_CHUNK % LANES == 0;
    }

    static void addWeighted4(float[] w, int wOff, int wStride, int count, MemorySegment seg, long offset, long chunkBytes,
                             int dims, float[] acc, int accOff, int accStride, int shift, int mask) {
        if (!fitsValues(dims)) throw new IllegalArgumentException(dims + " dimensions: not whole chunks of vectors");
        int w0 = wOff, w1 = w0 + wStride, w2 = w1 + wStride, w3 = w2 + wStride, vectors = dims / LANES, v = 0;
        long keyBytes = 2L * InPlaceCacheFormat.VALUE_CHUNK;
        for (; v + 2 <= vectors; v += 2) { // two vectors of dimensions, four rows of each in eight sums
            int d = v * LANES, o0 = accOff + d, o1 = o0 + accStride, o2 = o1 + accStride, o3 = o2 + accStride;
            FloatVector a00 = Simd.x(acc, o0), a01 = Simd.x(acc, o0 + LANES), a10 = Simd.x(acc, o1), a11 = Simd.x(acc, o1 + LANES);
            FloatVector a20 = Simd.x(acc, o2), a21 = Simd.x(acc, o2 + LANES), a30 = Simd.x(acc, o3), a31 = Simd.x(acc, o3 + LANES);
            long x0o = offset + valueOffset(d, chunkBytes), x1o = offset + valueOffset(d + LANES, chunkBytes);
            for (int j = 0; j < count; j++, x0o += keyBytes, x1o += keyBytes) {
                FloatVector x0 = load(seg, x0o, shift, mask), x1 = load(seg, x1o, shift, mask), p;
                p = Simd.broadcast(w[w0 + j]); a00 = x0.fma(p, a00); a01 = x1.fma(p, a01);
                p = Simd.broadcast(w[w1 + j]); a10 = x0.fma(p, a10); a11 = x1.fma(p, a11);
                p = Simd.broadcast(w[w2 + j]); a20 = x0.fma(p, a20); a21 = x1.fma(p, a21);
                p = Simd.broadcast(w[w3 + j]); a30 = x0.fma(p, a30); a31 = x1.fma(p, a31);
            }
            a00.intoArray(acc, o0); a01.intoArray(acc, o0 + LANES); a10.intoArray(acc, o1); a11.intoArray(acc, o1 + LANES);
            a20.intoArray(acc, o2); a21.intoArray(acc, o2 + LANES); a30.intoArray(acc, o3); a31.intoArray(acc, o3 + LANES);
        }
        if (v < vectors) { // an odd last vector (AVX-512's 16 lanes over 16 x an odd number of dimensions)
            int d = v * LANES, o0 = accOff + d, o1 = o0 + accStride, o2 = o1 + accStride, o3 = o2 + accStride;
            FloatVector a0 = Simd.x(acc, o0), a1 = Simd.x(acc, o1), a2 = Simd.x(acc, o2), a3 = Simd.x(acc, o3);
            long xo = offset + valueOffset(d, chunkBytes);
            for (int j = 0; j < count; j++, xo += keyBytes) {
                FloatVector x = load(seg, xo, shift, mask);
                a0 = x.fma(Simd.broadcast(w[w0 + j]), a0);
                a1 = x.fma(Simd.broadcast(w[w1 + j]), a1);
                a2 = x.fma(Simd.broadcast(w[w2 + j]), a2);
                a3 = x.fma(Simd.broadcast(w[w3 + j]), a3);
            }
            a0.intoArray(acc, o0); a1.intoArray(acc, o1); a2.intoArray(acc, o2); a3.intoArray(acc, o3);
        }
    }

    /** Byte offset of dimension d of the first key, in values stored as {@link InPlaceCacheFormat#VALUE_CHUNK} chunks. */
    private static long valueOffset(int d, long chunkBytes) {
        return d / InPlaceCacheFormat.VALUE_CHUNK * chunkBytes + 2L * (d % InPlaceCacheFormat.VALUE_CHUNK);
    }
}
