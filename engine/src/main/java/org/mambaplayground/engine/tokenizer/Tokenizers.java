package org.mambaplayground.engine.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the tokenizer a model folder ships, chosen by which file is present. */
public final class Tokenizers {
    public static final String SENTENCEPIECE_V3_FILE = "tokenizer.model.v3";
    public static final String TEKKEN_FILE = "tekken.json";

    private Tokenizers() {}

    /** A loaded tokenizer, its chat layout and the file it came from. */
    public record Loaded(Tokenizer tokenizer, ChatFormat chatFormat, Path file) {}

    /** Whether the folder holds a tokenizer {@link #load} can open. */
    public static boolean present(Path modelFolder) {
        return Files.isRegularFile(modelFolder.resolve(TEKKEN_FILE)) || Files.isRegularFile(modelFolder.resolve(SENTENCEPIECE_V3_FILE));
    }

    /**
     * Loads {@code tekken.json} (Mistral Nemo) or {@code tokenizer.model.v3} (Codestral Mamba) from the folder;
     * when both are present tekken is used.
     */
    public static Loaded load(Path modelFolder) {
        Path tekken = modelFolder.resolve(TEKKEN_FILE);
        if (Files.isRegularFile(tekken)) return loadFile(tekken);
        Path spm = modelFolder.resolve(SENTENCEPIECE_V3_FILE);
        if (Files.isRegularFile(spm)) return loadFile(spm);
        throw new TokenizerFormatException(modelFolder, "no tokenizer: expected " + TEKKEN_FILE + " or "
                + SENTENCEPIECE_V3_FILE + " in the model folder");
    }

    /** Loads one tokenizer file, its kind told by the name (tekken*.json, or a SentencePiece model). */
    public static Loaded loadFile(Path file) {
        boolean tekken = file.getFileName().toString().endsWith(".json");
        Tokenizer t;
        if (tekken) {
            TekkenTokenizer tekkenizer = TekkenTokenizer.load(file);
            if (!"v3".equals(tekkenizer.version())) {
                throw new TokenizerFormatException(file, "tekken version " + tekkenizer.version()
                        + " is not supported: this engine implements the v3 instruct layout (Mistral Nemo)");
            }
            t = tekkenizer;
        } else {
            t = SentencePieceTokenizer.load(file);
        }
        try {
            return new Loaded(t, new MistralInstructFormat(t), file);
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(file, e.getMessage() + ": not a v3 (instruct) "
                    + (tekken ? "tekken file" : "SentencePiece model"));
        }
    }
}
