package org.mambaplayground.gui.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.mambaplayground.assets.DemoModels;
import org.mambaplayground.engine.model.Architecture;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.model.Model;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.synthetic.SyntheticModelWriter;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.engine.tokenizer.Tokenizers;
import org.mambaplayground.engine.transformer.TransformerConfig;
import org.mambaplayground.gui.models.EngineBinding;

/**
 * Real small models for the UI tests: the built-in demo models when the assets module ships them, else
 * synthetic weights of both architectures written to disk by the engine's SyntheticModelWriter with the
 * demo tokenizers. Either way they are opened by the engine's own loaders.
 */
public final class TestModels {
    /** 2 layers, dim 64, the demo tokenizer's 4096-token vocabulary. */
    public static final Mamba2Config MAMBA = new Mamba2Config(64, 2, 4096, 1, true, true, true, 1, false, 16, 4, 2, 16, 32);
    public static final TransformerConfig TRANSFORMER = new TransformerConfig(64, 2, 16, 128, 4, 2, 1e-5, 4096, 10_000.0, 0, 8192);

    private static final String DEMO = "/org/mambaplayground/assets/demo/";
    private static Path root;
    private static Path demoCache;

    private TestModels() {}

    /** A Mamba2 model folder: the built-in demo model, or a synthetic one written once per test run. */
    public static synchronized Path mambaFolder() {
        return demo(Architecture.MAMBA2).orElseGet(() -> folder("tiny-mamba2", MAMBA, "codestral-mamba-demo/tokenizer.model.v3"));
    }

    /** A transformer model folder: the built-in demo model, or a synthetic one written once per test run. */
    public static synchronized Path transformerFolder() {
        return demo(Architecture.TRANSFORMER).orElseGet(() -> folder("tiny-transformer", TRANSFORMER, "mistral-nemo-demo/tekken.json"));
    }

    /**
     * The built-in demo model of that architecture, when the assets hold one with its weights. Extracted once
     * per JVM (under {@code verify} the assets are a jar): every call must return the same folder, since
     * tests add it to a library and look it up again by path.
     */
    private static Optional<Path> demo(Architecture architecture) {
        try {
            if (demoCache == null) {
                demoCache = Files.createTempDirectory("gui-test-demo-cache");
                demoCache.toFile().deleteOnExit();
            }
            for (DemoModels.DemoModel demo : DemoModels.locate(demoCache)) {
                Path folder = demo.folder();
                if (Files.isRegularFile(folder.resolve(ModelLoader.PARAMS)) && Files.isRegularFile(folder.resolve(ModelLoader.WEIGHTS))
                        && ModelLoader.readSpec(folder).architecture() == architecture) {
                    return Optional.of(folder);
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The engine binding of the app, with model opening done by the engine's loader and tokenizer loader. */
    public static EngineBinding engine() {
        return new EngineBinding((folder, choice, progress, cancel) -> open(folder,
                choice.applyTo(new ModelLoader.Options(false, progress::update, cancel))), EngineBinding::readSpec);
    }

    public static LoadedModel open(Path folder) {
        return open(folder, ModelLoader.Options.DEFAULT);
    }

    private static LoadedModel open(Path folder, ModelLoader.Options options) {
        Model model = ModelLoader.loadModel(folder, options);
        try {
            Tokenizers.Loaded tokenizer = Tokenizers.load(folder);
            return new LoadedModel(folder, folder.getFileName().toString(), model, tokenizer.tokenizer(), tokenizer.chatFormat());
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static Path folder(String name, org.mambaplayground.engine.model.ModelSpec spec, String tokenizerResource) {
        try {
            if (root == null) {
                root = Files.createTempDirectory("gui-test-models");
                root.toFile().deleteOnExit();
            }
            Path folder = root.resolve(name);
            if (Files.isDirectory(folder)) return folder;
            Path tokenizer = root.resolve(name + "-" + Path.of(tokenizerResource).getFileName());
            Files.createDirectories(tokenizer);
            try (InputStream in = TestModels.class.getResourceAsStream(DEMO + tokenizerResource)) {
                if (in == null) throw new IllegalStateException("demo tokenizer " + tokenizerResource + " is not on the class path");
                Files.copy(in, tokenizer.resolve(Path.of(tokenizerResource).getFileName()));
            }
            SyntheticModelWriter.write(spec, folder, WeightFormat.F32, 42, tokenizer.resolve(Path.of(tokenizerResource).getFileName()),
                    bytes -> {}, () -> false);
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
