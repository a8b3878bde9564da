package org.mambaplayground.engine.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.io.gguf.GgufValue;
import org.mambaplayground.engine.io.gguf.GgufWriter;
import org.mambaplayground.engine.model.InferenceState;
import org.mambaplayground.engine.model.Logits;
import org.mambaplayground.engine.model.Model;
import org.mambaplayground.engine.model.ModelFormatException;
import org.mambaplayground.engine.model.TensorSpec;
import org.mambaplayground.engine.synthetic.SyntheticModelWriter;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.engine.transformer.MixtureOfExperts;
import org.mambaplayground.engine.transformer.TransformerConfig;
import org.mambaplayground.engine.transformer.TransformerTensors;

/**
 * Mixtral in GGUF: llama.cpp's metadata (expert_count, expert_used_count, attention.sliding_window) read back into
 * the same configuration, and llama.cpp's stacked expert tensors (blk.N.ffn_gate_exps.weight: every expert of a
 * layer in one 3-D tensor) sliced per expert to the logits of the consolidated checkpoint.
 */
class MoeGgufTest {
    static final TransformerConfig MOE = new TransformerConfig(64, 2, 32, 96, 4, 2, 1e-5, 53, 10_000.0, 8, 0, new MixtureOfExperts(4, 2));

    @TempDir Path dir;

    @Test
    void stackedExpertsAsLlamaCppWritesThemRunLikeTheCheckpoint() {
        Path folder = dir.resolve("moe");
        SyntheticModelWriter.write(MOE, folder, WeightFormat.F32, 3);
        Path gguf = dir.resolve("stacked.gguf");
        try (var weights = ModelLoader.openWeights(folder, MOE)) {
            writeStacked(weights, gguf);
        }
        // norm_eps comes back as GGUF's float32
        assertThat(GgufModels.readSpec(gguf)).isEqualTo(new TransformerConfig(64, 2, 32, 96, 4, 2, (float) 1e-5, 53, 10_000.0, 8,
                (int) MOE.maxContext(), new MixtureOfExperts(4, 2)));
        int[] tokens = {5, 9, 1, 52, 17, 3, 3, 8, 40, 11, 2, 30};
        try (Model checkpoint = ModelLoader.loadModel(folder, ModelLoader.Options.DEFAULT);
             Model stacked = GgufModels.loadModel(gguf, ModelLoader.Options.DEFAULT)) {
            InferenceState a = checkpoint.newState(), b = stacked.newState();
            // The same F32 weights; only norm_eps differs, rounded to float32 by GGUF: last bits.
            for (int t : tokens) Logits.assertClose(stacked.decode(b, t), checkpoint.decode(a, t), 1e-5, "token " + t);
        }
    }

    @Test
    void aStackedTensorOfTheWrongShapeNamesIt() {
        Path folder = dir.resolve("moe");
        SyntheticModelWriter.write(MOE, folder, WeightFormat.F32, 3);
        Path gguf = dir.resolve("stacked.gguf");
        try (var weights = ModelLoader.openWeights(folder, MOE)) {
            writeStacked(weights, gguf);
        }
        // Experts of hidden 96 stacked in the file; a configuration of hidden 128 is told which tensor differs.
        try (var g = org.mambaplayground.engine.io.gguf.GgufFile.openModel(gguf)) {
            assertThatThrownBy(() -> new GgufWeights(g, withHidden(MOE, 128)))
                    .isInstanceOf(ModelFormatException.class).hasMessageContaining("blk.0.ffn_gate_exps.weight");
        }
    }

    private static TransformerConfig withHidden(TransformerConfig c, int hidden) {
        return new TransformerConfig(c.dim(), c.nLayers(), c.headDim(), hidden, c.nHeads(), c.nKvHeads(), c.normEps(),
                c.vocabSize(), c.ropeTheta(), c.slidingWindow(), c.maxSeqLen(), c.moe());
    }

    /** The checkpoint in llama.cpp's layout: per-layer experts stacked into [experts, rows, columns] tensors. */
    private static void writeStacked(org.mambaplayground.engine.tensor.WeightSource weights, Path gguf) {
        Map<String, GgufValue> meta = new java.util.LinkedHashMap<>();
        meta.put("general.architecture", GgufValue.string("llama"));
        meta.putAll(new TransformerGguf().metadata(MOE));
        List<GgufWriter.Entry> entries = new ArrayList<>();
        java.util.Set<String> stackedDone = new java.util.HashSet<>();
        TransformerTensors names = MOE.tensors();
        for (TensorSpec t : MOE.tensorSpecs()) {
            int expert = TransformerTensors.expertIndex(t);
            if (expert < 0) {
                entries.add(GgufWriter.Entry.copyOf(t.ggufName(), weights.tensor(t.name())));
                continue;
            }
            String stacked = TransformerTensors.stackedGgufName(t);
            if (!stackedDone.add(stacked)) continue;
            int layer = Integer.parseInt(t.ggufName().split("\\.")[1]);
            long rows = t.shape()[0], cols = t.shape()[1];
            float[] all = new float[(int) (4 * rows * cols)];
            for (int e = 0; e < 4; e++) {
                TensorSpec one = switch (t.ggufName().split("\\.")[2]) {
                    case "ffn_gate" -> names.expertW1(layer, e);
                    case "ffn_down" -> names.expertW2(layer, e);
                    default -> names.expertW3(layer, e);
                };
                float[] v = weights.tensor(one.name()).toFloatArray();
                System.arraycopy(v, 0, all, (int) (e * rows * cols), v.length);
            }
            entries.add(new GgufWriter.Entry(stacked, new long[] {4, rows, cols}, WeightFormat.F32,
                    (offset, chunk, count) -> System.arraycopy(all, (int) offset, chunk, 0, count)));
        }
        GgufWriter.write(gguf, meta, entries);
    }
}
