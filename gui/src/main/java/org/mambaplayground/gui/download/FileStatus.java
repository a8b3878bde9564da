package org.mambaplayground.gui.download;

import org.mambaplayground.downloader.FileProgress;
import org.mambaplayground.engine.model.Sizes;
import org.mambaplayground.gui.shell.Formats;

/** One file's phase in words for the wizard's table. */
final class FileStatus {
    private FileStatus() {}

    static String describe(FileProgress f) {
        String base = switch (f.phase()) {
            case QUEUED -> "Waiting";
            case WAITING_FOR_LOCK -> "Waiting for another download of this file";
            case CONNECTING -> "Connecting";
            case DOWNLOADING -> Sizes.bytes((long) f.bytesPerSecond()) + "/s"
                    + (f.eta() == null ? "" : ", " + Formats.duration(f.eta().toMillis() / 1000.0) + " left");
            case RETRYING -> "Retrying";
            case VERIFYING -> "Verifying";
            case PAUSED -> "Paused";
            case DONE -> "Done";
            case FAILED -> "Failed" + (f.error() == null ? "" : ": " + f.error().getMessage());
            case CANCELLED -> "Cancelled";
        };
        return f.detail() == null || f.detail().isBlank() ? base : base + " (" + f.detail() + ")";
    }
}
