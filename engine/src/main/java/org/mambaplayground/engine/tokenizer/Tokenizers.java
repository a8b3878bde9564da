package org.mambaplayground.engine.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Opens the tokenizer a model folder ships, chosen by which file is present. */
public final class Tokenizers {
    public static final String SENTENCEPIECE_V3_FILE = "tokenizer.model.v3";
    public static final String TEKKEN_FILE = "tekken.json";
    /** Mistral 7B v0.1's and Mixtral's SentencePiece models (mistral-common's v1 instruct layout). */
    public static final List<String> SENTENCEPIECE_V1_FILES = List.of("tokenizer.model.v1", "tokenizer.model");

    private Tokenizers() {}

    /** A loaded tokenizer, its chat layout and the file it came from. */
    public record Loaded(Tokenizer tokenizer, ChatFormat chatFormat, Path file) {}

    /** Whether the folder holds a tokenizer {@link #load} can open. */
    public static boolean present(Path modelFolder) {
        return Files.isRegularFile(modelFolder.resolve(TEKKEN_FILE)) || Files.isRegularFile(modelFolder.resolve(SENTENCEPIECE_V3_FILE))
                || SENTENCEPIECE_V1_FILES.stream().anyMatch(f -> Files.isRegularFile(modelFolder.resolve(f)));
    }

    /**
     * Loads {@code tekken.json} (Mistral Nemo), {@code tokenizer.model.v3} (Codestral Mamba, Mistral 7B v0.3) or a v1
     * SentencePiece model (Mistral 7B v0.1, Mixtral) from the folder, in that order of preference.
     */
    public static Loaded load(Path modelFolder) {
        Path tekken = modelFolder.resolve(TEKKEN_FILE);
        if (Files.isRegularFile(tekken)) return loadFile(tekken);
        Path spm = modelFolder.resolve(SENTENCEPIECE_V3_FILE);
        if (Files.isRegularFile(spm)) return loadFile(spm);
        for (String v1 : SENTENCEPIECE_V1_FILES) {
            if (Files.isRegularFile(modelFolder.resolve(v1))) return loadFile(modelFolder.resolve(v1));
        }
        throw new TokenizerFormatException(modelFolder, "no tokenizer: expected " + TEKKEN_FILE + ", "
                + SENTENCEPIECE_V3_FILE + " or " + String.join(" or ", SENTENCEPIECE_V1_FILES) + " in the model folder");
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
            return new Loaded(t, MistralInstructFormat.of(t), file);
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(file, e.getMessage() + ": not a v3 (instruct) "
                    + (tekken ? "tekken file" : "SentencePiece model"));
        }
    }
}
