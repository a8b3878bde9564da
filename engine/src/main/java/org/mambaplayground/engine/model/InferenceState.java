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

    /** True for a kind of state that can go back (a KV cache), so a checkpoint needs no copy of it. */
    default boolean rewinds() { return false; }

    /**
     * True when {@link #rewindTo} can go back to {@code position}: always to the current position; a KV cache
     * also to any earlier one whose entries are still held. A recurrent state (Mamba2) cannot go back.
     */
    default boolean canRewindTo(int position) { return position == position(); }

    /**
     * Forgets the tokens from {@code position} on, without copying: continuing from here gives the same logits
     * as a fresh state fed only the first {@code position} tokens.
     *
     * @throws IllegalArgumentException when {@link #canRewindTo} says no
     */
    default void rewindTo(int position) {
        if (!canRewindTo(position)) {
            throw new IllegalArgumentException("this state cannot go back from position " + position() + " to " + position);
        }
    }
}
