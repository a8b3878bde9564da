package org.mambaplayground.backend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mambaplayground.assets.DemoModels;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.model.Architecture;

/** The built-in demo models (real weights on disk, 2-3 MB each), opened by the engine's loader. */
final class DemoModelFolders {
    private DemoModelFolders() {}

    static LoadedModel open(Architecture architecture) {
        try {
            Path cache = Files.createTempDirectory("backend-test-demo");
            for (DemoModels.DemoModel demo : DemoModels.locate(cache)) {
                if (ModelLoader.readSpec(demo.folder()).architecture() == architecture) {
                    return ModelLoader.load(demo.folder(), ModelLoader.Options.DEFAULT);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no " + architecture + " demo model in the assets");
    }

    static LoadedModel open(String kind) {
        return open(kind.equals("mamba2") ? Architecture.MAMBA2 : Architecture.TRANSFORMER);
    }
}
