package org.mambaplayground.engine.model;

import java.util.Locale;

/** Human-readable sizes and counts, for {@link ModelSpec#describe()} rows and every label that shows them. */
public final class Sizes {
    private Sizes() {}

    /** Decimal units (kB = 10^3 bytes), as disks and the hub show sizes: 1536 -> "1.54 kB", 24_500_000_000 -> "24.5 GB". */
    public static String bytes(long bytes) {
        if (bytes < 0) return "?";
        if (bytes < 1_000) return bytes + " B";
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
    }

    /** Parameter counts: "7.29 B", "12.2 M", "1.5 K". */
    public static String count(long n) {
        if (n >= 1_000_000_000L) return String.format(Locale.ROOT, "%.2f B", n / 1e9);
        if (n >= 1_000_000L) return String.format(Locale.ROOT, "%.1f M", n / 1e6);
        if (n >= 1_000L) return String.format(Locale.ROOT, "%.1f K", n / 1e3);
        return Long.toString(n);
    }
}
