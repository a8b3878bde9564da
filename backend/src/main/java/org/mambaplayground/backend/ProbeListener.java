package org.mambaplayground.backend;

/** Progress of a latency probe, called on the probing thread. */
public interface ProbeListener {
    /** Prompt reading progress in tokens (not called by a remote backend). */
    default void onPrefill(int done, int total) {}

    /** {@code done} of the request's repeats have ended. */
    default void onRepeat(int done) {}
}
