package org.mambaplayground.engine.generate;

/** Set from any thread to stop a generation, prefill or benchmark at the next token or chunk. */
public final class CancellationToken {
    private volatile boolean cancelled;

    public void cancel() { cancelled = true; }

    public boolean isCancelled() { return cancelled; }
}
