package org.mambaplayground.gui.library;

import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.Tooltip;
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
        if (item != null && !isEmpty()) text.setText(LineBreaks.after(item, "-", text.getFont(), text.getWrappingWidth()));
    }
}
