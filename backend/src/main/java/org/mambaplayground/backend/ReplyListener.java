package org.mambaplayground.backend;

/** Events of an answer as it streams, called on the generating thread (a UI batches them onto its own). */
public interface ReplyListener {
    /** Prompt reading progress in tokens (a remote backend may never call it: the server does not say). */
    default void onPrefill(int done, int total) {}

    /**
     * A piece of the answer and the tokens it stands for: 1 for an engine token (its text may be empty
     * mid-character), a stream chunk's count for a remote one.
     */
    default void onText(String piece, int tokens) {}

    /** The answer ended (stopped, cut by the length limit, or cancelled), with its figures. Not called on failure. */
    default void onFinished(ReplyStats stats) {}
}
