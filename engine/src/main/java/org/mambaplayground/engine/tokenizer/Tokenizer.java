package org.mambaplayground.engine.tokenizer;

/**
 * Text to token ids and back, reading the model's own tokenizer file
 * ({@code tokenizer.model.v3}: SentencePiece; {@code tekken.json}: tiktoken-style byte-level BPE).
 */
public interface Tokenizer {
    int vocabularySize();

    /** Encodes plain text; special-token names in the text are treated as text, never as control tokens. */
    int[] encode(String text);

    /**
     * Encodes text that continues earlier text (a later part of a completion): as {@link #encode}, but without
     * anything the tokenizer only puts at the start of a text (SentencePiece's dummy-prefix space).
     */
    default int[] encodeContinuation(String text) { return encode(text); }

    /** Decodes ids to text; control tokens are left out. The same text as {@link #streamingDecoder()} gives. */
    default String decode(int[] tokens) {
        StreamingDecoder d = streamingDecoder();
        StringBuilder out = new StringBuilder();
        for (int t : tokens) out.append(d.next(t));
        return out.append(d.flush()).toString();
    }

    /** The raw UTF-8 bytes a token stands for (empty for control tokens). */
    byte[] tokenBytes(int token);

    boolean isSpecial(int token);

    int bos();

    int eos();

    /** Id of a control token such as {@code [INST]}, or -1 if this vocabulary has none. */
    int specialTokenId(String name);

    /** A decoder that turns a stream of ids into text without ever emitting a broken character. */
    StreamingDecoder streamingDecoder();
}
