package org.mambaplayground.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.model.ModelFormatException;
import org.mambaplayground.engine.tensor.format.BF16Format;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.engine.tensor.Tensor;

class SafetensorsRoundTripTest {
    @TempDir Path dir;

    @Test
    void writesAndReadsBackEveryDtypeWithMetadata() throws IOException {
        float[] values = new float[200_003]; // several writer chunks, odd length
        for (int i = 0; i < values.length; i++) values[i] = (float) Math.sin(i * 0.001) * 3;
        Path file = dir.resolve("m.safetensors");
        SafetensorsWriter.write(file, Map.of("format", "pt"), List.of(
                new SafetensorsWriter.Entry("a.f32", WeightFormat.F32, new long[] {values.length}, TensorValues.of(values)),
                new SafetensorsWriter.Entry("b.bf16", WeightFormat.BF16, new long[] {1, values.length}, TensorValues.of(values)),
                new SafetensorsWriter.Entry("c.f16", WeightFormat.F16, new long[] {values.length, 1}, TensorValues.of(values)),
                new SafetensorsWriter.Entry("empty", WeightFormat.F32, new long[] {0, 4}, TensorValues.of(new float[0]))));

        ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(head.getLong() % 8).as("header padded to 8 bytes").isZero();
        assertThat(Files.exists(dir.resolve("m.safetensors.part"))).isFalse();

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.names()).containsExactly("a.f32", "b.bf16", "c.f16", "empty");
            assertThat(f.metadata()).containsEntry("format", "pt");
            assertThat(f.dataBytes()).isEqualTo(values.length * 8L);
            Tensor a = f.tensor("a.f32"), b = f.tensor("b.bf16"), c = f.tensor("c.f16");
            assertThat(b.shape()).containsExactly(1, values.length);
            assertThat(b.format()).isEqualTo(WeightFormat.BF16);
            assertThat(a.data().isNative()).as("mapped, not copied").isTrue();
            for (int i = 0; i < values.length; i += 997) {
                assertThat(a.get(i)).isEqualTo(values[i]);
                assertThat(b.get(i)).isCloseTo(values[i], org.assertj.core.data.Offset.offset(Math.abs(values[i]) / 128 + 1e-30f));
                assertThat(c.get(i)).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(values[i])));
            }
            assertThat(f.tensor("empty").size()).isZero();
            assertThatThrownBy(() -> f.tensor("nope")).isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("missing tensor nope");
        }
    }

    /** A 20 GB file (sparse: no disk space used) opens instantly and is read in place, never into the heap. */
    @Test
    void twentyGigabyteFileIsMappedNotRead() throws IOException {
        // Linux file systems keep the hole sparse; elsewhere this could write 20 GB for real.
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux"));
        Path file = dir.resolve("huge.safetensors");
        long rows = 100_000, cols = 100_000, bytes = rows * cols * 2;
        byte[] header = ("{\"big\":{\"dtype\":\"BF16\",\"shape\":[" + rows + "," + cols + "],\"data_offsets\":[0," + bytes + "]}}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            raf.write(header);
            raf.seek(8 + header.length + bytes - 2);
            raf.write(new byte[] {(byte) 0x80, 0x3F}); // the very last element: bf16 1.0
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Tensor big = f.tensor("big");
            assertThat(big.byteSize()).isEqualTo(bytes);
            float[] lastRow = new float[(int) cols];
            org.mambaplayground.engine.tensor.Kernels.row(big, (int) rows - 1, lastRow);
            assertThat(lastRow[(int) cols - 1]).isEqualTo(1f);
            assertThat(lastRow[0]).isZero();
        }
    }

    @Test
    void bfloat16RoundsToNearestEven() {
        assertThat(BF16Format.toBFloat16(1f)).isEqualTo((short) 0x3F80);
        assertThat(BF16Format.toBFloat16(1f + 0x1p-8f)).as("tie rounds to even (down)").isEqualTo((short) 0x3F80);
        assertThat(BF16Format.toBFloat16(1f + 3 * 0x1p-8f)).as("tie rounds to even (up)").isEqualTo((short) 0x3F82);
        assertThat(BF16Format.toBFloat16(1f + 0x1p-8f + 0x1p-20f)).as("above the tie rounds up").isEqualTo((short) 0x3F81);
        assertThat(BF16Format.toBFloat16(-2f)).isEqualTo((short) 0xC000);
        assertThat(BF16Format.toBFloat16(Float.POSITIVE_INFINITY)).isEqualTo((short) 0x7F80);
        assertThat(Float.isNaN(Float.intBitsToFloat(BF16Format.toBFloat16(Float.NaN) << 16))).isTrue();
    }

    @Test
    void cancelledWriteLeavesNoFile() {
        Path file = dir.resolve("big.safetensors");
        float[] values = new float[1 << 18];
        assertThatThrownBy(() -> SafetensorsWriter.write(file, Map.of(),
                List.of(new SafetensorsWriter.Entry("x", WeightFormat.F32, new long[] {values.length}, TensorValues.of(values))),
                bytes -> {}, () -> true)).isInstanceOf(CancellationException.class);
        assertThat(Files.exists(file)).isFalse();
        assertThat(Files.exists(dir.resolve("big.safetensors.part"))).isFalse();
    }
}
