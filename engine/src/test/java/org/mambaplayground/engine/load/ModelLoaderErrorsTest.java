package org.mambaplayground.engine.load;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.mambaplayground.engine.model.*;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.io.SafetensorsWriter;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.synthetic.SyntheticModelWriter;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.engine.transformer.TransformerConfig;

/**
 * Broken model folders written to disk: each fails to load with one ModelFormatException naming the file
 * and the tensor or key at fault (never an IndexOutOfBounds, NPE or OutOfMemoryError).
 */
class ModelLoaderErrorsTest {
    static final Mamba2Config MAMBA = new Mamba2Config(32, 2, 50, 1, true, true, true, 1, false, 8, 4, 2, 16, 8);
    static final TransformerConfig TRANSFORMER = new TransformerConfig(32, 2, 8, 64, 4, 2, 1e-5, 50, 10000, 0, 0);

    @TempDir Path dir;

    private Path folder(ModelSpec spec) {
        Path folder = dir.resolve(spec.architecture().name().toLowerCase());
        SyntheticModelWriter.write(spec, folder, WeightFormat.BF16, 1);
        return folder;
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertLoadFails(Path folder, String file) {
        return assertThatThrownBy(() -> ModelLoader.load(folder).close())
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(folder.resolve(file).toString());
    }

    /** Rewrites the weights with {@code edit} applied to the list of tensors the config declares. */
    private static void rewriteWeights(Path folder, ModelSpec spec, UnaryOperator<List<TensorSpec>> edit) {
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        for (TensorSpec t : edit.apply(new ArrayList<>(spec.tensorSpecs()))) {
            entries.add(new SafetensorsWriter.Entry(t.name(), WeightFormat.BF16, t.shape(), (o, chunk, n) -> java.util.Arrays.fill(chunk, 0, n, 0.5f)));
        }
        SafetensorsWriter.write(folder.resolve(ModelLoader.WEIGHTS), Map.of(), entries);
    }

    private static void editParams(Path folder, java.util.function.Consumer<ObjectNode> edit) throws IOException {
        Path file = folder.resolve(ModelLoader.PARAMS);
        ObjectNode params = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
        edit.accept(params);
        Files.writeString(file, params.toString());
    }

    @Test
    void missingTensor() {
        for (ModelSpec spec : List.<ModelSpec>of(MAMBA, TRANSFORMER)) {
            Path folder = folder(spec);
            String victim = spec.tensorSpecs().get(5).name();
            rewriteWeights(folder, spec, l -> { l.removeIf(t -> t.name().equals(victim)); return l; });
            assertLoadFails(folder, ModelLoader.WEIGHTS).hasMessageContaining("missing tensor " + victim);
        }
    }

    @Test
    void wrongShapeNamesBothShapes() {
        Path folder = folder(TRANSFORMER);
        rewriteWeights(folder, TRANSFORMER, l -> {
            l.replaceAll(t -> t.name().equals("layers.1.attention.wk.weight") ? new TensorSpec(t.name(), t.ggufName(), new long[] {32, 16}) : t);
            return l;
        });
        assertLoadFails(folder, ModelLoader.WEIGHTS)
                .hasMessageContaining("tensor layers.1.attention.wk.weight has shape [32, 16]")
                .hasMessageContaining("[16, 32]");
    }

    @Test
    void truncatedSafetensors() throws IOException {
        Path folder = folder(MAMBA);
        try (FileChannel ch = FileChannel.open(folder.resolve(ModelLoader.WEIGHTS), StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 100);
        }
        String last = MAMBA.tensorSpecs().getLast().name();
        assertLoadFails(folder, ModelLoader.WEIGHTS).hasMessageContaining("tensor " + last).hasMessageContaining("truncated");
    }

    @Test
    void headerLengthLargerThanTheFile() throws IOException {
        Path folder = folder(TRANSFORMER);
        Path file = folder.resolve(ModelLoader.WEIGHTS);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Files.size(file) + 1), 0);
        }
        assertLoadFails(folder, ModelLoader.WEIGHTS).hasMessageContaining("header length");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE), 0);
        }
        assertLoadFails(folder, ModelLoader.WEIGHTS).hasMessageContaining("header length");
    }

    @Test
    void corruptHeaderJson() throws IOException {
        Path folder = folder(MAMBA);
        Path file = folder.resolve(ModelLoader.WEIGHTS);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("{\"backbone\": [".getBytes()), 8);
        }
        assertLoadFails(folder, ModelLoader.WEIGHTS).hasMessageContaining("not valid JSON");
    }

    @Test
    void missingWeightsFile() throws IOException {
        Path folder = folder(MAMBA);
        Files.delete(folder.resolve(ModelLoader.WEIGHTS));
        assertLoadFails(folder, ModelLoader.WEIGHTS).hasMessageContaining("not found");
    }

    @Test
    void paramsWithMissingKey() throws IOException {
        Path folder = folder(TRANSFORMER);
        editParams(folder, p -> p.remove("n_layers"));
        assertLoadFails(folder, ModelLoader.PARAMS).hasMessageContaining("'n_layers'").hasMessageContaining("missing");
        Path mamba = folder(MAMBA);
        editParams(mamba, p -> p.remove("n_groups"));
        assertLoadFails(mamba, ModelLoader.PARAMS).hasMessageContaining("'n_groups'");
    }

    @Test
    void paramsWithWrongType() throws IOException {
        Path folder = folder(MAMBA);
        editParams(folder, p -> p.put("dim", "32"));
        assertLoadFails(folder, ModelLoader.PARAMS).hasMessageContaining("'dim'").hasMessageContaining("integer");
        Path transformer = folder(TRANSFORMER);
        editParams(transformer, p -> p.put("norm_eps", true));
        assertLoadFails(transformer, ModelLoader.PARAMS).hasMessageContaining("'norm_eps'");
        editParams(transformer, p -> p.put("model_type", "rwkv"));
        assertLoadFails(transformer, ModelLoader.PARAMS).hasMessageContaining("'model_type'").hasMessageContaining("rwkv");
    }

    @Test
    void paramsThatAreNotJsonOrAbsent() throws IOException {
        Path folder = folder(MAMBA);
        Files.writeString(folder.resolve(ModelLoader.PARAMS), "{\"dim\": 32,");
        assertLoadFails(folder, ModelLoader.PARAMS).hasMessageContaining("invalid JSON");
        Files.writeString(folder.resolve(ModelLoader.PARAMS), "{}");
        assertLoadFails(folder, ModelLoader.PARAMS).hasMessageContaining("cannot tell the architecture");
        Files.delete(folder.resolve(ModelLoader.PARAMS));
        assertLoadFails(folder, ModelLoader.PARAMS).hasMessageContaining("not found");
    }

    @Test
    void sizesThatDisagreeWithTheWeights() throws IOException {
        Path folder = folder(TRANSFORMER);
        editParams(folder, p -> p.put("hidden_dim", 96));
        assertLoadFails(folder, ModelLoader.WEIGHTS).hasMessageContaining("tensor layers.0.feed_forward.w1.weight has shape [64, 32]")
                .hasMessageContaining("[96, 32]");
    }

    /** Every count is bounded before anything is sized from it: one message naming the key, no OutOfMemoryError. */
    @Test
    void absurdCountsNameTheKey() throws IOException {
        record Case(ModelSpec spec, String key, long value) {}
        List<Case> cases = List.of(
                new Case(MAMBA, "n_layers", 2_000_000_000L), new Case(MAMBA, "dim", 2_000_000_000L),
                new Case(MAMBA, "vocab_size", 2_000_000_000L), new Case(MAMBA, "d_state", 1_000_000_000L),
                new Case(MAMBA, "n_groups", 1_000_000_000L), new Case(MAMBA, "chunk_size", 2_000_000_000L),
                new Case(TRANSFORMER, "n_layers", 2_000_000_000L), new Case(TRANSFORMER, "dim", 2_000_000_000L),
                new Case(TRANSFORMER, "vocab_size", 2_000_000_000L), new Case(TRANSFORMER, "hidden_dim", 2_000_000_000L),
                new Case(TRANSFORMER, "n_heads", 1_073_741_824L), new Case(TRANSFORMER, "head_dim", 1_073_741_824L));
        for (Case c : cases) {
            Path folder = folder(c.spec());
            editParams(folder, p -> p.put(c.key(), c.value()));
            assertLoadFails(folder, ModelLoader.PARAMS).as(c.toString()).hasMessageContaining("'" + c.key() + "'")
                    .hasMessageContaining("larger than");
        }
        // each count allowed, their products not: 4096 layers of a d_state 16384 state, a 1 << 14 heads x head_dim
        Path mamba = folder(MAMBA);
        editParams(mamba, p -> { p.put("n_layers", 4096); p.put("d_state", 16384); p.put("dim", 1 << 20); p.put("head_dim", 16384); });
        assertLoadFails(mamba, ModelLoader.PARAMS).hasMessageContaining("larger than").hasMessageNotContaining("OutOfMemory");
        Path transformer = folder(TRANSFORMER);
        editParams(transformer, p -> { p.put("n_heads", 16384); p.put("head_dim", 16384); p.put("n_kv_heads", 1); });
        assertLoadFails(transformer, ModelLoader.PARAMS).hasMessageContaining("'n_heads'").hasMessageContaining("n_heads * head_dim");
        editParams(transformer, p -> { p.put("n_heads", 4); p.put("head_dim", 8); p.put("n_kv_heads", 2);
            p.put("n_layers", 4096); p.put("dim", 1 << 20); p.put("vocab_size", 1 << 22); p.put("hidden_dim", 1 << 20); });
        assertLoadFails(transformer, ModelLoader.PARAMS).hasMessageContaining("the parameter count");
    }

    @Test
    void unreadableFilesAreDescribedInWords() throws IOException {
        Path folder = folder(MAMBA);
        byte[] random = new byte[256];
        new java.util.Random(7).nextBytes(random);
        random[0] = (byte) 0xC3; random[1] = (byte) 0x28; // an invalid UTF-8 sequence, whatever the seed gives
        Files.write(folder.resolve(ModelLoader.PARAMS), random);
        assertLoadFails(folder, ModelLoader.PARAMS).hasMessageContaining("not valid UTF-8 JSON").hasMessageNotContaining("Input length");

        Path weights = folder(TRANSFORMER);
        Files.delete(weights.resolve(ModelLoader.WEIGHTS));
        Files.createDirectory(weights.resolve(ModelLoader.WEIGHTS));
        assertLoadFails(weights, ModelLoader.WEIGHTS).hasMessageContaining("is a directory").hasMessageNotContaining("No such device");
        assertThatThrownBy(() -> org.mambaplayground.engine.io.SafetensorsFile.open(weights.resolve(ModelLoader.WEIGHTS)))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("is a directory");
        Files.delete(folder.resolve(ModelLoader.PARAMS));
        Files.createDirectory(folder.resolve(ModelLoader.PARAMS));
        assertLoadFails(folder, ModelLoader.PARAMS).hasMessageContaining("is a directory");
    }

    /** "mamba2" (Hugging Face's name) is accepted by the detector and the configuration alike; a mismatch is refused once. */
    @Test
    void modelTypeIsJudgedInOnePlace() throws IOException {
        Path folder = folder(MAMBA);
        editParams(folder, p -> p.put("model_type", "mamba2"));
        try (Model model = ModelLoader.loadModel(folder, ModelLoader.Options.DEFAULT)) {
            org.assertj.core.api.Assertions.assertThat(model.spec()).isEqualTo(MAMBA);
        }
        editParams(folder, p -> p.put("model_type", "transformer"));
        assertLoadFails(folder, ModelLoader.PARAMS).hasMessageContaining("missing the key 'hidden_dim'"); // taken at its word
        org.assertj.core.api.Assertions.assertThat(Mamba2Config.fromParams(MAMBA.toParams().put("model_type", "mamba2"), folder)).isEqualTo(MAMBA);
        assertThatThrownBy(() -> TransformerConfig.fromParams(TRANSFORMER.toParams().put("model_type", "mamba2"), folder))
                .hasMessageContaining("'model_type'").hasMessageContaining("mamba2");
    }
}
