package org.mambaplayground.downloader;

/** Where one file stands. */
public enum Phase {
    QUEUED,
    /** Another process (or download) holds this file's lock; we wait, then find it done or continue. */
    WAITING_FOR_LOCK,
    CONNECTING,
    DOWNLOADING,
    /** The connection dropped, stalled or the hub asked to wait: retrying after a back-off (see detail). */
    RETRYING,
    /**
     * The last byte is on disk; finishing its checksum before it is moved into place. The checksum runs in the
     * background during the download, so this is instant unless the network outran it (detail gives the percentage).
     */
    VERIFYING,
    PAUSED,
    DONE,
    FAILED,
    CANCELLED;

    public boolean isFinal() {
        return this == DONE || this == FAILED || this == CANCELLED;
    }
}
