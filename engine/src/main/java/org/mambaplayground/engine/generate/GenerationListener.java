package org.mambaplayground.engine.generate;

/** Events of a running generation, called on the generating thread. */
public interface GenerationListener {
    /** Prompt processing progress, in tokens. */
    default void onPrefillProgress(int done, int total) {}

    /** One generated token and the text it completes (may be empty mid-character). */
    default void onToken(int token, String text) {}

    default void onFinished(GenerationStats stats) {}
}
