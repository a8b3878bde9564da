package org.mambaplayground.engine.tensor.format;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

/**
 * How a tensor's elements are stored: plain floats (F32, F16, BF16) or llama.cpp's GGML blocks (Q8_0,
 * Q4_0: 32 weights sharing an F16 scale; the k-quants Q4_K, Q5_K, Q6_K: super-blocks of 256 weights with
 * scales per 16 or 32). One class per format holds its layout and its kernels, which read
 * the stored bytes straight from a (memory-mapped) segment; a format added is one class here, and no code
 * elsewhere switches on formats except through this sealed type (so a missed case does not compile).
 *
 * <p>Offsets are in bytes and must fall on a block boundary; counts are in elements and, for block formats,
 * whole blocks. A row of a matrix is {@link #bytes(long)} of its length.
 */
public sealed interface WeightFormat permits F32Format, F16Format, BF16Format, Q8_0Format, Q4_0Format,
        Q4_KFormat, Q5_KFormat, Q6_KFormat {
    WeightFormat F32 = F32Format.INSTANCE;
    WeightFormat F16 = F16Format.INSTANCE;
    WeightFormat BF16 = BF16Format.INSTANCE;
    WeightFormat Q8_0 = Q8_0Format.INSTANCE;
    WeightFormat Q4_0 = Q4_0Format.INSTANCE;
    WeightFormat Q4_K = Q4_KFormat.INSTANCE;
    WeightFormat Q5_K = Q5_KFormat.INSTANCE;
    WeightFormat Q6_K = Q6_KFormat.INSTANCE;

    /** Every format the engine computes from. */
    List<WeightFormat> ALL = List.of(F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K);

    /** The name safetensors and llama.cpp use ("F32", "BF16", "Q8_0"). */
    String name();

    /** Elements per block: 1 for plain floats, 32 for Q8_0 and Q4_0, 256 for the k-quants. */
    int blockElements();

    /** Bytes of one block. */
    int blockBytes();

    /** llama.cpp's {@code ggml_type} id, as GGUF files record it. */
    int ggmlType();

    /** Whether safetensors can hold it (the plain float formats). */
    default boolean inSafetensors() { return blockElements() == 1; }

    /** Whether it is a block-quantized format (lossy: the model's numbers change). */
    default boolean quantized() { return blockElements() > 1; }

    /** Whether a row of {@code elements} elements is whole blocks. */
    default boolean fitsRow(long elements) { return elements % blockElements() == 0; }

    /** Bytes of {@code elements} elements, which must be whole blocks. */
    default long bytes(long elements) {
        if (elements < 0 || !fitsRow(elements)) {
            throw new IllegalArgumentException(name() + " stores whole blocks of " + blockElements() + " elements, not " + elements);
        }
        return Math.multiplyExact(elements / blockElements(), (long) blockBytes());
    }

    /** Element {@code index} of a tensor stored from byte 0 of {@code seg}: the scalar definition the kernels must agree with. */
    float get(MemorySegment seg, long index);

    /** Stores {@code count} floats of {@code src} from byte {@code offset} of {@code dst} (rounding or quantizing). */
    void encode(float[] src, int srcOff, MemorySegment dst, long offset, int count);

    /** out[outOff + i] = element i of the run stored at byte {@code offset}, for i in [0, count). */
    void decode(MemorySegment seg, long offset, float[] out, int outOff, int count);

    /** sum_i w[i] * x[xOff + i] over the {@code count} elements stored at byte {@code offset}. */
    float dot(MemorySegment seg, long offset, float[] x, int xOff, int count);

    /**
     * Decode's matrix-vector step: the dots with x of four rows stored {@code rowStride} bytes apart from
     * {@code offset}, into out[outOff + k * outStride] for k in 0..3. Block formats override it to load each x vector
     * once for four rows and keep four sums in flight: their dot is bound by instructions, not by memory. Callers
     * keep the four rows pages apart: rows read side by side in one page defeat the CPU's prefetcher (on the 2-core
     * EPYC of issue 11, two adjacent rows at once ran at half the speed of one).
     */
    default void dot4(MemorySegment seg, long offset, long rowStride, float[] x, int count, float[] out, int outOff, int outStride) {
        for (int k = 0; k < 4; k++) out[outOff + k * outStride] = dot(seg, offset + k * rowStride, x, 0, count);
    }

    /**
     * Whether {@link #dot4} is a kernel of its own, worth reading four rows at once; otherwise it is four calls of
     * dot, and a matrix-vector product reads its rows in order (one stream, which bandwidth-bound formats need).
     */
    default boolean fourRowDot() { return false; }

    /**
     * The prefill tile: weight rows r and r + 1 (stored at {@code row0} and {@code row0 + rowBytes}) times the
     * four token rows t0..t0+3 of x ([tokens, cols]), each weight block decoded once for all eight products;
     * stores out[t * rows + r'].
     */
    void dot2x4(MemorySegment seg, long row0, long rowBytes, float[] x, int t0, int cols, float[] out, int rows, int r);

    /** y[yOff + i] += alpha * w[i] over the {@code count} elements stored at byte {@code offset}. */
    void axpy(float alpha, MemorySegment seg, long offset, float[] y, int yOff, int count);

    /** The format of a safetensors dtype name, if the engine has it. */
    static Optional<WeightFormat> ofSafetensorsName(String dtype) {
        return ALL.stream().filter(f -> f.inSafetensors() && f.name().equals(dtype)).findFirst();
    }

    /** The format of a GGML type id, if the engine has it. */
    static Optional<WeightFormat> ofGgmlType(int type) {
        return ALL.stream().filter(f -> f.ggmlType() == type).findFirst();
    }

    /** The format named {@code name} (case-insensitive: "q8_0", "BF16"), if the engine has it. */
    static Optional<WeightFormat> named(String name) {
        return ALL.stream().filter(f -> f.name().equalsIgnoreCase(name)).findFirst();
    }

    /** The names of {@link #ALL}, for messages. */
    static String names() {
        return String.join(", ", ALL.stream().map(WeightFormat::name).toList());
    }
}
