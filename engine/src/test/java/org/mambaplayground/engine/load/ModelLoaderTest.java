package org.mambaplayground.engine.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.mambaplayground.engine.model.*;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.mamba2.Mamba2Model;
import org.mambaplayground.engine.synthetic.SyntheticModelWriter;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.engine.tokenizer.SentencePieceTokenizer;
import org.mambaplayground.engine.tokenizer.TekkenTokenizer;
import org.mambaplayground.engine.transformer.TransformerConfig;
import org.mambaplayground.engine.transformer.TransformerModel;

class ModelLoaderTest {
    static final Mamba2Config TIED_MAMBA = new Mamba2Config(64, 3, 5000, 2, true, true, true, 1, true, 16, 4, 2, 16, 8);
    static final TransformerConfig WINDOWED = new TransformerConfig(64, 2, 16, 160, 4, 2, 1e-5, 5000, 10000, 16, 0);

    @TempDir Path dir;

    @Test
    void loadsBothArchitecturesFromSyntheticFolders() {
        for (ModelSpec spec : List.<ModelSpec>of(TIED_MAMBA, WINDOWED)) {
            for (WeightFormat dtype : List.of(WeightFormat.F32, WeightFormat.F16, WeightFormat.BF16)) {
                Path folder = dir.resolve(spec.architecture() + "-" + dtype);
                SyntheticModelWriter.write(spec, folder, dtype, 5, demoTokenizer(spec), bytes -> {}, () -> false);
                try (LoadedModel loaded = ModelLoader.load(folder)) {
                    assertThat(loaded.tokenizer()).isInstanceOf(spec instanceof Mamba2Config ? SentencePieceTokenizer.class : TekkenTokenizer.class);
                    assertThat(loaded.chatFormat()).isNotNull();
                    int[] prompt = loaded.tokenizer().encode("Hello world");
                    assertThat(loaded.model().prefill(loaded.model().newState(), prompt)).hasSize(5000);
                    assertThat(loaded.name()).isEqualTo(folder.getFileName().toString());
                    assertThat(loaded.model()).isInstanceOf(spec instanceof Mamba2Config ? Mamba2Model.class : TransformerModel.class);
                    assertThat(loaded.model().spec()).isEqualTo(spec);
                    InferenceState state = loaded.model().newState();
                    float[] logits = loaded.model().prefill(state, new int[] {1, 7, 42, 99, 3});
                    assertThat(logits).hasSize(5000);
                    for (float v : logits) assertThat(Float.isFinite(v)).as("finite logits from random init").isTrue();
                    float[] next = loaded.model().decode(state, 8);
                    for (float v : next) assertThat(Float.isFinite(v)).isTrue();
                }
            }
        }
    }

    /** The demo models' tokenizers in the assets module (SentencePiece v3 for Mamba2, tekken for the transformer). */
    static Path demoTokenizer(ModelSpec spec) {
        Path demo = Path.of("..", "assets", "src", "main", "resources", "org", "mambaplayground", "assets", "demo");
        return spec instanceof Mamba2Config ? demo.resolve("codestral-mamba-demo/tokenizer.model.v3") : demo.resolve("mistral-nemo-demo/tekken.json");
    }

    @Test
    void aFolderWithoutTokenizerOrWithAForeignOneFails() {
        Path folder = dir.resolve("no-tokenizer");
        SyntheticModelWriter.write(WINDOWED, folder, WeightFormat.BF16, 5);
        assertThatThrownBy(() -> ModelLoader.load(folder)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(folder.toString()).hasMessageContaining("tekken.json");
        // the weights alone still load
        try (Model model = ModelLoader.loadModel(folder, ModelLoader.Options.DEFAULT)) {
            assertThat(model.spec()).isEqualTo(WINDOWED);
        }

        Path small = dir.resolve("small-vocab");
        TransformerConfig tiny = new TransformerConfig(32, 1, 8, 64, 4, 2, 1e-5, 100, 10000, 0, 0);
        SyntheticModelWriter.write(tiny, small, WeightFormat.BF16, 5, demoTokenizer(tiny), bytes -> {}, () -> false);
        assertThatThrownBy(() -> ModelLoader.load(small)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(small.resolve("tekken.json").toString()).hasMessageContaining("vocab_size is 100");
    }

    @Test
    void pretouchReportsProgressAndCanBeCancelled() {
        Path folder = dir.resolve("m");
        SyntheticModelWriter.write(TIED_MAMBA, folder, WeightFormat.F32, 5);
        List<String> stages = new ArrayList<>();
        List<Double> fractions = new ArrayList<>();
        try (Model model = ModelLoader.loadModel(folder, new ModelLoader.Options(true, (stage, f) -> {
            stages.add(stage);
            fractions.add(f);
        }, new CancellationToken()))) {
            assertThat(model.spec()).isEqualTo(TIED_MAMBA);
        }
        assertThat(stages).contains("Reading weights", "Building the model");
        assertThat(fractions).contains(0.9).isSorted().allMatch(f -> f >= 0 && f <= 1);

        CancellationToken cancel = new CancellationToken();
        cancel.cancel();
        assertThatThrownBy(() -> ModelLoader.load(folder, new ModelLoader.Options(true, ModelLoader.Listener.NONE, cancel)))
                .isInstanceOf(CancellationException.class);
    }

    @Test
    void theKvCacheFormatIsAnOptionCheckedAgainstTheModel() {
        Path folder = dir.resolve("kv");
        SyntheticModelWriter.write(WINDOWED, folder, WeightFormat.BF16, 5);
        try (Model model = ModelLoader.loadModel(folder, ModelLoader.Options.DEFAULT)) {
            assertThat(((TransformerModel) model).kvFormat()).isEqualTo(TransformerConfig.DEFAULT_KV_FORMAT);
        }
        try (Model model = ModelLoader.loadModel(folder, ModelLoader.Options.DEFAULT.withKvFormat(WeightFormat.BF16))) {
            assertThat(((TransformerModel) model).kvFormat()).isEqualTo(WeightFormat.BF16);
            assertThat(model.newState().bytes()).isZero();
        }
        // head_dim 16: no whole Q8_0 blocks per head
        assertThatThrownBy(() -> ModelLoader.loadModel(folder, ModelLoader.Options.DEFAULT.withKvFormat(WeightFormat.Q8_0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("head_dim is 16");
    }
}
