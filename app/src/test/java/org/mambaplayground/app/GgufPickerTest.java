package org.mambaplayground.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mambaplayground.downloader.GgufChoices;
import org.mambaplayground.downloader.RepoFile;
import org.mambaplayground.downloader.RepoListing;
import org.mambaplayground.engine.load.MachineMemory;

/** The recommendation: the largest GGUF the engine runs whose file plus headroom fits what is available. */
class GgufPickerTest {
    private static final long GB = 1_000_000_000L;

    private static RepoFile f(String path, long size) { return RepoFile.large(path, size, "0".repeat(40), "a".repeat(64)); }

    private static final List<GgufChoices.Choice> NEMO = GgufChoices.of(new RepoListing("b/Nemo-GGUF", "main", "c".repeat(40), "false", List.of(
            f("Nemo-Q8_0.gguf", 13 * GB), f("Nemo-Q6_K.gguf", 10_100_000_000L), f("Nemo-Q4_K_M.gguf", 7_480_000_000L),
            f("Nemo-IQ3_M.gguf", 5_720_000_000L))));

    @Test
    void recommendsTheLargestThatFits() {
        assertThat(GgufPicker.recommend(NEMO, new MachineMemory(32 * GB, 20 * GB))).get().extracting(GgufChoices.Choice::quantization).isEqualTo("Q8_0");
        assertThat(GgufPicker.recommend(NEMO, new MachineMemory(16 * GB, 11 * GB))).get().extracting(GgufChoices.Choice::quantization).isEqualTo("Q4_K_M");
        // IQ3_M would fit in 7 GB, but the engine does not run its types
        assertThat(GgufPicker.recommend(NEMO, new MachineMemory(8 * GB, 7 * GB))).isEmpty();
    }
}
