package org.mambaplayground.backend;

import java.time.Duration;
import java.util.Optional;

/**
 * A backend's failure, with a one-line message fit for the user that names the endpoint, model or file (never a
 * library's internal message, never an API key). The conversation it happened in is left as it was.
 */
public class BackendException extends RuntimeException {
    /** What went wrong, so a view can say what to do about it. */
    public enum Kind {
        /** The host could not be reached or did not answer in time. */
        UNREACHABLE,
        /** 401 or 403: the key is missing, wrong or not allowed. */
        UNAUTHORIZED,
        /** 404: no such model (or path) at the endpoint. */
        NOT_FOUND,
        /** 429: too many requests; {@link #retryAfter()} says when to try again when the server said. */
        RATE_LIMITED,
        /** The stream ended before the answer did (connection closed or reset mid-answer). */
        STREAM_CUT,
        /** The server sent something that is not the protocol (a malformed SSE line or JSON). */
        MALFORMED,
        /** Any other refusal or failure (a 4xx/5xx with its message, the engine's own errors). */
        FAILED
    }

    private final Kind kind;
    private final Duration retryAfter;

    public BackendException(Kind kind, String message) { this(kind, message, null, null); }

    public BackendException(Kind kind, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.retryAfter = retryAfter;
    }

    public Kind kind() { return kind; }

    /** How long the server asked to wait (429 with {@code Retry-After}), if it said. */
    public Optional<Duration> retryAfter() { return Optional.ofNullable(retryAfter); }
}
