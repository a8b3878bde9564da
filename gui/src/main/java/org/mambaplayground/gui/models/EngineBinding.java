package org.mambaplayground.gui.models;

import java.io.IOException;
import org.mambaplayground.gui.library.SpecReader;

/** The one place the GUI reaches into the engine to open model folders and read their configurations. */
public record EngineBinding(ModelOpener opener, SpecReader specs) {

    /** The engine's ModelLoader and configuration parsers. */
    public static EngineBinding engine() {
        // TODO(gui-a): bind to ModelLoader / model configs as soon as they are on main
        return new EngineBinding(
                (folder, progress, cancel) -> { throw new IOException("This build's engine cannot open " + folder + " yet"); },
                (params, source) -> { throw new IllegalStateException("This build's engine cannot read " + source + " yet"); });
    }
}
