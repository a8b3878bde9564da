package org.mambaplayground.downloader;

import java.time.Duration;

/**
 * The whole download's progress.
 *
 * @param bytesDone      bytes on disk for the planned files (already present plus fetched)
 * @param bytesFetched   bytes fetched over the network by this run
 * @param bytesPerSecond current overall speed
 * @param eta            time left at the current speed, or null when unknown
 */
public record Progress(int filesDone, int filesTotal, long bytesDone, long bytesTotal, long bytesFetched,
                       double bytesPerSecond, Duration eta, boolean paused) {

    public double fraction() {
        return bytesTotal <= 0 ? 1.0 : (double) bytesDone / bytesTotal;
    }
}
