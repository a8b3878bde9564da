package org.mambaplayground.gui.shell;

import java.util.Locale;

/** Human-readable token counts and durations for labels; sizes and parameter counts are the engine's {@code Sizes}. */
public final class Formats {
    private Formats() {}

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
