package org.mambaplayground.engine.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mambaplayground.engine.io.gguf.GgufFile;
import org.mambaplayground.engine.model.ModelFormatException;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * GGUF files as llama.cpp's converters make them: our own copies with our private keys renamed away (so only
 * llama.cpp's keys and names remain; tools/llama-cpp-check shows llama.cpp runs these same files) open as models
 * whose configuration, tokenizer and logits equal those of the Mistral folder they came from; broken or foreign
 * files are refused naming the key, tensor or type.
 */
class GgufModelsTest {
    @TempDir Path dir;

    private Path copyDemo(String name) throws IOException {
        Path target = dir.resolve(name);
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(QuantizedLoadTest.DEMO.resolve(name))) {
            for (Path f : files.toList()) Files.copy(f, target.resolve(f.getFileName()));
        }
        return target;
    }

    /** The folder converted at {@code precision}, then moved alone into its own folder with our keys renamed. */
    private Path foreignGguf(Path folder, WeightFormat precision) throws IOException {
        Path cache = dir.resolve("cache-" + precision);
        ModelLoader.load(folder, ModelLoader.Options.DEFAULT.withPrecision(precision).withCacheDir(cache)).close();
        Path copy = QuantizedCopies.fileFor(folder, precision, cache);
        Path alone = Files.createDirectories(dir.resolve("downloads-" + folder.getFileName() + "-" + precision));
        Path file = alone.resolve(folder.getFileName() + "-" + precision + ".gguf");
        byte[] bytes = Files.readAllBytes(copy);
        replaceAll(bytes, "mamba_playground.", "someone_else_xyz.");
        Files.write(file, bytes);
        try (GgufFile g = GgufFile.open(file)) {
            assertThat(g.metadata().keySet()).noneMatch(k -> k.startsWith("mamba_playground"));
        }
        return file;
    }

    private static void replaceAll(byte[] bytes, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.US_ASCII), t = to.getBytes(StandardCharsets.US_ASCII);
        for (int i = indexOf(bytes, f, 0); i >= 0; i = indexOf(bytes, f, i + 1)) System.arraycopy(t, 0, bytes, i, t.length);
    }

    private static int indexOf(byte[] bytes, byte[] what, int from) {
        outer:
        for (int i = from; i <= bytes.length - what.length; i++) {
            for (int j = 0; j < what.length; j++) if (bytes[i + j] != what[j]) continue outer;
            return i;
        }
        return -1;
    }

    @ParameterizedTest
    @CsvSource({"codestral-mamba-demo, Q8_0", "codestral-mamba-demo, Q4_K", "mistral-nemo-demo, Q4_0", "mistral-nemo-demo, Q6_K"})
    void aLlamaCppFileRunsAsTheFolderItCameFrom(String demo, String precisionName) throws IOException {
        WeightFormat precision = WeightFormat.named(precisionName).orElseThrow();
        Path folder = copyDemo(demo);
        Path file = foreignGguf(folder, precision);
        ModelSpec fromFolder = ModelLoader.readSpec(folder), fromFile = ModelLoader.readSpec(file);
        assertThat(fromFile.architecture()).isEqualTo(fromFolder.architecture());
        assertThat(fromFile.tensorSpecs()).isEqualTo(fromFolder.tensorSpecs());
        assertThat(fromFile.stateBytesAt(100)).isEqualTo(fromFolder.stateBytesAt(100));

        String text = "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)  # café";
        try (LoadedModel expected = ModelLoader.load(folder, ModelLoader.Options.DEFAULT.withPrecision(precision).withCacheDir(dir.resolve("cache-" + precision)));
             LoadedModel actual = ModelLoader.load(file)) {
            assertThat(actual.name()).isEqualTo(demo + "-" + precisionName);
            int[] tokens = expected.tokenizer().encode(text);
            assertThat(actual.tokenizer().encode(text)).isEqualTo(tokens);
            assertThat(actual.tokenizer().decode(tokens)).isEqualTo(text);
            float[] want = decodeAll(expected, tokens), got = decodeAll(actual, tokens);
            // The same bytes and kernels: equal up to the order of vector lane sums, which the JIT may change
            // between runs of the same model (compiled and interpreted reductions differ in the last bits).
            for (int i = 0; i < want.length; i++) assertThat(got[i]).as("logit %d", i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-4f));
        }
        // The folder it was downloaded into opens it too (no params.json there).
        try (LoadedModel again = ModelLoader.load(file.getParent())) {
            assertThat(again.folder()).isEqualTo(file);
        }
    }

    /** Logits after feeding every token one at a time (decode needs no chunk size, which GGUF does not record). */
    private static float[] decodeAll(LoadedModel m, int[] tokens) {
        var state = m.model().newState();
        float[] logits = null;
        for (int t : tokens) logits = m.model().decode(state, t);
        return logits;
    }

    @Test
    void aFolderOfSeveralGgufFilesAsksForOne() throws IOException {
        Path file = foreignGguf(copyDemo("codestral-mamba-demo"), WeightFormat.Q8_0);
        Files.copy(file, file.resolveSibling("other.gguf"));
        assertThatThrownBy(() -> ModelLoader.load(file.getParent()))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("2 GGUF files").hasMessageContaining("other.gguf");
    }

    @Test
    void aPrecisionForAGgufFileIsRefused() throws IOException {
        Path file = foreignGguf(copyDemo("mistral-nemo-demo"), WeightFormat.Q8_0);
        assertThatThrownBy(() -> ModelLoader.load(file, ModelLoader.Options.DEFAULT.withPrecision(WeightFormat.Q4_0)))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining(file.toString()).hasMessageContaining("runs in the types it stores");
    }

    @Test
    void anArchitectureWeDoNotRunIsNamed() throws IOException {
        Path file = foreignGguf(copyDemo("mistral-nemo-demo"), WeightFormat.Q8_0);
        byte[] bytes = Files.readAllBytes(file);
        // "llama" (5 bytes) as the value of general.architecture becomes "gpt-j" and every "llama." key "gpt-j."
        replaceAll(bytes, "llama", "gpt-j");
        Files.write(file, bytes);
        assertThatThrownBy(() -> ModelLoader.load(file))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("\"gpt-j\"").hasMessageContaining("mamba2").hasMessageContaining("llama");
    }

    @Test
    void aTensorTypeWeDoNotRunIsNamedWithTheTensor() throws IOException {
        Path file = foreignGguf(copyDemo("codestral-mamba-demo"), WeightFormat.Q8_0);
        byte[] bytes = Files.readAllBytes(file);
        byte[] name = "blk.1.ssm_in.weight".getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(bytes, name, 0) + name.length;  // then u32 n_dims, n_dims x i64, i32 type
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int dims = b.getInt(at);
        b.putInt(at + 4 + 8 * dims, 10); // Q2_K
        Files.write(file, bytes);
        assertThatThrownBy(() -> ModelLoader.load(file))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("blk.1.ssm_in.weight").hasMessageContaining("Q2_K");
    }

    @Test
    void anAbsurdCountIsRefusedNamingTheKey() throws IOException {
        Path file = foreignGguf(copyDemo("codestral-mamba-demo"), WeightFormat.Q8_0);
        byte[] bytes = Files.readAllBytes(file);
        byte[] key = "mamba2.block_count".getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(bytes, key, 0) + key.length; // then i32 value type (UINT32), u32 value
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(at + 4, 2_000_000_000);
        Files.write(file, bytes);
        assertThatThrownBy(() -> ModelLoader.load(file))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("mamba2.block_count").hasMessageContaining("2000000000");
    }

    /** {@code file} split into three parts as llama.cpp's gguf-split writes them (metadata in the first; bytes copied). */
    private static void split(Path file, Path folder, String prefix) {
        try (GgufFile g = GgufFile.open(file)) {
            java.util.List<String> names = java.util.List.copyOf(g.names());
            int per = (names.size() + 2) / 3;
            for (int part = 0; part < 3; part++) {
                java.util.Map<String, org.mambaplayground.engine.io.gguf.GgufValue> meta = new java.util.LinkedHashMap<>();
                if (part == 0) meta.putAll(g.metadata());
                meta.put("split.no", org.mambaplayground.engine.io.gguf.GgufValue.u16(part));
                meta.put("split.count", org.mambaplayground.engine.io.gguf.GgufValue.u16(3));
                meta.put("split.tensors.count", org.mambaplayground.engine.io.gguf.GgufValue.i32(names.size()));
                java.util.List<org.mambaplayground.engine.io.gguf.GgufWriter.Entry> entries = new java.util.ArrayList<>();
                for (String n : names.subList(part * per, Math.min(names.size(), (part + 1) * per))) {
                    entries.add(org.mambaplayground.engine.io.gguf.GgufWriter.Entry.copyOf(n, g.tensor(n)));
                }
                org.mambaplayground.engine.io.gguf.GgufWriter.write(folder.resolve(String.format("%s-%05d-of-00003.gguf", prefix, part + 1)), meta, entries);
            }
        }
    }

    @Test
    void aSplitModelOpensAsOneFromAnyPart() throws IOException {
        Path folder = copyDemo("mistral-nemo-demo");
        Path file = foreignGguf(folder, WeightFormat.Q8_0);
        Path splits = Files.createDirectories(dir.resolve("split"));
        split(file, splits, "nemo-Q8_0");
        String text = "Hello, world";
        try (LoadedModel whole = ModelLoader.load(file); LoadedModel parts = ModelLoader.load(splits.resolve("nemo-Q8_0-00002-of-00003.gguf"));
             LoadedModel inFolder = ModelLoader.load(splits)) {
            assertThat(parts.name()).isEqualTo("nemo-Q8_0");
            assertThat(inFolder.folder()).isEqualTo(splits.resolve("nemo-Q8_0-00001-of-00003.gguf"));
            int[] tokens = whole.tokenizer().encode(text);
            assertThat(parts.tokenizer().encode(text)).isEqualTo(tokens);
            float[] want = decodeAll(whole, tokens), got = decodeAll(parts, tokens);
            for (int i = 0; i < want.length; i++) assertThat(got[i]).as("logit %d", i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-4f));
        }
        Files.delete(splits.resolve("nemo-Q8_0-00003-of-00003.gguf"));
        assertThatThrownBy(() -> ModelLoader.load(splits))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("nemo-Q8_0-00003-of-00003.gguf").hasMessageContaining("part 3 of the 3");
    }
}
