package org.mambaplayground.gui.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.model.Architecture;

class MetricsCsvTest {
    @TempDir Path dir;

    private static MetricPoint point(String model, int prompt, double prefill, double perToken, long bytes) {
        return new MetricPoint(Instant.parse("2026-11-25T08:00:00Z"), model, Architecture.MAMBA2, "sweep",
                prompt, 16, prompt + 15, prefill, prefill + 3.25, perToken, bytes);
    }

    @Test
    void writesHeaderAndOneRowPerPointWithDotDecimalsInAnyLocale() throws IOException {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY); // decimal comma locale must not leak into the CSV
        try {
            Path file = dir.resolve("m.csv");
            MetricsCsv.write(file, List.of(point("demo-mamba", 128, 42.5, 8.0, 1_234_567),
                    point("nemo, \"demo\"", 8, 1.0, 0, 99)));
            List<String> lines = Files.readAllLines(file);
            assertThat(lines).hasSize(3);
            assertThat(lines.get(0)).isEqualTo(MetricsCsv.HEADER);
            assertThat(lines.get(1)).isEqualTo(
                    "2026-11-25T08:00:00Z,demo-mamba,MAMBA2,sweep,128,16,143,42.500,45.750,8.000,125.000,1234567,1,engine");
            assertThat(lines.get(2)).startsWith("2026-11-25T08:00:00Z,\"nemo, \"\"demo\"\"\",MAMBA2,sweep,8,16,23,1.000,")
                    .endsWith(",0.000,0.000,99,1,engine");
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void aSweepPointRecordsHowManyDecodesItsMedianTimePerTokenCameFrom() {
        MetricPoint sweep = new MetricPoint(Instant.parse("2026-11-25T08:00:00Z"), "demo-mamba", Architecture.MAMBA2, "sweep",
                64, 8, 71, 5.0, 6.0, 2.0, 1000, 3);
        assertThat(MetricsCsv.HEADER).endsWith(",state_bytes,decode_repeats,measured_at");
        assertThat(MetricsCsv.toCsv(List.of(sweep)).lines().toList().get(1)).endsWith(",2.000,500.000,1000,3,engine");
    }

    @Test
    void aRemotePointIsMarkedAsMeasuredAtTheClientWithNoStateBytes() {
        MetricPoint remote = new MetricPoint(Instant.parse("2026-11-25T08:00:00Z"), "open-mistral-nemo", null, "chat",
                40, 12, 52, 180.0, 180.0, 21.5, -1, 1, org.mambaplayground.backend.MeasuredAt.CLIENT);
        assertThat(MetricsCsv.toCsv(List.of(remote)).lines().toList().get(1))
                .isEqualTo("2026-11-25T08:00:00Z,open-mistral-nemo,,chat,40,12,52,180.000,180.000,21.500,46.512,,1,client");
    }

    @Test
    void aFailureNamesTheFile() {
        Path missingDir = dir.resolve("no/such/dir/m.csv");
        assertThatThrownBy(() -> MetricsCsv.write(missingDir, List.of()))
                .isInstanceOf(IOException.class).hasMessageContaining(missingDir.toString());
    }
}
