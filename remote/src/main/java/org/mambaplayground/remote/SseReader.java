package org.mambaplayground.remote;

import java.io.IOException;
import okio.BufferedSource;

/**
 * Server-sent events from a response body, one {@code data} payload at a time. Strict where a chat stream
 * has no reason to differ: a line that is neither a field ({@code data}, {@code event}, {@code id},
 * {@code retry}), a comment ({@code :...}) nor blank means the body is not an event stream, and is reported
 * with its line number instead of being skipped.
 */
final class SseReader {
    /** A line that does not belong in an event stream. */
    static final class MalformedLine extends Exception {
        final int lineNumber;
        final String line;

        MalformedLine(int lineNumber, String line) {
            super(null, null, false, false);
            this.lineNumber = lineNumber;
            this.line = line;
        }
    }

    private static final int MAX_SHOWN = 80;
    private final BufferedSource source;
    private int lineNumber;
    private int dataLine;

    SseReader(BufferedSource source) { this.source = source; }

    /** The next event's data (its data lines joined by '\n'), or null at the end of the body. */
    String next() throws IOException, MalformedLine {
        StringBuilder data = null;
        while (true) {
            String line = source.readUtf8Line();
            if (line == null) return data == null ? null : data.toString(); // a last event without its blank line
            lineNumber++;
            if (line.isEmpty()) {
                if (data != null) return data.toString();
                continue;
            }
            if (line.startsWith(":")) continue; // comment (keep-alive)
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) value = value.substring(1);
            switch (field) {
                case "data" -> {
                    if (data == null) {
                        data = new StringBuilder(value);
                        dataLine = lineNumber;
                    }
                    else data.append('\n').append(value);
                }
                case "event", "id", "retry" -> { }
                default -> throw new MalformedLine(lineNumber, shown(line));
            }
        }
    }

    /** The line where the last event's data began. */
    int dataLine() { return dataLine; }

    static String shown(String line) {
        String text = line.replaceAll("\\p{Cntrl}", "?");
        return text.length() <= MAX_SHOWN ? text : text.substring(0, MAX_SHOWN) + "...";
    }
}
