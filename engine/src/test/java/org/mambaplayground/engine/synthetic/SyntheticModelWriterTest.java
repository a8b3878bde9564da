package org.mambaplayground.engine.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.io.SafetensorsFile;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.model.TensorSpec;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.engine.tensor.Tensor;
import org.mambaplayground.engine.transformer.TransformerConfig;

class SyntheticModelWriterTest {
    static final Mamba2Config MAMBA = new Mamba2Config(64, 2, 100, 2, true, true, true, 1, false, 16, 4, 2, 16, 8);
    static final TransformerConfig TRANSFORMER = new TransformerConfig(64, 2, 16, 160, 4, 2, 1e-5, 100, 10000, 0, 0);

    @TempDir Path dir;

    @Test
    void mamba2FolderHasEveryTensorWithSensibleScales() throws IOException {
        Path folder = dir.resolve("mamba");
        SyntheticModelWriter.write(MAMBA, folder, WeightFormat.BF16, 7);
        assertThat(ModelLoader.readSpec(folder)).isEqualTo(MAMBA);
        try (SafetensorsFile f = ModelLoader.openWeights(folder, MAMBA)) {
            assertThat(f.names()).hasSize(MAMBA.tensorSpecs().size());
            for (TensorSpec spec : MAMBA.tensorSpecs()) assertThat(f.tensor(spec.name()).format()).isEqualTo(WeightFormat.BF16);
            String m = "model.backbone.layers.1.mixer.";
            for (float v : f.tensor(m + "norm.weight").toFloatArray()) assertThat(v).isEqualTo(1f);
            for (float v : f.tensor(m + "D").toFloatArray()) assertThat(v).isEqualTo(1f);
            for (float v : f.tensor(m + "A_log").toFloatArray()) assertThat(v).isBetween(0f, (float) Math.log(16) + 0.02f);
            for (float v : f.tensor(m + "dt_bias").toFloatArray()) {
                double dt = Math.log1p(Math.exp(v)); // softplus
                assertThat(dt).isBetween(1e-3 * 0.98, 1e-1 * 1.02);
            }
            assertStd(f.tensor(m + "in_proj.weight"), 1 / Math.sqrt(64));
            assertStd(f.tensor(m + "out_proj.weight"), 1 / Math.sqrt(128));
            assertStd(f.tensor("model.lm_head.weight"), 1 / Math.sqrt(64));
        }
    }

    @Test
    void transformerFolderRoundTripsAndIsDeterministic() throws IOException {
        Path a = dir.resolve("a"), b = dir.resolve("b"), c = dir.resolve("c");
        SyntheticModelWriter.write(TRANSFORMER, a, WeightFormat.F32, 1);
        SyntheticModelWriter.write(TRANSFORMER, b, WeightFormat.F32, 1);
        SyntheticModelWriter.write(TRANSFORMER, c, WeightFormat.F32, 2);
        assertThat(ModelLoader.readSpec(a)).isEqualTo(TRANSFORMER);
        byte[] wa = Files.readAllBytes(a.resolve(ModelLoader.WEIGHTS));
        assertThat(wa).isEqualTo(Files.readAllBytes(b.resolve(ModelLoader.WEIGHTS)));
        assertThat(wa).isNotEqualTo(Files.readAllBytes(c.resolve(ModelLoader.WEIGHTS)));
        assertThat(wa.length - 8L).isGreaterThanOrEqualTo(SyntheticModelWriter.weightBytes(TRANSFORMER, WeightFormat.F32));
        try (SafetensorsFile f = ModelLoader.openWeights(a, TRANSFORMER)) {
            assertStd(f.tensor("layers.0.feed_forward.w2.weight"), 1 / Math.sqrt(160));
            assertStd(f.tensor("tok_embeddings.weight"), 1);
            for (float v : f.tensor("norm.weight").toFloatArray()) assertThat(v).isEqualTo(1f);
        }
    }

    @Test
    void copiesTheTokenizerAndCancelsCleanly() throws IOException {
        Path tok = Files.writeString(dir.resolve("tekken.json"), "{}");
        Path folder = dir.resolve("t");
        SyntheticModelWriter.write(TRANSFORMER, folder, WeightFormat.BF16, 3, tok, bytes -> {}, () -> false);
        assertThat(folder.resolve("tekken.json")).hasContent("{}");

        Path cancelled = dir.resolve("cancelled");
        assertThatThrownBy(() -> SyntheticModelWriter.write(MAMBA, cancelled, WeightFormat.F32, 3, null, bytes -> {}, () -> true))
                .isInstanceOf(CancellationException.class);
        assertThat(cancelled.resolve(ModelLoader.WEIGHTS)).doesNotExist();
    }

    private static void assertStd(Tensor t, double expected) {
        float[] v = t.toFloatArray();
        double sum = 0, sq = 0;
        for (float x : v) { sum += x; sq += x * x; }
        double mean = sum / v.length, std = Math.sqrt(sq / v.length - mean * mean);
        assertThat(std).as("std of %s", t.name()).isCloseTo(expected, offset(expected * 0.1));
        assertThat(Math.abs(mean)).as("mean of %s", t.name()).isLessThan(expected * 0.1);
    }
}
