package org.mambaplayground.gui.chat;

import javafx.scene.control.Spinner;
import javafx.util.StringConverter;

/** Integer spinners that shrug off typed text that is not a number (the previous value stays). */
public final class Spinners {
    private Spinners() {}

    public static Spinner<Integer> lenient(Spinner<Integer> spinner) {
        var factory = spinner.getValueFactory();
        factory.setConverter(new StringConverter<>() {
            @Override public String toString(Integer value) { return value == null ? "" : value.toString(); }

            @Override public Integer fromString(String text) {
                try {
                    return Integer.valueOf(text.strip());
                } catch (NumberFormatException e) {
                    return factory.getValue();
                }
            }
        });
        spinner.setEditable(true);
        // typed text counts when the field loses focus, not only on Enter
        spinner.focusedProperty().addListener((obs, was, is) -> {
            if (!is) spinner.commitValue();
        });
        return spinner;
    }
}
