package org.mambaplayground.downloader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A GGUF repository's files as choices: labels, split parts as one, what the engine runs, largest first. */
class GgufChoicesTest {
    private static RepoFile f(String path, long size) { return RepoFile.large(path, size, "0".repeat(40), "a".repeat(64)); }

    private static final RepoListing BARTOWSKI_LIKE = new RepoListing("bartowski/Mistral-Nemo-Instruct-2407-GGUF", "main", "c".repeat(40), "false", List.of(
            f("README.md", 9_000),
            f("Mistral-Nemo-Instruct-2407-Q4_K_M.gguf", 7_480_000_000L),
            f("Mistral-Nemo-Instruct-2407-Q8_0.gguf", 13_000_000_000L),
            f("Mistral-Nemo-Instruct-2407-IQ4_XS.gguf", 6_740_000_000L),
            f("Mistral-Nemo-Instruct-2407-Q6_K_L.gguf", 10_400_000_000L),
            f("Mistral-Nemo-Instruct-2407-Q3_K_M.gguf", 6_080_000_000L),
            f("Mistral-Nemo-Instruct-2407-f16/Mistral-Nemo-Instruct-2407-f16-00002-of-00002.gguf", 4_500_000_000L),
            f("Mistral-Nemo-Instruct-2407-f16/Mistral-Nemo-Instruct-2407-f16-00001-of-00002.gguf", 20_000_000_000L),
            f("Mistral-Nemo-Instruct-2407.imatrix", 7_000_000)));

    @Test
    void groupsLabelsAndOrdersTheFiles() {
        List<GgufChoices.Choice> choices = GgufChoices.of(BARTOWSKI_LIKE);
        assertThat(choices).extracting(GgufChoices.Choice::quantization)
                .containsExactly("F16", "Q8_0", "Q6_K_L", "Q4_K_M", "IQ4_XS", "Q3_K_M");
        GgufChoices.Choice f16 = choices.getFirst();
        assertThat(f16.bytes()).isEqualTo(24_500_000_000L);
        assertThat(f16.complete()).isTrue();
        assertThat(f16.paths()).containsExactly(
                "Mistral-Nemo-Instruct-2407-f16/Mistral-Nemo-Instruct-2407-f16-00001-of-00002.gguf",
                "Mistral-Nemo-Instruct-2407-f16/Mistral-Nemo-Instruct-2407-f16-00002-of-00002.gguf");
        assertThat(f16.name()).isEqualTo("Mistral-Nemo-Instruct-2407-f16");
        assertThat(choices).filteredOn(GgufChoices.Choice::supported).extracting(GgufChoices.Choice::quantization)
                .containsExactly("F16", "Q8_0", "Q6_K_L", "Q4_K_M");
        assertThat(GgufChoices.find(choices, "q4_k_m")).get().extracting(GgufChoices.Choice::paths)
                .isEqualTo(List.of("Mistral-Nemo-Instruct-2407-Q4_K_M.gguf"));
        assertThat(GgufChoices.find(choices, "Mistral-Nemo-Instruct-2407-Q8_0.gguf")).isPresent();
        assertThat(GgufChoices.find(choices, "Q5_K_M")).isEmpty();
    }

    @Test
    void aSplitModelMissingAPartIsIncomplete() {
        RepoListing listing = new RepoListing("x/y", "main", "c".repeat(40), "false", List.of(
                f("m-Q8_0-00001-of-00003.gguf", 10), f("m-Q8_0-00003-of-00003.gguf", 10), f("weights.safetensors", 5)));
        List<GgufChoices.Choice> choices = GgufChoices.of(listing);
        assertThat(choices).hasSize(1);
        assertThat(choices.getFirst().complete()).isFalse();
        assertThat(GgufChoices.hasGguf(listing)).isTrue();
        assertThat(GgufChoices.hasGguf(new RepoListing("x/y", "main", "c".repeat(40), "false", List.of(f("a.safetensors", 1))))).isFalse();
    }
}
