package org.mambaplayground.gui.shell;

import java.util.Locale;

/** Human-readable numbers for labels. */
public final class Formats {
    private Formats() {}

    /** 1536 -> "1.5 KB" (decimal units, as disk sizes and the hub show them). */
    public static String bytes(long bytes) {
        if (bytes < 0) return "?";
        if (bytes < 1000) return bytes + " B";
        String[] units = {"KB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, value < 10 ? "%.2f %s" : value < 100 ? "%.1f %s" : "%.0f %s", value, units[unit]);
    }

    /** 7_285_403_648 -> "7.29 B", 1_234_567 -> "1.23 M". */
    public static String count(long n) {
        if (n < 1000) return Long.toString(n);
        if (n < 1_000_000) return String.format(Locale.ROOT, "%.1f K", n / 1e3);
        if (n < 1_000_000_000) return String.format(Locale.ROOT, "%.2f M", n / 1e6);
        return String.format(Locale.ROOT, "%.2f B", n / 1e9);
    }

    /** Tokens as "4k", "128k", "1M". */
    public static String tokens(long n) {
        if (n >= 1 << 20 && n % (1 << 20) == 0) return (n >> 20) + "M";
        if (n >= 1024 && n % 1024 == 0) return (n >> 10) + "k";
        return Long.toString(n);
    }

    /** Seconds as "1 h 02 min", "3 min 05 s", "42 s". */
    public static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) return "--";
        long s = Math.round(seconds);
        if (s >= 3600) return String.format(Locale.ROOT, "%d h %02d min", s / 3600, s % 3600 / 60);
        if (s >= 60) return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        return s + " s";
    }
}
