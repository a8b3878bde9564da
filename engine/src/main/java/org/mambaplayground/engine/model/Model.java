package org.mambaplayground.engine.model;

/**
 * One loaded model of either architecture. Not thread-safe per state: one generation at a time per state.
 */
public interface Model extends AutoCloseable {
    ModelSpec spec();

    InferenceState newState();

    /**
     * Processes {@code tokens} after what {@code state} holds and returns the logits (vocabulary size)
     * that predict the token after the last one. Uses batched (matrix) kernels; Mamba2 uses chunked SSD.
     */
    float[] prefill(InferenceState state, int[] tokens);

    /** Processes one token (the recurrent / single-query step) and returns the next-token logits. */
    float[] decode(InferenceState state, int token);

    /**
     * Experts' weight sets read so far by a mixture-of-experts model (one per expert run in one layer, over all
     * calls): with {@link ModelSpec#weightBytesPerToken} it gives the weight bytes decode really reads. 0 for
     * dense models, which read every weight for every token.
     */
    default long expertsRead() { return 0; }

    /** Releases the memory-mapped weights. */
    @Override
    void close();
}
