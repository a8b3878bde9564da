package org.mambaplayground.gui.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.model.Sizes;
import org.mambaplayground.engine.transformer.TransformerConfig;

class ArchitectureRowsTest {
    @Test
    void rowsJoinBothDescriptionsAndAddStateSizesAtThreeContexts() {
        Mamba2Config mamba = Mamba2Config.codestralMamba7B();
        TransformerConfig nemo = TransformerConfig.mistralNemo12B();
        List<ArchitectureRows.Row> rows = ArchitectureRows.of(Arrays.asList(mamba, nemo, null));
        ArchitectureRows.Row layers = rows.stream().filter(r -> r.property().equals("Layers")).findFirst().orElseThrow();
        assertThat(layers.values()).containsExactly("64", "40", "\u2014");
        // a row only one architecture has shows a dash for the other
        ArchitectureRows.Row state = rows.stream().filter(r -> r.property().equals("State dim")).findFirst().orElseThrow();
        assertThat(state.values().get(1)).isEqualTo("\u2014");
        ArchitectureRows.Row at32k = rows.stream().filter(r -> r.property().equals("State at 32k tokens")).findFirst().orElseThrow();
        assertThat(at32k.values().get(0)).isEqualTo(Sizes.bytes(mamba.stateBytesAt(32_000)));
        assertThat(at32k.values().get(1)).isEqualTo(Sizes.bytes(nemo.stateBytesAt(32_000)));
        ArchitectureRows.Row at128k = rows.getLast();
        assertThat(at128k.property()).isEqualTo("State at 128k tokens");
        assertThat(at128k.values().get(1)).isEqualTo(Sizes.bytes(nemo.stateBytesAt(128_000)));
        // constant for Mamba2, 128x the 1k figure (whole KV blocks) for the transformer
        assertThat(at128k.values().get(0)).isEqualTo(rows.get(rows.size() - 3).values().get(0));
    }

    @Test
    void mixtralUsesAQuarterOfItsExpertsPerToken() {
        var mixtral = org.mambaplayground.engine.transformer.TransformerConfig.mixtral8x7B();
        var mistral = org.mambaplayground.engine.transformer.TransformerConfig.mistral7B();
        List<ArchitectureRows.Row> rows = ArchitectureRows.of(List.of(mixtral, mistral));
        ArchitectureRows.Row used = rows.stream().filter(r -> r.property().equals("Parameters used per token")).findFirst().orElseThrow();
        assertThat(used.values()).containsExactly(Sizes.count(mixtral.parametersPerToken()), Sizes.count(mistral.parameterCount()));
        ArchitectureRows.Row read = rows.stream().filter(r -> r.property().equals("Weight bytes read per token (BF16)")).findFirst().orElseThrow();
        assertThat(read.values().get(0)).isEqualTo(Sizes.bytes(mixtral.weightBytesPerToken(org.mambaplayground.engine.tensor.format.WeightFormat.BF16)));
        assertThat(mixtral.weightBytesPerToken(org.mambaplayground.engine.tensor.format.WeightFormat.BF16))
                .isLessThan(mixtral.weightBytes(org.mambaplayground.engine.tensor.format.WeightFormat.BF16) / 3);
        // Mistral 7B v0.1's rolling cache: the same at 32k as at 128k tokens
        ArchitectureRows.Row at32k = rows.stream().filter(r -> r.property().equals("State at 32k tokens")).findFirst().orElseThrow();
        assertThat(at32k.values().get(1)).isEqualTo(rows.getLast().values().get(1));
    }
}
