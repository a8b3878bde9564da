package org.mambaplayground.engine.model;

import java.nio.file.Path;

public enum Architecture {
    /** Mamba2 selective state-space model (Codestral Mamba). */
    MAMBA2,
    /** Mistral-style decoder-only transformer (Mistral 7B, Mistral Nemo). */
    TRANSFORMER;

    /**
     * The one place that maps params.json's {@code model_type} to an architecture: "mamba" (what Codestral Mamba's
     * params.json says) or "mamba2" (Hugging Face's name for it), and "transformer".
     */
    public static Architecture ofModelType(String type, Path file) {
        return switch (type) {
            case "mamba", "mamba2" -> MAMBA2;
            case "transformer" -> TRANSFORMER;
            default -> throw new ModelFormatException(file, "params.json key 'model_type': unsupported model type \""
                    + type + "\" (supported: mamba, mamba2, transformer)");
        };
    }

    /** Checks a params.json with a {@code model_type} names {@code expected}; none at all is taken as {@code expected}. */
    public static void requireModelType(Params p, Architecture expected) {
        if (!p.has("model_type")) return;
        String type = p.optionalString("model_type", null);
        Architecture found = ofModelType(type, p.file());
        if (found != expected) {
            throw p.invalid("model_type", "\"" + type + "\" is a " + found.name().toLowerCase(java.util.Locale.ROOT)
                    + " model, not a " + expected.name().toLowerCase(java.util.Locale.ROOT) + " one");
        }
    }
}
