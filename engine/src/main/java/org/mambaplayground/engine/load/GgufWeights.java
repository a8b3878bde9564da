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
            if (!file.names().contains(t.ggufName())) {
                throw new ModelFormatException(file.file(), "missing tensor " + t.ggufName() + " (the model's " + t.name() + ")");
            }
            tensors.put(t.name(), arch.fromGguf(t, file.tensor(t.ggufName()), file));
        }
    }

    private static final String TIED_OUTPUT = "output.weight", EMBEDDING = "token_embd.weight";

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
