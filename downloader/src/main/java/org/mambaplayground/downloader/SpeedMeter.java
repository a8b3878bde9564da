package org.mambaplayground.downloader;

import java.time.Duration;
import java.util.ArrayDeque;

/** Speed over a sliding window of a few seconds, so a short hiccup does not make the ETA jump. */
final class SpeedMeter {

    private static final long WINDOW_NANOS = 3_000_000_000L;

    private final ArrayDeque<long[]> samples = new ArrayDeque<>();

    synchronized void sample(long nanos, long bytes) {
        samples.addLast(new long[] {nanos, bytes});
        while (samples.size() > 2 && nanos - samples.peekFirst()[0] > WINDOW_NANOS) samples.removeFirst();
    }

    synchronized void reset() {
        samples.clear();
    }

    synchronized double bytesPerSecond() {
        if (samples.size() < 2) return 0;
        long[] a = samples.peekFirst();
        long[] b = samples.peekLast();
        long dt = b[0] - a[0];
        return dt <= 0 ? 0 : (b[1] - a[1]) * 1e9 / dt;
    }

    static Duration eta(long remaining, double bytesPerSecond) {
        if (remaining <= 0) return Duration.ZERO;
        if (bytesPerSecond < 1) return null;
        return Duration.ofSeconds((long) Math.ceil(remaining / bytesPerSecond));
    }
}
