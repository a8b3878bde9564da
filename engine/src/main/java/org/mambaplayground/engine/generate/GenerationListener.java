package org.mambaplayground.engine.generate;

import org.mambaplayground.engine.model.InferenceState;

/** Events of a running generation, called on the generating thread. */
public interface GenerationListener {
    /** Prompt processing progress, in tokens. */
    default void onPrefillProgress(int done, int total) {}

    /**
     * The state has read the whole prompt; {@code logits} predict the first answer token. Called once, before
     * sampling, so a caller can keep a checkpoint of the state here (copy it, never change it).
     */
    default void onPromptRead(InferenceState state, float[] logits) {}

    /** One generated token and the text it completes (may be empty mid-character). */
    default void onToken(int token, String text) {}

    default void onFinished(GenerationStats stats) {}
}
