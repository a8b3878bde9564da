package org.mambaplayground.remote;

import java.util.Optional;
import org.mambaplayground.backend.BackendException;
import org.mambaplayground.backend.Reply;

/**
 * A remote backend's failure. A stream that broke after some text carries it in {@link #partial()}: the
 * conversation keeps to its rule (left as it was before the call), and the chat can still show what arrived.
 */
public final class RemoteBackendException extends BackendException {
    private final Reply partial;

    RemoteBackendException(RemoteException e, Reply partial) {
        super(kind(e.kind()), e.getMessage(), e.retryAfter(), e);
        this.partial = partial;
    }

    /** What streamed before the failure, with its figures; empty when nothing came. */
    public Optional<Reply> partial() { return Optional.ofNullable(partial); }

    static Kind kind(RemoteException.Kind kind) {
        return switch (kind) {
            case UNREACHABLE -> Kind.UNREACHABLE;
            case UNAUTHORIZED -> Kind.UNAUTHORIZED;
            case MODEL_NOT_FOUND -> Kind.NOT_FOUND;
            case RATE_LIMITED -> Kind.RATE_LIMITED;
            case STREAM_CUT -> Kind.STREAM_CUT;
            case MALFORMED_STREAM -> Kind.MALFORMED;
            case REQUEST_REFUSED, SERVER_ERROR -> Kind.FAILED;
        };
    }
}
