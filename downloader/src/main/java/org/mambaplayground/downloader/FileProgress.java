package org.mambaplayground.downloader;

import java.time.Duration;

/**
 * One file's progress.
 *
 * @param bytesDone      bytes on disk for this file (including what an earlier run left)
 * @param bytesPerSecond current download speed of this file (0 when not downloading)
 * @param eta            time left at the current speed, or null when unknown
 * @param detail         a short human line for RETRYING / VERIFYING / WAITING_FOR_LOCK, else empty
 * @param error          set when phase is FAILED
 */
public record FileProgress(String path, Phase phase, long bytesDone, long bytesTotal, double bytesPerSecond,
                           Duration eta, String detail, HubException error) {

    public double fraction() {
        return bytesTotal <= 0 ? 1.0 : (double) bytesDone / bytesTotal;
    }
}
