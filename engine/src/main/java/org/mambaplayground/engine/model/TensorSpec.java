package org.mambaplayground.engine.model;

import java.util.Arrays;

/**
 * A tensor a configuration requires: its name in Mistral's consolidated.safetensors, its name in llama.cpp's
 * GGUF files, and its exact shape (PyTorch order: rows, then columns). Each architecture lists its tensors
 * once (Mamba2Tensors, TransformerTensors); the config's checks, the layers and the converters all read them there.
 */
public record TensorSpec(String name, String ggufName, long[] shape, long[] ggufShape) {
    public TensorSpec {
        shape = shape.clone();
        ggufShape = ggufShape.clone();
        long a = 1, b = 1;
        for (long d : shape) a *= d;
        for (long d : ggufShape) b *= d;
        if (a != b) throw new IllegalArgumentException("tensor " + name + ": GGUF shape holds another number of elements");
    }

    /** A tensor GGUF files hold in the same row-major shape. */
    public TensorSpec(String name, String ggufName, long[] shape) { this(name, ggufName, shape, shape); }

    @Override
    public long[] shape() { return shape.clone(); }

    /** The row-major shape llama.cpp gives it (the same bytes, grouped otherwise: conv1d squeezed, norms by group). */
    @Override
    public long[] ggufShape() { return ggufShape.clone(); }

    /** Number of elements. */
    public long size() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    /** A weight matrix (projections, embeddings, output head): what quantization applies to. */
    public boolean isMatrix() { return shape.length == 2; }

    /** Elements of one row (the last dimension). */
    public long columns() { return shape.length == 0 ? 1 : shape[shape.length - 1]; }

    public boolean hasShape(long[] other) { return Arrays.equals(shape, other); }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && name.equals(t.name) && ggufName.equals(t.ggufName) && Arrays.equals(shape, t.shape)
                && Arrays.equals(ggufShape, t.ggufShape);
    }

    @Override
    public int hashCode() { return 31 * name.hashCode() + Arrays.hashCode(shape); }

    @Override
    public String toString() { return name + Arrays.toString(shape); }
}
