package org.mambaplayground.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.mamba2.Mamba2Model;
import org.mambaplayground.engine.synthetic.SyntheticModelWriter;
import org.mambaplayground.engine.tensor.DType;
import org.mambaplayground.engine.transformer.TransformerConfig;
import org.mambaplayground.engine.transformer.TransformerModel;

class ModelLoaderTest {
    static final Mamba2Config TIED_MAMBA = new Mamba2Config(64, 3, 120, 2, true, true, true, 1, true, 16, 4, 2, 16, 8);
    static final TransformerConfig WINDOWED = new TransformerConfig(64, 2, 16, 160, 4, 2, 1e-5, 120, 10000, 16, 0);

    @TempDir Path dir;

    @Test
    void loadsBothArchitecturesFromSyntheticFolders() {
        for (ModelSpec spec : List.<ModelSpec>of(TIED_MAMBA, WINDOWED)) {
            for (DType dtype : DType.values()) {
                Path folder = dir.resolve(spec.architecture() + "-" + dtype);
                SyntheticModelWriter.write(spec, folder, dtype, 5);
                // these folders have no tokenizer (vocabulary 120): the model alone is opened
                try (Model model = ModelLoader.loadModel(folder, ModelLoader.Options.DEFAULT)) {
                    assertThat(model).isInstanceOf(spec instanceof Mamba2Config ? Mamba2Model.class : TransformerModel.class);
                    assertThat(model.spec()).isEqualTo(spec);
                    InferenceState state = model.newState();
                    float[] logits = model.prefill(state, new int[] {1, 7, 42, 99, 3});
                    assertThat(logits).hasSize(120);
                    for (float v : logits) assertThat(Float.isFinite(v)).as("finite logits from random init").isTrue();
                    float[] next = model.decode(state, 8);
                    for (float v : next) assertThat(Float.isFinite(v)).isTrue();
                }
            }
        }
    }

    @Test
    void pretouchReportsProgressAndCanBeCancelled() {
        Path folder = dir.resolve("m");
        SyntheticModelWriter.write(TIED_MAMBA, folder, DType.F32, 5);
        List<String> stages = new ArrayList<>();
        List<Double> fractions = new ArrayList<>();
        try (Model model = ModelLoader.loadModel(folder, new ModelLoader.Options(true, (stage, f) -> {
            stages.add(stage);
            fractions.add(f);
        }, new CancellationToken()))) {
            assertThat(model.spec()).isEqualTo(TIED_MAMBA);
        }
        assertThat(stages).contains("Reading weights", "Building the model");
        assertThat(fractions).contains(1.0);

        CancellationToken cancel = new CancellationToken();
        cancel.cancel();
        assertThatThrownBy(() -> ModelLoader.load(folder, new ModelLoader.Options(true, ModelLoader.Listener.NONE, cancel)))
                .isInstanceOf(CancellationException.class);
    }
}
