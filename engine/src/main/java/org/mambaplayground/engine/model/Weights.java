package org.mambaplayground.engine.model;

import java.util.Arrays;
import org.mambaplayground.engine.tensor.Tensor;
import org.mambaplayground.engine.tensor.WeightSource;

/** Fetches tensors by name and checks each against the shape its configuration requires. */
public final class Weights {
    private final WeightSource source;

    public Weights(WeightSource source) { this.source = source; }

    /** The tensor, which must have exactly {@code shape}; otherwise a message naming file and tensor. */
    public Tensor tensor(String name, long... shape) {
        Tensor t = source.tensor(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new ModelFormatException(source.file(), "tensor " + name + " has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(shape));
        }
        return t;
    }

    /** A small tensor (norm weights, biases) copied to the heap as floats. */
    public float[] floats(String name, long... shape) { return tensor(name, shape).toFloatArray(); }
}
