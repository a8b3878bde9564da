package org.mambaplayground.engine.load;

import java.util.Arrays;
import java.util.Map;
import org.mambaplayground.engine.io.TensorValues;
import org.mambaplayground.engine.io.gguf.GgufFile;
import org.mambaplayground.engine.io.gguf.GgufValue;
import org.mambaplayground.engine.model.ModelFormatException;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.model.TensorSpec;
import org.mambaplayground.engine.tensor.Tensor;

/**
 * How one architecture is written to and read from llama.cpp's GGUF files: its {@code general.architecture}
 * name, its metadata keys, and the few tensors whose values change form (Mamba2's A). Names and GGUF shapes come
 * from the architecture's tensor list ({@link TensorSpec#ggufName()}, {@link TensorSpec#ggufShape()}).
 */
sealed interface GgufArchitecture permits Mamba2Gguf, TransformerGguf {
    /** llama.cpp's architecture name ("mamba2", "llama"). */
    String name();

    /** The architecture's metadata keys, as llama.cpp reads them. */
    Map<String, GgufValue> metadata(ModelSpec spec);

    /**
     * The configuration llama.cpp's keys describe, for GGUF files made by llama.cpp's converters (they carry no
     * params.json); every count bounded and checked to fit before the model is sized from it.
     */
    ModelSpec readSpec(GgufFile file);

    /** The values GGUF stores for {@code t}, from the checkpoint's tensor. */
    default TensorValues toGguf(TensorSpec t, Tensor source) { return TensorValues.of(source); }

    /** The checkpoint's tensor for {@code t} from the one GGUF stores (checked against its GGUF shape). */
    default Tensor fromGguf(TensorSpec t, Tensor stored, GgufFile file) { return asCheckpointShape(t, stored, file); }

    static GgufArchitecture of(ModelSpec spec) {
        return switch (spec.architecture()) {
            case MAMBA2 -> new Mamba2Gguf();
            case TRANSFORMER -> new TransformerGguf();
        };
    }

    /** The same bytes viewed in the checkpoint's shape, after checking the GGUF shape. */
    static Tensor asCheckpointShape(TensorSpec t, Tensor stored, GgufFile file) {
        if (!Arrays.equals(stored.shape(), t.ggufShape())) {
            throw new ModelFormatException(file.file(), "tensor " + t.ggufName() + " has shape " + Arrays.toString(stored.shape())
                    + " but the model's configuration implies " + Arrays.toString(t.ggufShape()));
        }
        return new Tensor(t.name(), stored.format(), t.shape(), stored.data());
    }
}
