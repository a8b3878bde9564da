package org.mambaplayground.engine.model;

import java.util.Locale;

/** Human-readable sizes for {@link ModelSpec#describe()} rows. */
public final class Sizes {
    private Sizes() {}

    /** Decimal units (MB = 10^6 bytes), as download sizes are shown. */
    public static String bytes(long bytes) {
        if (bytes < 1_000) return bytes + " B";
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** Parameter counts: "7.29 B", "12.2 M". */
    public static String count(long n) {
        if (n >= 1_000_000_000L) return String.format(Locale.ROOT, "%.2f B", n / 1e9);
        if (n >= 1_000_000L) return String.format(Locale.ROOT, "%.1f M", n / 1e6);
        if (n >= 1_000L) return String.format(Locale.ROOT, "%.1f K", n / 1e3);
        return Long.toString(n);
    }
}
