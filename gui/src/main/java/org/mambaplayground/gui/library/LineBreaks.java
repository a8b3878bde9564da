package org.mambaplayground.gui.library;

import javafx.scene.text.Font;
import javafx.scene.text.Text;

/**
 * Line breaks after a hyphen or a path separator, for names and paths too wide for their place. JavaFX wraps only
 * at spaces, and it breaks a single word too wide mid-word ("codestral-mamba-de" / "mo").
 */
final class LineBreaks {
    private LineBreaks() {}

    /**
     * {@code words} with a line break after the last of {@code marks} that lets a word too wide for {@code width}
     * fit ("codestral-mamba-" / "demo"); words that fit, and words with no such place, are left to the layout.
     */
    static String after(String words, String marks, Font font, double width) {
        if (width <= 0 || words.chars().noneMatch(ch -> marks.indexOf(ch) >= 0)) return words;
        StringBuilder out = new StringBuilder();
        for (String word : words.split(" ", -1)) {
            if (!out.isEmpty()) out.append(' ');
            String rest = word;
            while (width(rest, font) > width) {
                int cut = -1;
                for (int i = 0; i < rest.length() - 1; i++) {
                    if (marks.indexOf(rest.charAt(i)) < 0) continue;
                    if (width(rest.substring(0, i + 1), font) > width) break; // longer prefixes are wider still
                    cut = i + 1;
                }
                if (cut < 0) break;
                out.append(rest, 0, cut).append('\n');
                rest = rest.substring(cut);
            }
            out.append(rest);
        }
        return out.toString();
    }

    private static double width(String s, Font font) {
        Text probe = new Text(s);
        probe.setFont(font);
        return probe.getLayoutBounds().getWidth();
    }
}
