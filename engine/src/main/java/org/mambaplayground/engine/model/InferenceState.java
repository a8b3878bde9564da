package org.mambaplayground.engine.model;

/**
 * What a model remembers of the tokens it has seen: Mamba2's conv and SSM state (constant size) or a
 * transformer's KV cache (grows with the context; a rolling buffer under a sliding window).
 */
public interface InferenceState {
    /** Number of tokens processed so far. */
    int position();

    /** Bytes of memory this state really holds now (allocated buffers, not a formula). */
    long bytes();

    /** An independent copy: continuing the copy and the original with the same tokens gives the same logits. */
    InferenceState copy();
}
