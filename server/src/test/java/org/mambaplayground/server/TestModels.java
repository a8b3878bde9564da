package org.mambaplayground.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mambaplayground.assets.DemoModels;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.synthetic.SyntheticModelWriter;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.engine.transformer.TransformerConfig;

/** Real model folders on disk for the server tests: small seeded models of both architectures with the demo tokenizers. */
final class TestModels {
    /** dim 64, 2 layers, heads of 16, d_state 16, chunk 16; the demo SentencePiece vocabulary (4096). */
    static final Mamba2Config SMALL_MAMBA = new Mamba2Config(64, 2, 4096, 1, true, true, true, 8, true, 16, 4, 2, 16, 16);

    /** dim 64, 2 layers, 4 heads of 16 (2 KV heads), no sliding window, 256-token context; the demo tekken vocabulary. */
    static final TransformerConfig SMALL_TRANSFORMER = new TransformerConfig(64, 2, 16, 128, 4, 2, 1e-5, 4096, 1_000_000, 0, 256);

    private TestModels() {}

    /** Writes a small transformer folder with the demo tekken tokenizer (BF16 weights, seed 9). */
    static Path writeTransformer(Path dir) throws IOException {
        return write(dir, "tiny-nemo", SMALL_TRANSFORMER, WeightFormat.BF16, 9, "mistral-nemo-demo/tekken.json");
    }

    /** Writes the model folder once under {@code dir} (F32 weights, seed 7) and returns it. */
    static Path writeMamba(Path dir) throws IOException {
        return write(dir, "tiny-mamba", SMALL_MAMBA, WeightFormat.F32, 7, "codestral-mamba-demo/tokenizer.model.v3");
    }

    /** Writes {@code dir/name} once, with the tokenizer of a built-in demo model ({@code demoTokenizer} under demo/). */
    private static Path write(Path dir, String name, ModelSpec spec, WeightFormat dtype, long seed, String demoTokenizer)
            throws IOException {
        Path folder = dir.resolve(name);
        if (Files.exists(folder.resolve(SyntheticModelWriter.WEIGHTS))) return folder;
        Files.createDirectories(folder);
        Path tokenizer = dir.resolve(Path.of(demoTokenizer).getFileName().toString());
        try (InputStream in = DemoModels.class.getResourceAsStream("demo/" + demoTokenizer)) {
            if (in == null) throw new IOException("the demo tokenizer demo/" + demoTokenizer + " is missing from the assets module");
            Files.copy(in, tokenizer);
        }
        SyntheticModelWriter.write(spec, folder, dtype, seed, tokenizer, bytes -> {}, () -> false);
        return folder;
    }

    static LoadedModel load(Path folder) {
        return ModelLoader.load(folder, ModelLoader.Options.DEFAULT);
    }
}
