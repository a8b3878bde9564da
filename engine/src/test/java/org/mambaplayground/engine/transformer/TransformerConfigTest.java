package org.mambaplayground.engine.transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.mambaplayground.engine.model.ModelFormatException;
import org.mambaplayground.engine.tensor.format.WeightFormat;

class TransformerConfigTest {
    private static final Path FILE = Path.of("models/nemo/params.json");

    @Test
    void readsNemoParamsJson() throws Exception {
        String json = """
                {"dim": 5120, "n_layers": 40, "head_dim": 128, "hidden_dim": 14336, "n_heads": 32,
                 "n_kv_heads": 8, "rope_theta": 1000000.0, "norm_eps": 1e-05, "vocab_size": 131072}""";
        TransformerConfig c = TransformerConfig.fromParams(new ObjectMapper().readTree(json), FILE);
        assertThat(c).isEqualTo(TransformerConfig.mistralNemo12B());
        assertThat(TransformerConfig.fromParams(c.toParams(), FILE)).isEqualTo(c);
        assertThat(c.parameterCount()).isEqualTo(12_247_782_400L);
        assertThat(c.hasSlidingWindow()).isFalse();
        // 40 layers x 2 (K and V) x 8 KV heads x 128 = 81,920 numbers per token, in 32-token blocks: 327,680
        // bytes in F32, 163,840 in F16 (the default) and BF16, and 87,040 in Q8_0 (34 bytes per 32 numbers).
        assertThat(c.kvBytesPerToken(WeightFormat.F32)).isEqualTo(327_680L);
        assertThat(c.kvBytesPerToken(WeightFormat.F16)).isEqualTo(c.kvBytesPerToken(WeightFormat.BF16)).isEqualTo(163_840L);
        assertThat(c.kvBytesPerToken(WeightFormat.Q8_0)).isEqualTo(87_040L);
        assertThat(c.kvBytesPerToken()).isEqualTo(163_840L);
        assertThat(c.stateBytesAt(1)).isEqualTo(32 * 163_840L).isEqualTo(c.stateBytesAt(1, WeightFormat.F16));
        assertThat(c.stateBytesAt(100_000)).isEqualTo(100_000L * 163_840L);
        assertThat(c.stateBytesAt(100_000, WeightFormat.F32)).isEqualTo(100_000L * 327_680L);
        assertThat(c.stateBytesAt(100_000, WeightFormat.Q8_0)).isEqualTo(100_000L * 87_040L);
        assertThat(c.describe()).containsEntry("KV cache per token", "164 kB (F16)").doesNotContainKey("KV cache at most");
    }

    @Test
    void mistral7BWithoutRopeThetaUses10000AndSlidingWindow() throws Exception {
        String json = """
                {"dim": 4096, "n_layers": 32, "head_dim": 128, "hidden_dim": 14336, "n_heads": 32,
                 "n_kv_heads": 8, "norm_eps": 1e-05, "sliding_window": 4096, "vocab_size": 32000}""";
        TransformerConfig c = TransformerConfig.fromParams(new ObjectMapper().readTree(json), FILE);
        assertThat(c).isEqualTo(TransformerConfig.mistral7B());
        assertThat(c.ropeTheta()).isEqualTo(10_000.0);
        assertThat(c.parameterCount()).isEqualTo(7_241_732_096L);
        assertThat(c.stateBytesAt(4096)).isEqualTo(c.stateBytesAt(1_000_000)).isEqualTo(4096L * c.kvBytesPerToken());
        assertThat(c.stateBytesAt(1_000_000, WeightFormat.F32)).isEqualTo(4096L * 2 * 32 * 1024 * 4);
        // 32 layers x 2 x 1024 x 2 bytes = 131,072 bytes per token; 4096 of them at most.
        assertThat(c.describe()).containsEntry("KV cache per token", "131 kB (F16)").containsEntry("KV cache at most", "537 MB (F16)");
    }

    @Test
    void missingOrWrongKeysNameFileAndKey() {
        ObjectNode p = TransformerConfig.mistralNemo12B().toParams();
        p.remove("head_dim");
        assertThatThrownBy(() -> TransformerConfig.fromParams(p, FILE)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(FILE.toString()).hasMessageContaining("'head_dim'");
        ObjectNode q = TransformerConfig.mistralNemo12B().toParams();
        q.put("norm_eps", "small");
        assertThatThrownBy(() -> TransformerConfig.fromParams(q, FILE)).hasMessageContaining("'norm_eps' must be a number");
        ObjectNode r = TransformerConfig.mistralNemo12B().toParams();
        r.put("n_kv_heads", 5);
        assertThatThrownBy(() -> TransformerConfig.fromParams(r, FILE)).hasMessageContaining("'n_kv_heads'");
        ObjectNode s = TransformerConfig.mistralNemo12B().toParams();
        s.put("sliding_window", -1);
        assertThatThrownBy(() -> TransformerConfig.fromParams(s, FILE)).hasMessageContaining("'sliding_window'");
    }
}
