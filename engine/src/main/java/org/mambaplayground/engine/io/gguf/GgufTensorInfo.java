package org.mambaplayground.engine.io.gguf;

import java.util.Arrays;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * A tensor's entry in a GGUF header. {@code dims} are in GGUF's order, innermost first (ne[0] is a row's
 * length), so a PyTorch [rows, cols] matrix has dims [cols, rows]; {@link #shape()} gives the row-major order.
 * {@code offset} is relative to the start of the data section.
 */
public record GgufTensorInfo(String name, long[] dims, WeightFormat format, long offset) {
    public GgufTensorInfo {
        dims = dims.clone();
    }

    @Override
    public long[] dims() { return dims.clone(); }

    /** The shape in row-major order (outermost first): dims reversed. */
    public long[] shape() {
        long[] shape = new long[dims.length];
        for (int i = 0; i < dims.length; i++) shape[i] = dims[dims.length - 1 - i];
        return shape;
    }

    public long elements() {
        long n = 1;
        for (long d : dims) n = Math.multiplyExact(n, d);
        return n;
    }

    public long byteSize() { return format.bytes(elements()); }

    /** GGUF dims for a row-major shape. */
    public static long[] dimsOf(long[] shape) {
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) dims[i] = shape[shape.length - 1 - i];
        return dims;
    }

    @Override
    public String toString() { return name + Arrays.toString(dims) + " " + format; }
}
