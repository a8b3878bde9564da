package org.mambaplayground.engine.io.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.io.TensorValues;
import org.mambaplayground.engine.model.ModelFormatException;
import org.mambaplayground.engine.tensor.Tensor;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/** GGUF written and read back; every kind of broken header refused with the file named, never an OutOfMemoryError. */
class GgufFileTest {
    @TempDir Path dir;
    private final SplittableRandom random = new SplittableRandom(3);

    private float[] values(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) random.nextGaussian();
        return v;
    }

    private Path writeSample(Path file, float[] a, float[] b) {
        Map<String, GgufValue> meta = new LinkedHashMap<>();
        meta.put("general.architecture", GgufValue.string("llama"));
        meta.put("llama.block_count", GgufValue.u32(2));
        meta.put("llama.rope.freq_base", GgufValue.f32(1e6));
        meta.put("x.flag", GgufValue.bool(true));
        meta.put("x.big", GgufValue.u64(1L << 40));
        meta.put("tokenizer.ggml.tokens", GgufValue.array(GgufType.STRING, List.of("<unk>", "▁a", "é")));
        meta.put("tokenizer.ggml.scores", GgufValue.array(GgufType.FLOAT32, List.of(0.0, -1.5, -2.25)));
        meta.put("tokenizer.ggml.token_type", GgufValue.array(GgufType.INT32, List.of(2L, 1L, 1L)));
        GgufWriter.write(file, meta, List.of(
                new GgufWriter.Entry("a.weight", new long[] {3, 64}, WeightFormat.Q8_0, TensorValues.of(a)),
                new GgufWriter.Entry("b.weight", new long[] {5, 32}, WeightFormat.Q4_0, TensorValues.of(b)),
                new GgufWriter.Entry("c.norm", new long[] {7}, WeightFormat.F32, TensorValues.of(new float[] {1, 2, 3, 4, 5, 6, 7})),
                new GgufWriter.Entry("d.bf16", new long[] {2, 3}, WeightFormat.BF16, TensorValues.of(new float[] {1, -2, 0.5f, 3, 4, 5}))));
        return file;
    }

    @Test
    @SuppressWarnings("unchecked")
    void roundTripsMetadataAndTensorsOfEveryFormat() {
        float[] a = values(192), b = values(160);
        Path file = writeSample(dir.resolve("m.gguf"), a, b);
        try (GgufFile g = GgufFile.open(file)) {
            assertThat(g.version()).isEqualTo(3);
            assertThat(g.string("general.architecture")).isEqualTo("llama");
            assertThat(g.integer("llama.block_count")).isEqualTo(2);
            assertThat(g.number("llama.rope.freq_base")).isEqualTo(1e6);
            assertThat(g.metadata().get("x.flag").value()).isEqualTo(true);
            assertThat(g.integer("x.big")).isEqualTo(1L << 40);
            assertThat((List<Object>) g.array("tokenizer.ggml.tokens", GgufType.STRING)).containsExactly("<unk>", "▁a", "é");
            assertThat((List<Object>) g.array("tokenizer.ggml.scores", GgufType.FLOAT32)).containsExactly(0.0, -1.5, -2.25);
            assertThat(g.dataOffset() % 32).isZero();
            assertThat(g.tensorInfos().get("a.weight").dims()).containsExactly(64, 3); // innermost first
            Tensor ta = g.tensor("a.weight");
            assertThat(ta.shape()).containsExactly(3, 64);
            assertThat(ta.format()).isEqualTo(WeightFormat.Q8_0);
            // Quantized as the format quantizes: the same bytes as encoding directly.
            java.lang.foreign.MemorySegment expected = java.lang.foreign.MemorySegment.ofArray(new byte[(int) WeightFormat.Q8_0.bytes(192)]);
            WeightFormat.Q8_0.encode(a, 0, expected, 0, 192);
            assertThat(ta.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(expected.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            assertThat(g.tensor("b.weight").format()).isEqualTo(WeightFormat.Q4_0);
            assertThat(g.tensor("c.norm").toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6, 7);
            assertThat(g.tensor("d.bf16").toFloatArray()).containsExactly(1, -2, 0.5f, 3, 4, 5);
            // Offsets: each tensor starts where the previous one ends, padded to 32 bytes (llama.cpp checks this).
            long expectedOffset = 0;
            for (GgufTensorInfo info : g.tensorInfos().values()) {
                assertThat(info.offset()).as(info.name()).isEqualTo(expectedOffset);
                expectedOffset += GgufFile.align(info.byteSize(), 32);
            }
        }
        assertThat(file.resolveSibling("m.gguf.part")).doesNotExist();
    }

    @Test
    void truncatedFileNamesTheTensor() throws IOException {
        Path file = writeSample(dir.resolve("t.gguf"), values(192), values(160));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 40);
        }
        assertThatThrownBy(() -> GgufFile.open(file)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("truncated");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(100);
        }
        assertThatThrownBy(() -> GgufFile.open(file)).isInstanceOf(ModelFormatException.class).hasMessageContaining(file.toString());
    }

    @Test
    void foreignFilesAreRefused() throws IOException {
        Path st = dir.resolve("x.gguf");
        Files.write(st, "{\"__metadata__\": {}} and then some more bytes".getBytes());
        assertThatThrownBy(() -> GgufFile.open(st)).isInstanceOf(ModelFormatException.class).hasMessageContaining("not a GGUF file");
        Files.write(st, new byte[] {'G', 'G', 'U', 'F'});
        assertThatThrownBy(() -> GgufFile.open(st)).hasMessageContaining("truncated GGUF file");
        assertThatThrownBy(() -> GgufFile.open(dir.resolve("absent.gguf"))).hasMessageContaining("not found");
    }

    /** A header with absurd counts and lengths: a clear error, never an allocation of that size. */
    @Test
    void absurdCountsAreRefusedBeforeAllocating() throws IOException {
        Path file = dir.resolve("absurd.gguf");
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(GgufFile.MAGIC).putInt(3).putLong(Long.MAX_VALUE / 2).putLong(1);
        Files.write(file, b.array());
        assertThatThrownBy(() -> GgufFile.open(file)).hasMessageContaining("tensor count").hasMessageContaining("cannot fit");

        b.clear();
        b.putInt(GgufFile.MAGIC).putInt(3).putLong(0).putLong(1).putLong(5).put("a.key".getBytes()).putInt(9).putInt(8).putLong(1L << 40);
        Files.write(file, b.array());
        assertThatThrownBy(() -> GgufFile.open(file)).hasMessageContaining("a.key").hasMessageContaining("array length");

        b.clear();
        b.putInt(GgufFile.MAGIC).putInt(3).putLong(0).putLong(1).putLong(Long.MAX_VALUE);
        Files.write(file, b.array());
        assertThatThrownBy(() -> GgufFile.open(file)).hasMessageContaining("metadata key 0").hasMessageContaining("length");

        b.clear();
        b.putInt(GgufFile.MAGIC).putInt(7).putLong(0).putLong(0);
        Files.write(file, b.array());
        assertThatThrownBy(() -> GgufFile.open(file)).hasMessageContaining("version 7");
    }

    @Test
    void unknownTensorTypeNamesTheTypeAndTensor() throws IOException {
        Path file = writeSample(dir.resolve("k.gguf"), values(192), values(160));
        // Patch a.weight's type field (after its name, n_dims and two dims) to Q2_K (10), a type this engine does not compute.
        byte[] bytes = Files.readAllBytes(file);
        int at = indexOf(bytes, "a.weight".getBytes()) + "a.weight".length() + 4 + 16;
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(at, 10);
        Files.write(file, bytes);
        assertThatThrownBy(() -> GgufFile.open(file)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("tensor a.weight").hasMessageContaining("Q2_K (10)").hasMessageContaining(file.toString());
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(at, 9999);
        Files.write(file, bytes);
        assertThatThrownBy(() -> GgufFile.open(file)).hasMessageContaining("unknown type 9999");
        // A row length that is not whole blocks of the type.
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(at, 8).putLong(at - 16, 48);
        Files.write(file, bytes);
        assertThatThrownBy(() -> GgufFile.open(file)).hasMessageContaining("tensor a.weight").hasMessageContaining("48");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }
}
