package org.mambaplayground.gui.metrics;

import java.util.Locale;
import java.util.function.DoubleFunction;
import org.mambaplayground.engine.model.Sizes;

/**
 * How an axis maps values: linear, or log10 (the chart then holds log10 of the values, and the tick
 * labels turn them back into readable quantities).
 */
public record AxisScale(boolean log, DoubleFunction<String> format) {
    public static AxisScale linear(DoubleFunction<String> format) { return new AxisScale(false, format); }

    public static AxisScale log(DoubleFunction<String> format) { return new AxisScale(true, format); }

    /** The value as placed on the chart, or NaN when a log axis cannot show it (zero or negative). */
    public double toChart(double value) {
        if (!log) return value;
        return value > 0 ? Math.log10(value) : Double.NaN;
    }

    /** The readable label of a tick at chart position {@code position}. */
    public String label(double position) {
        if (log && Math.abs(position - Math.rint(position)) > 1e-6) return ""; // only whole decades are labelled
        return format.apply(log ? Math.pow(10, Math.rint(position)) : position);
    }

    public static String bytes(double value) { return Sizes.bytes(Math.round(value)); }

    public static String tokens(double value) {
        if (value >= 1_000_000) return trim(value / 1_000_000) + "M";
        if (value >= 1_000) return trim(value / 1_000) + "k";
        return trim(value);
    }

    public static String millis(double value) {
        if (value >= 1000) return trim(value / 1000) + " s";
        return trim(value) + " ms";
    }

    /** Up to one decimal, two below 10 (ticks of 0.25 ms must not read 0.3), no trailing zeros. */
    private static String trim(double v) {
        String s = String.format(Locale.ROOT, Math.abs(v) < 10 ? "%.2f" : "%.1f", v);
        s = s.contains(".") ? s.replaceAll("0+$", "") : s;
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
