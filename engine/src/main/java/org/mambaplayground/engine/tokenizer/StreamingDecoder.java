package org.mambaplayground.engine.tokenizer;

/** Turns tokens one at a time into text pieces; a multi-byte character split across tokens is emitted once, whole. */
public interface StreamingDecoder {
    /** Text completed by this token (possibly empty). */
    String next(int token);

    /** Whatever is still buffered (an incomplete sequence becomes U+FFFD). */
    String flush();
}
