package org.mambaplayground.engine.model;

import java.util.Arrays;

/**
 * A tensor a configuration requires: its name in Mistral's consolidated.safetensors, its name in llama.cpp's
 * GGUF files, and its exact shape (PyTorch order: rows, then columns). Each architecture lists its tensors
 * once (Mamba2Tensors, TransformerTensors); the config's checks, the layers and the converters all read them there.
 */
public record TensorSpec(String name, String ggufName, long[] shape) {
    public TensorSpec {
        shape = shape.clone();
    }

    @Override
    public long[] shape() { return shape.clone(); }

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
        return o instanceof TensorSpec t && name.equals(t.name) && ggufName.equals(t.ggufName) && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() { return 31 * name.hashCode() + Arrays.hashCode(shape); }

    @Override
    public String toString() { return name + Arrays.toString(shape); }
}
