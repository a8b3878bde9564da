package org.mambaplayground.engine.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.engine.transformer.TransformerConfig;

/** A decode step reads every weight once but only one row of an untied embedding table. */
class DecodeBytesTest {
    @Test
    void untiedEmbeddingCountsOneRow() {
        Mamba2Config codestral = Mamba2Config.codestralMamba7B(); // separate lm_head
        long embedding = (long) codestral.paddedVocabSize() * codestral.dim();
        assertThat(Benchmark.decodeBytesPerToken(codestral, WeightFormat.BF16))
                .isEqualTo((codestral.parameterCount() - embedding + codestral.dim()) * 2);
        TransformerConfig nemo = TransformerConfig.mistralNemo12B();
        assertThat(Benchmark.decodeBytesPerToken(nemo, WeightFormat.BF16))
                .isEqualTo((nemo.parameterCount() - (long) nemo.vocabSize() * nemo.dim() + nemo.dim()) * 2);
    }

    @Test
    void tiedEmbeddingIsReadWhole() {
        Mamba2Config tied = new Mamba2Config(64, 2, 100, 1, true, true, true, 1, true, 16, 4, 2, 16, 8);
        assertThat(Benchmark.decodeBytesPerToken(tied, WeightFormat.F32)).isEqualTo(tied.parameterCount() * 4);
    }
}
