package org.mambaplayground.downloader;

import java.io.IOException;

/**
 * A failure the user can act on. {@link #kind()} says what went wrong (switch on it in a UI),
 * {@link #getMessage()} says what and where (repository, file, URL), {@link #hint()} says what to do.
 */
public final class HubException extends IOException {

    public enum Kind {
        /** The repository is gated: accept its licence on the model page and use a token of that account. */
        GATED,
        /** The token was refused by the hub (revoked, mistyped). */
        INVALID_TOKEN,
        /** No such repository, or it is private and the token cannot see it. */
        REPO_NOT_FOUND,
        REVISION_NOT_FOUND,
        FILE_NOT_FOUND,
        /** The hub asked us to slow down for longer than we are willing to wait. */
        RATE_LIMITED,
        /** The plan does not fit on the disk: refused before any byte was fetched. */
        NOT_ENOUGH_SPACE,
        /** The disk filled up while writing. */
        DISK_FULL,
        /** The hub or the CDN could not be reached, or the connection kept dropping. */
        NETWORK,
        /** The downloaded bytes do not hash to what the hub announced; the partial file was deleted. */
        CHECKSUM_MISMATCH,
        /** Offline mode (HF_HUB_OFFLINE) and nothing usable on disk. */
        OFFLINE,
        /** The server answered something this client cannot make sense of. */
        PROTOCOL,
        /** Bad input from the caller: repository id, pattern, path. */
        BAD_INPUT,
        /** A local file could not be read or written (permissions, broken store). */
        LOCAL_IO
    }

    private final Kind kind;
    private final String hint;
    private final String url;

    public HubException(Kind kind, String message, String hint, String url, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.hint = hint == null ? "" : hint;
        this.url = url;
    }

    public HubException(Kind kind, String message, String hint) {
        this(kind, message, hint, null, null);
    }

    public Kind kind() {
        return kind;
    }

    /** What the user can do about it; never null, may be empty. */
    public String hint() {
        return hint;
    }

    /** The URL concerned, or null. */
    public String url() {
        return url;
    }

    /** Message and hint on one or two lines, ready for a terminal or a dialog. */
    public String describe() {
        return hint.isEmpty() ? getMessage() : getMessage() + "\n" + hint;
    }
}
