package org.mambaplayground.gui.metrics;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The measured points as CSV (RFC 4180 quoting, one header row, '.' decimals whatever the locale). {@code measured_at}
 * says where each point was taken: {@code engine}, or {@code client} for a remote model (network included; its
 * {@code state_bytes} is empty: a remote state is never measured).
 */
public final class MetricsCsv {
    public static final String HEADER = "time,model,architecture,source,prompt_tokens,generated_tokens,context_tokens,"
            + "prefill_ms,time_to_first_token_ms,ms_per_token,tokens_per_second,state_bytes,decode_repeats,measured_at";

    private MetricsCsv() {}

    public static String toCsv(List<MetricPoint> points) {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        for (MetricPoint p : points) {
            out.append(p.time()).append(',')
                    .append(quote(p.model())).append(',')
                    .append(p.architecture() == null ? "" : p.architecture()).append(',')
                    .append(quote(p.source())).append(',')
                    .append(p.promptTokens()).append(',')
                    .append(p.generatedTokens()).append(',')
                    .append(p.contextTokens()).append(',')
                    .append(number(p.prefillMillis())).append(',')
                    .append(number(p.timeToFirstTokenMillis())).append(',')
                    .append(number(p.millisPerToken())).append(',')
                    .append(number(p.millisPerToken() > 0 ? 1000.0 / p.millisPerToken() : 0)).append(',')
                    .append(p.hasStateBytes() ? Long.toString(p.stateBytes()) : "").append(',')
                    .append(p.decodeRepeats()).append(',')
                    .append(p.remote() ? "client" : "engine").append('\n');
        }
        return out.toString();
    }

    /** Writes the CSV to {@code file} (replacing it); the message of a failure names the file. */
    public static void write(Path file, List<MetricPoint> points) throws IOException {
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            writer.write(toCsv(points));
        } catch (IOException e) {
            throw new IOException("Could not write the metrics CSV to " + file + ": " + e.getMessage(), e);
        }
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    static String quote(String value) {
        if (value == null) return "";
        if (value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r")) {
            return '"' + value.replace("\"", "\"\"") + '"';
        }
        return value;
    }
}
