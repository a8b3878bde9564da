package org.mambaplayground.remote;

/**
 * A streamed answer: its text, why it ended ({@code stop}, {@code length}, {@code cancelled} when the caller
 * stopped it, or the server's own word), and its measurements.
 */
public record ChatResult(String text, String finishReason, RemoteStats stats) {
    public static final String CANCELLED = "cancelled";

    public boolean cancelled() { return CANCELLED.equals(finishReason); }
}
