package org.mambaplayground.gui.models;

import java.io.IOException;
import java.nio.file.Path;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.load.LoadedModel;

/** Opens a model folder; the application binds this to the engine's ModelLoader. */
@FunctionalInterface
public interface ModelOpener {
    /**
     * @param choice   the precision and KV cache format to load it with
     * @param progress receives a short message and a fraction in [0, 1] (or -1 when unknown)
     * @param cancel   checked between steps; an opener that sees it set releases what it opened and throws
     */
    LoadedModel open(Path folder, LoadChoice choice, Progress progress, CancellationToken cancel) throws IOException;

    @FunctionalInterface
    interface Progress {
        void update(String message, double fraction);
    }
}
