package org.mambaplayground.remote;

import java.time.Duration;

/**
 * A remote request that failed, with a one-line message naming the endpoint (and the model where it matters).
 * The message never holds the API key. A stream that broke after some text keeps what arrived in
 * {@link #partial()}, so nothing already shown has to be thrown away.
 */
public final class RemoteException extends RuntimeException {
    public enum Kind {
        /** Connection refused, unknown host, TLS failure, connect timeout. */
        UNREACHABLE,
        /** 401 or 403: the key is missing or refused. */
        UNAUTHORIZED,
        /** The endpoint does not serve the model. */
        MODEL_NOT_FOUND,
        /** 429: the message says when to retry ({@link #retryAfter()}). */
        RATE_LIMITED,
        /** The connection ended before the answer did. */
        STREAM_CUT,
        /** The stream held a line that is not server-sent events, or data that is not the expected JSON. */
        MALFORMED_STREAM,
        /** The request was refused as invalid (400, 404 on a route, 422). */
        REQUEST_REFUSED,
        /** 5xx, or an error event in the stream. */
        SERVER_ERROR
    }

    private final Kind kind;
    private final Duration retryAfter;
    private final ChatResult partial;

    RemoteException(Kind kind, String message, Duration retryAfter, ChatResult partial, Throwable cause) {
        super(oneLine(message), cause, true, false);
        this.kind = kind;
        this.retryAfter = retryAfter;
        this.partial = partial;
    }

    RemoteException(Kind kind, String message) { this(kind, message, null, null, null); }

    public Kind kind() { return kind; }

    /** How long the server asked to wait (429), or null. */
    public Duration retryAfter() { return retryAfter; }

    /** What a stream delivered before it failed (text so far, stats so far), or null when nothing came. */
    public ChatResult partial() { return partial; }

    RemoteException withPartial(ChatResult received) {
        return new RemoteException(kind, getMessage(), retryAfter, received, getCause());
    }

    private static String oneLine(String text) {
        return text == null ? null : text.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
