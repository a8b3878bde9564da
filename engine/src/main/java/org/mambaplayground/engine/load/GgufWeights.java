package org.mambaplayground.engine.load;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.mambaplayground.engine.io.gguf.GgufFile;
import org.mambaplayground.engine.model.ModelFormatException;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.model.TensorSpec;
import org.mambaplayground.engine.tensor.Tensor;
import org.mambaplayground.engine.tensor.WeightSource;
import org.mambaplayground.engine.transformer.TransformerTensors;

/**
 * A GGUF file seen as the checkpoint the architecture expects: each tensor under its consolidated name and shape
 * (the same mapped bytes; only Mamba2's A is recomputed, on the heap), every one checked to be present with its
 * GGUF shape before the model is built.
 */
final class GgufWeights implements WeightSource {
    private final GgufFile file;
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    GgufWeights(GgufFile file, ModelSpec spec) {
        this.file = file;
        GgufArchitecture arch = GgufArchitecture.of(spec);
        for (TensorSpec t : spec.tensorSpecs()) {
            if (t.ggufName().equals(TIED_OUTPUT) && !file.names().contains(TIED_OUTPUT) && file.names().contains(EMBEDDING)) {
                // llama.cpp's rule: without output.weight the embedding is the output head too.
                tensors.put(t.name(), arch.fromGguf(t, renamed(file.tensor(EMBEDDING), TIED_OUTPUT), file));
                continue;
            }
            int expert = TransformerTensors.expertIndex(t);
            if (expert >= 0 && !file.names().contains(t.ggufName()) && file.names().contains(TransformerTensors.stackedGgufName(t))) {
                tensors.put(t.name(), arch.fromGguf(t, expertOf(file.tensor(TransformerTensors.stackedGgufName(t)), expert, t), file));
                continue;
            }
            if (!file.names().contains(t.ggufName())) {
                throw new ModelFormatException(file.file(), "missing tensor " + t.ggufName() + " (the model's " + t.name() + ")");
            }
            tensors.put(t.name(), arch.fromGguf(t, file.tensor(t.ggufName()), file));
        }
    }

    private static final String TIED_OUTPUT = "output.weight", EMBEDDING = "token_embd.weight";

    /**
     * Expert {@code e} of llama.cpp's stacked expert tensor (shape [experts, rows, columns] in row-major order): the
     * same mapped bytes, one expert's matrix after another.
     */
    private Tensor expertOf(Tensor stacked, int e, TensorSpec t) {
        long[] want = t.ggufShape();
        if (stacked.rank() != 3 || stacked.dim(0) <= e || stacked.dim(1) != want[0] || stacked.dim(2) != want[1]) {
            throw new ModelFormatException(file.file(), "tensor " + stacked.name() + " has shape " + java.util.Arrays.toString(stacked.shape())
                    + " but the model's configuration implies [experts > " + e + ", " + want[0] + ", " + want[1] + "]");
        }
        long bytes = stacked.format().bytes(want[0] * want[1]);
        return new Tensor(t.ggufName(), stacked.format(), want, stacked.data().asSlice(e * bytes, bytes));
    }

    private static Tensor renamed(Tensor t, String name) { return new Tensor(name, t.format(), t.shape(), t.data()); }

    GgufFile gguf() { return file; }

    @Override public Set<String> names() { return tensors.keySet(); }

    @Override
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new ModelFormatException(file.file(), "missing tensor " + name);
        return t;
    }

    @Override public Path file() { return file.file(); }

    @Override public void close() { file.close(); }
}
