package org.mambaplayground.gui.models;

import java.io.IOException;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.model.ModelLoader;
import org.mambaplayground.engine.transformer.TransformerConfig;
import org.mambaplayground.gui.library.SpecReader;

/** The one place the GUI reaches into the engine to open model folders and read their configurations. */
public record EngineBinding(ModelOpener opener, SpecReader specs) {

    /** The engine's ModelLoader and configuration parsers. */
    public static EngineBinding engine() {
        return new EngineBinding(
                // TODO(gui-a): bind to ModelLoader's model opening as soon as it is on main
                (folder, progress, cancel) -> { throw new IOException("This build's engine cannot open " + folder + " yet"); },
                EngineBinding::readSpec);
    }

    /** params.json to the engine's configuration of the architecture it describes. */
    public static org.mambaplayground.engine.model.ModelSpec readSpec(com.fasterxml.jackson.databind.JsonNode params, java.nio.file.Path source) {
        return switch (ModelLoader.detectArchitecture(params, source)) {
            case MAMBA2 -> Mamba2Config.fromParams(params, source);
            case TRANSFORMER -> TransformerConfig.fromParams(params, source);
        };
    }
}
