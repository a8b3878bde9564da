package org.mambaplayground.engine.tokenizer;

import java.nio.file.Path;
import org.mambaplayground.engine.model.ModelFormatException;

/** A tokenizer file that cannot be read: the message names the file and the field or byte offset at fault. */
public class TokenizerFormatException extends ModelFormatException {
    public TokenizerFormatException(Path file, String message) {
        super(file, message);
    }

    public TokenizerFormatException(Path file, String message, Throwable cause) {
        super(file, message, cause);
    }
}
