package org.mambaplayground.gui.models;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.WarmUp;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.gui.library.SpecReader;

/** The one place the GUI reaches into the engine to open model folders and read their configurations. */
public record EngineBinding(ModelOpener opener, SpecReader specs) {

    /** The engine's ModelLoader and configuration parsers. */
    public static EngineBinding engine() {
        return new EngineBinding(EngineBinding::open, EngineBinding::readSpec);
    }

    /**
     * Maps the weights lazily (no pre-touch): loading takes a moment, pages arrive as the first tokens need
     * them; a quantized choice is converted first, once. Then one short warm-up run, so the first prompt's
     * timings (and the charts) are not the JIT's.
     */
    static LoadedModel open(Path folder, LoadChoice choice, ModelOpener.Progress progress, CancellationToken cancel) {
        ModelLoader.Listener listener = (stage, fraction) -> {
            if (!stage.equals("Ready")) progress.update(stage, fraction); // the warm-up follows: not ready yet
        };
        LoadedModel loaded = ModelLoader.load(folder, choice.applyTo(new ModelLoader.Options(false, listener, cancel)));
        progress.update("Warming up the kernels", -1);
        WarmUp.run(loaded.model(), cancel);
        progress.update("Ready", 1);
        return loaded;
    }

    /** params.json to the engine's configuration of the architecture it describes. */
    public static ModelSpec readSpec(JsonNode params, Path source) {
        return ModelLoader.readSpec(params, source);
    }
}
