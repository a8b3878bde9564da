package org.mambaplayground.gui.library;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.mambaplayground.engine.model.ModelSpec;

/** Turns a params.json into the engine's ModelSpec; the GUI does no model arithmetic itself. */
@FunctionalInterface
public interface SpecReader {
    /**
     * @param params the parsed params.json
     * @param source the file it came from, for error messages (or a description such as "catalog")
     * @throws RuntimeException with a message naming the field at fault when the params are not understood
     */
    ModelSpec read(JsonNode params, Path source);
}
