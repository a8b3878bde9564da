package org.mambaplayground.engine.mamba2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.mambaplayground.engine.model.ModelFormatException;
import org.mambaplayground.engine.model.TensorSpec;

class Mamba2ConfigTest {
    private static final Path FILE = Path.of("models/codestral/params.json");

    @Test
    void readsCodestralMambaParamsJson() throws Exception {
        // Codestral Mamba 7B's params.json as published.
        String json = """
                {"dim": 4096, "n_layers": 64, "vocab_size": 32768, "n_groups": 8, "rms_norm": true,
                 "residual_in_fp32": true, "fused_add_norm": true, "pad_vocab_size_multiple": 1,
                 "tie_embeddings": false, "model_type": "mamba"}""";
        Mamba2Config c = Mamba2Config.fromParams(new ObjectMapper().readTree(json), FILE);
        assertThat(c).isEqualTo(Mamba2Config.codestralMamba7B());
        assertThat(c.toParams()).isEqualTo(new ObjectMapper().readTree(json));
        assertThat(c.nHeads()).isEqualTo(128);
        assertThat(c.inProjDim()).isEqualTo(2 * 8192 + 2 * 8 * 128 + 128);
        assertThat(c.convDim()).isEqualTo(8192 + 2 * 8 * 128);
        // 7.29 B parameters, as the model card says ("7,285,403,648").
        assertThat(c.parameterCount()).isEqualTo(7_285_403_648L);
        assertThat(c.tensorSpecs()).contains(
                new TensorSpec("model.backbone.layers.63.mixer.in_proj.weight", "blk.63.ssm_in.weight", new long[] {18560, 4096}),
                new TensorSpec("model.backbone.layers.0.mixer.conv1d.weight", "blk.0.ssm_conv1d.weight", new long[] {10240, 1, 4}, new long[] {10240, 4}),
                new TensorSpec("model.lm_head.weight", "output.weight", new long[] {32768, 4096}));
        // Constant state: (conv 10240 x 3 + SSM 128 x 64 x 128) floats per layer.
        assertThat(c.stateBytesAt(16)).isEqualTo(c.stateBytesAt(100_000))
                .isEqualTo(64L * (10240 * 3 + 128 * 64 * 128) * 4);
    }

    @Test
    void optionalMixerKeysRoundTrip() {
        Mamba2Config small = new Mamba2Config(64, 2, 100, 2, true, true, true, 16, true, 16, 3, 2, 16, 8);
        assertThat(Mamba2Config.fromParams(small.toParams(), FILE)).isEqualTo(small);
        assertThat(small.paddedVocabSize()).isEqualTo(112);
        assertThat(small.tensorSpecs()).noneMatch(t -> t.name().endsWith("lm_head.weight"));
    }

    @Test
    void missingOrWrongKeysNameFileAndKey() {
        ObjectNode p = Mamba2Config.codestralMamba7B().toParams();
        p.remove("n_groups");
        assertThatThrownBy(() -> Mamba2Config.fromParams(p, FILE)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(FILE.toString()).hasMessageContaining("'n_groups'");
        ObjectNode q = Mamba2Config.codestralMamba7B().toParams();
        q.put("dim", "4096");
        assertThatThrownBy(() -> Mamba2Config.fromParams(q, FILE)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("'dim' must be an integer");
        ObjectNode r = Mamba2Config.codestralMamba7B().toParams();
        r.put("n_groups", 3);
        assertThatThrownBy(() -> Mamba2Config.fromParams(r, FILE)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("'n_groups'");
        ObjectNode s = Mamba2Config.codestralMamba7B().toParams();
        s.put("tie_embeddings", 1);
        assertThatThrownBy(() -> Mamba2Config.fromParams(s, FILE)).hasMessageContaining("'tie_embeddings' must be true or false");
    }
}
