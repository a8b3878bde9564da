package org.mambaplayground.server;

import java.util.List;

/**
 * The {@code stop} strings of a request, applied to streamed text: text is released as soon as it cannot
 * be the start of a stop string, and nothing from the first stop string on is ever released.
 */
final class StopSequences {
    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    StopSequences(List<String> stops) { this.stops = stops; }

    boolean stopped() { return stopped; }

    /** Takes the next piece of generated text and returns the part that is safe to send. */
    String feed(String piece) {
        if (stopped) return "";
        if (stops.isEmpty()) return piece;
        held.append(piece);
        int first = -1;
        for (String stop : stops) {
            int at = held.indexOf(stop);
            if (at >= 0 && (first < 0 || at < first)) first = at;
        }
        if (first >= 0) {
            stopped = true;
            String out = held.substring(0, first);
            held.setLength(0);
            return out;
        }
        String text = held.toString();
        int keep = 0; // longest end of the held text that begins some stop string
        for (String stop : stops) {
            for (int len = Math.min(stop.length() - 1, text.length()); len > keep; len--) {
                if (text.regionMatches(text.length() - len, stop, 0, len)) {
                    keep = len;
                    break;
                }
            }
        }
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** At the end of the generation: whatever was held back (it did not turn into a stop string). */
    String finish() {
        if (stopped) return "";
        String out = held.toString();
        held.setLength(0);
        return out;
    }
}
