package org.mambaplayground.gui.library;

import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.Tooltip;
import javafx.scene.text.Font;
import javafx.scene.text.Text;

/**
 * A table cell whose text wraps to its column's width instead of ending in "...": a long model name or
 * "Waiting to download" takes a second line, and the whole text is in a tooltip too.
 */
final class WrappingCell<S> extends TableCell<S, String> {
    /** The cell's left and right padding, which the text must not run into. */
    private static final double PADDING = 14;
    private final Text text = new Text();

    WrappingCell(TableColumn<S, String> column) {
        text.wrappingWidthProperty().bind(column.widthProperty().subtract(PADDING));
        text.fillProperty().bind(textFillProperty()); // the theme's colour, and the selected row's
        text.fontProperty().bind(fontProperty());
        // where a hyphenated name breaks depends on the width
        text.wrappingWidthProperty().addListener((obs, was, now) -> showItem());
        text.fontProperty().addListener((obs, was, now) -> showItem());
    }

    @Override
    protected void updateItem(String item, boolean empty) {
        super.updateItem(item, empty);
        setText(null);
        if (empty || item == null) {
            setGraphic(null);
            setTooltip(null);
            return;
        }
        showItem();
        setGraphic(text);
        setTooltip(new Tooltip(item));
    }

    private void showItem() {
        String item = getItem();
        if (item != null && !isEmpty()) text.setText(breakAtHyphens(item, text.getFont(), text.getWrappingWidth()));
    }

    /**
     * {@code words} with a line break after the last hyphen that lets a word too wide for {@code width} fit
     * ("codestral-mamba-" / "demo"). JavaFX wraps only at spaces, and a single word too wide it breaks mid-word.
     */
    static String breakAtHyphens(String words, Font font, double width) {
        if (width <= 0 || words.indexOf('-') < 0) return words;
        StringBuilder out = new StringBuilder();
        for (String word : words.split(" ", -1)) {
            if (!out.isEmpty()) out.append(' ');
            String rest = word;
            while (width(rest, font) > width) {
                int cut = -1;
                for (int i = rest.indexOf('-'); i >= 0 && i < rest.length() - 1; i = rest.indexOf('-', i + 1)) {
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
