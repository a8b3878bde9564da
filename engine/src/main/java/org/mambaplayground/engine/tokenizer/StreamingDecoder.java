package org.mambaplayground.engine.tokenizer;

/**
 * Turns tokens one at a time into text pieces; a multi-byte character split across tokens is emitted once, whole.
 * The pieces of a stream, joined, equal {@link Tokenizer#decode} of all its tokens. Use one decoder per answer:
 * a SentencePiece decoder drops the dummy-prefix space of the first piece, as decoding the answer alone does.
 * Not thread-safe (a tokenizer is; each stream gets its own decoder).
 */
public interface StreamingDecoder {
    /** Text completed by this token (possibly empty). */
    String next(int token);

    /** Whatever is still buffered (an incomplete sequence becomes U+FFFD). */
    String flush();
}
