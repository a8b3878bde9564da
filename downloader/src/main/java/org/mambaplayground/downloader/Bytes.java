package org.mambaplayground.downloader;

import java.time.Duration;
import java.util.Locale;

/** Human-readable sizes, speeds and durations for messages and progress lines. */
public final class Bytes {

    private Bytes() {}

    /** 1536 -> "1.5 KiB"; exact byte count below 1 KiB. */
    public static String format(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }

    public static String speed(double bytesPerSecond) {
        return format((long) bytesPerSecond) + "/s";
    }

    /** "1:02:03", "4:05", or "--:--" when unknown. */
    public static String duration(Duration d) {
        if (d == null) return "--:--";
        long s = d.toSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
