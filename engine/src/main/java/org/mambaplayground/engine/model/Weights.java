package org.mambaplayground.engine.model;

import java.util.Arrays;
import org.mambaplayground.engine.tensor.Tensor;
import org.mambaplayground.engine.tensor.WeightSource;

/** Fetches the tensors an architecture lists and checks each against the shape its configuration requires. */
public final class Weights {
    private final WeightSource source;

    public Weights(WeightSource source) { this.source = source; }

    /** The tensor, which must have exactly the spec's shape; otherwise a message naming file and tensor. */
    public Tensor tensor(TensorSpec spec) {
        Tensor t = source.tensor(spec.name());
        if (!spec.hasShape(t.shape())) {
            throw new ModelFormatException(source.file(), "tensor " + spec.name() + " has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(spec.shape()));
        }
        return t;
    }

    /** A small tensor (norm weights, biases) copied to the heap as floats. */
    public float[] floats(TensorSpec spec) { return tensor(spec).toFloatArray(); }
}
