package org.mambaplayground.engine.model;

import java.nio.file.Path;

/** A model folder that cannot be loaded: the message names the file and the tensor or key at fault. */
public class ModelFormatException extends RuntimeException {
    private final Path file;

    public ModelFormatException(Path file, String message) {
        super((file == null ? "" : file + ": ") + message);
        this.file = file;
    }

    public ModelFormatException(Path file, String message, Throwable cause) {
        super((file == null ? "" : file + ": ") + message, cause);
        this.file = file;
    }

    public Path file() { return file; }
}
