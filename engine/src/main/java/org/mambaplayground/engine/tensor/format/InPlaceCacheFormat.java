package org.mambaplayground.engine.tensor.format;

import java.lang.foreign.MemorySegment;

/**
 * A KV cache {@link WeightFormat} that decode attention reads in place: a block's transposed keys are scored, and
 * its values weighed, straight from the stored bytes, each vector of elements converted in a register beside the
 * FMAs that use it. Decoding a block into floats first runs the cache's reads and the FMAs one after the other
 * (half of attention's time at 4,096 F16 keys was that decode pass); in place, the CPU overlaps them.
 *
 * <p>The conversion may leave each element multiplied by a power of two, {@link #operandScale()}'s inverse; the
 * kernels' float operands (queries, weights) come multiplied by the scale, so that every product, and so every
 * FMA chain, is exactly the one over decoded elements.
 *
 * <p>Values are read in chunks of {@link #VALUE_CHUNK} dimensions, stored chunk after chunk, each [key][16]: a
 * pass over one chunk of every key then reads memory in order. Token-major values ([key][dims]) made that pass
 * short sweeps with a stride, which the CPU's prefetchers do not run ahead of (1.7x the time from memory).
 */
public sealed interface InPlaceCacheFormat permits F16Format, BF16Format {
    /** Dimensions of a chunk of values. */
    int VALUE_CHUNK = 16;

    /** Whether the kernels read keys and values of {@code dims} dimensions (whole chunks, of whole vectors). */
    boolean readsInPlace(int dims);

    /** What the kernels' float operands must be multiplied by: a power of two. */
    float operandScale();

    /** Whether the kernels read these {@code count} elements exactly as decode does. */
    boolean readsExactly(MemorySegment seg, long offset, long count);

    /**
     * scores[sOff + r * keys + j] = sum over d in [0, dims) of q[qOff + r * dims + d] * K[d][j], for rows r in [0, 4)
     * and keys j in [0, keys), K stored [dims][keys] from byte {@code offset}: each score the FMA chain over d in
     * order, from zero, as {@code Kernels.broadcastProduct} computes it over decoded keys. {@code keys} must be a
     * multiple of {@link #keyMultiple()}.
     */
    void scores4(MemorySegment seg, long offset, int keys, float[] q, int qOff, int dims, float[] scores, int sOff);

    /**
     * acc[accOff + u * accStride + d] += sum over j in [0, count) of w[wOff + u * wStride + j] * V[j][d], for u in
     * [0, 4) and d in [0, dims): each sum in key order, as {@code Kernels.addWeightedRows4} adds decoded values.
     * V is stored in chunks from byte {@code offset}: dimension d of key j at
     * {@code offset + (d / VALUE_CHUNK) * chunkBytes + (j * VALUE_CHUNK + d % VALUE_CHUNK) * 2}.
     */
    void addWeighted4(float[] w, int wOff, int wStride, int count, MemorySegment seg, long offset, long chunkBytes,
                      int dims, float[] acc, int accOff, int accStride);

    /**
     * Has the JIT compile both kernels for heads of {@code dims} dimensions, once per process, on a thread of its
     * own (nothing where they do not read such heads): they run in decode only, so a
     * first decode step after a prompt would otherwise run them interpreted until they are (a first token after
     * 2,048 tokens took 604 ms against the 253 ms of the decode path, whose kernels the prompt had compiled).
     */
    default void warmUpInBackground(int dims) { HalfCacheKernels.warmUpInBackground(this, dims); }

    /** What {@link #scores4}'s key count must be a multiple of. */
    static int keyMultiple() { return HalfCacheKernels.KEY_STEP; }
}
