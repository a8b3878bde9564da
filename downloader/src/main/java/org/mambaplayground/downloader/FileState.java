package org.mambaplayground.downloader;

import java.util.concurrent.atomic.AtomicLong;

/** The live state of one file in a running download, read by the progress ticker. */
final class FileState {

    final RepoFile file;
    final SpeedMeter speed = new SpeedMeter();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong fetched;
    volatile Phase phase = Phase.QUEUED;
    volatile String detail = "";
    volatile HubException error;
    long lastReportedBytes = -1;

    FileState(RepoFile file, long bytesPresent, AtomicLong fetchedByRun) {
        this.file = file;
        this.bytes.set(bytesPresent);
        this.fetched = fetchedByRun;
    }

    long bytes() {
        return bytes.get();
    }

    void setBytes(long value) {
        bytes.set(value);
    }

    void addBytes(long n, boolean fromNetwork) {
        bytes.addAndGet(n);
        if (fromNetwork) fetched.addAndGet(n);
    }

    FileProgress snapshot() {
        Phase p = phase;
        long done = bytes();
        double bps = p == Phase.DOWNLOADING ? speed.bytesPerSecond() : 0;
        return new FileProgress(file.path(), p, done, file.size(), bps,
                p == Phase.DONE ? java.time.Duration.ZERO : SpeedMeter.eta(file.size() - done, bps), detail, error);
    }
}
