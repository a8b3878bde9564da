package org.mambaplayground.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A named, row-major tensor over a {@link MemorySegment}: a slice of a memory-mapped safetensors file
 * or a heap array. Weights are never copied; kernels in {@link Kernels} read them in their own dtype.
 */
public final class Tensor {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final MemorySegment data;

    public Tensor(String name, DType dtype, long[] shape, MemorySegment data) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data;
        long expected = size() * dtype.bytes();
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("tensor " + name + ": " + data.byteSize()
                    + " bytes of data for shape " + Arrays.toString(shape) + " " + dtype + " (expected " + expected + ")");
        }
    }

    /** An F32 tensor over a heap array (tests, small buffers). */
    public static Tensor ofFloats(String name, float[] values, long... shape) {
        return new Tensor(name, DType.F32, shape, MemorySegment.ofArray(values));
    }

    public String name() { return name; }
    public DType dtype() { return dtype; }
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

    /** Element {@code index} (row-major) as a float. Slow path: kernels use vector loads instead. */
    public float get(long index) {
        return switch (dtype) {
            case F32 -> data.get(F32, index * 4);
            case BF16 -> Float.intBitsToFloat((data.get(I16, index * 2) & 0xFFFF) << 16);
            case F16 -> Float.float16ToFloat(data.get(I16, index * 2));
        };
    }

    /** Copies the whole tensor into a new float array (small tensors only: norms, biases, A_log). */
    public float[] toFloatArray() {
        if (size() > Integer.MAX_VALUE) throw new IllegalStateException("tensor " + name + " is too large to copy");
        float[] out = new float[(int) size()];
        for (int i = 0; i < out.length; i++) out[i] = get(i);
        return out;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + " " + dtype;
    }
}
