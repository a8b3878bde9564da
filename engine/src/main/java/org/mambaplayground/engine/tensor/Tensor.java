package org.mambaplayground.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * A named, row-major tensor over a {@link MemorySegment} in one {@link WeightFormat}: a slice of a memory-mapped
 * safetensors or GGUF file, or a heap array. Weights are never copied; kernels in {@link Kernels} read them in
 * their stored format. Block formats need rows (the last dimension) of whole blocks.
 */
public final class Tensor {
    private final String name;
    private final WeightFormat format;
    private final long[] shape;
    private final MemorySegment data;

    public Tensor(String name, WeightFormat format, long[] shape, MemorySegment data) {
        this.name = name;
        this.format = format;
        this.shape = shape.clone();
        this.data = data;
        long columns = columns();
        if (!format.fitsRow(columns)) {
            throw new IllegalArgumentException("tensor " + name + ": rows of " + columns + " elements are not whole "
                    + format + " blocks of " + format.blockElements());
        }
        long expected = format.bytes(size());
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("tensor " + name + ": " + data.byteSize()
                    + " bytes of data for shape " + Arrays.toString(shape) + " " + format + " (expected " + expected + ")");
        }
    }

    /** An F32 tensor over a heap array (tests, small buffers). */
    public static Tensor ofFloats(String name, float[] values, long... shape) {
        return new Tensor(name, WeightFormat.F32, shape, MemorySegment.ofArray(values));
    }

    public String name() { return name; }
    public WeightFormat format() { return format; }
    public long[] shape() { return shape.clone(); }
    public int rank() { return shape.length; }
    public long dim(int i) { return shape[i]; }
    public MemorySegment data() { return data; }

    public long size() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    public long byteSize() { return data.byteSize(); }

    /** Bytes of one row (the last dimension). */
    public long rowBytes() { return format.bytes(columns()); }

    /** Elements of one row: the last dimension (1 for a scalar). */
    private long columns() { return shape.length == 0 ? 1 : shape[shape.length - 1]; }

    /** Element {@code index} (row-major) as a float. Slow path: kernels use vector loads instead. */
    public float get(long index) { return format.get(data, index); }

    /** Copies the whole tensor into a new float array (small tensors only: norms, biases, A_log). */
    public float[] toFloatArray() {
        if (size() > Integer.MAX_VALUE) throw new IllegalStateException("tensor " + name + " is too large to copy");
        float[] out = new float[(int) size()];
        for (int i = 0; i < out.length; i++) out[i] = get(i);
        return out;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + " " + format;
    }
}
