package org.mambaplayground.downloader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The recommendation: the largest GGUF the engine runs whose file plus headroom fits what is available. */
class GgufFitTest {
    private static final long GB = 1_000_000_000L;

    private static RepoFile f(String path, long size) { return RepoFile.large(path, size, "0".repeat(40), "a".repeat(64)); }

    private static final List<GgufChoices.Choice> NEMO = GgufChoices.of(new RepoListing("b/Nemo-GGUF", "main", "c".repeat(40), "false", List.of(
            f("Nemo-Q8_0.gguf", 13 * GB), f("Nemo-Q6_K.gguf", 10_100_000_000L), f("Nemo-Q4_K_M.gguf", 7_480_000_000L),
            f("Nemo-IQ3_M.gguf", 5_720_000_000L))));

    private static GgufFit available(long bytes) { return new GgufFit(bytes, 64 * GB, GB); }

    @Test
    void recommendsTheLargestThatFits() {
        assertThat(available(20 * GB).recommend(NEMO)).get().extracting(GgufChoices.Choice::quantization).isEqualTo("Q8_0");
        assertThat(available(11 * GB).recommend(NEMO)).get().extracting(GgufChoices.Choice::quantization).isEqualTo("Q4_K_M");
        // IQ3_M would fit in 7 GB, but the engine does not run its types
        assertThat(available(7 * GB).recommend(NEMO)).isEmpty();
        assertThat(available(7 * GB).verdict(NEMO.getLast())).isEqualTo(GgufFit.Verdict.UNSUPPORTED);
        assertThat(available(7 * GB).verdict(NEMO.getFirst())).isEqualTo(GgufFit.Verdict.TOO_BIG);
        assertThat(available(7 * GB).memoryNeeded(NEMO.getFirst())).isEqualTo(14 * GB);
    }

    @Test
    void whenNothingFitsTheSmallestTheEngineRunsIsPreselected() {
        assertThat(available(11 * GB).preselect(NEMO).quantization()).isEqualTo("Q4_K_M");
        assertThat(available(2 * GB).preselect(NEMO).quantization()).as("not IQ3_M, which does not run").isEqualTo("Q4_K_M");
    }

    @Test
    void aSplitModelMissingPartsIsNeverRecommended() {
        List<GgufChoices.Choice> split = GgufChoices.of(new RepoListing("b/Big-GGUF", "main", "c".repeat(40), "false", List.of(
                f("Big-Q8_0-00001-of-00003.gguf", GB), f("Big-Q8_0-00002-of-00003.gguf", GB), f("Big-Q4_0.gguf", GB))));
        assertThat(available(100 * GB).verdict(split.getFirst())).isEqualTo(GgufFit.Verdict.INCOMPLETE);
        assertThat(available(100 * GB).recommend(split)).get().extracting(GgufChoices.Choice::quantization).isEqualTo("Q4_0");
    }
}
