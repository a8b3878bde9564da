package org.mambaplayground.gui;

import java.net.URISyntaxException;
import java.nio.file.Path;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.synthetic.SyntheticModelWriter;
import org.mambaplayground.engine.tensor.DType;
import org.mambaplayground.engine.transformer.TransformerConfig;

/** Small real model folders for UI tests: random weights in the real file formats and the demo tokenizers. */
public final class TestModels {
    private TestModels() {}

    /** A 2-layer Mamba2 with the demo SentencePiece tokenizer (4096 tokens). */
    public static Path mamba2(Path folder) {
        SyntheticModelWriter.write(new Mamba2Config(64, 2, 4096, 2, true, true, true, 1, false, 16, 4, 2, 16, 8),
                folder, DType.BF16, 1, demoFile("codestral-mamba-demo/tokenizer.model.v3"), n -> {}, () -> false);
        return folder;
    }

    /** A 2-layer transformer with the demo tekken tokenizer (4096 tokens). */
    public static Path transformer(Path folder) {
        SyntheticModelWriter.write(new TransformerConfig(64, 2, 16, 160, 4, 2, 1e-5, 4096, 10000, 0, 0),
                folder, DType.BF16, 2, demoFile("mistral-nemo-demo/tekken.json"), n -> {}, () -> false);
        return folder;
    }

    static Path demoFile(String name) {
        try {
            return Path.of(TestModels.class.getResource("/org/mambaplayground/assets/demo/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("demo file " + name + " is missing from the assets module", e);
        }
    }
}
