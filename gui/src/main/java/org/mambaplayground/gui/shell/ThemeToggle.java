package org.mambaplayground.gui.shell;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import javafx.application.Application;
import javafx.beans.property.BooleanProperty;
import javafx.scene.control.ToggleButton;

/** Switches the whole application between AtlantaFX's Primer light and dark themes. */
public final class ThemeToggle extends ToggleButton {
    public ThemeToggle(BooleanProperty dark) {
        setId("theme-toggle");
        setMaxWidth(Double.MAX_VALUE);
        setSelected(dark.get());
        apply(dark.get());
        selectedProperty().bindBidirectional(dark);
        selectedProperty().addListener((obs, was, now) -> apply(now));
    }

    private void apply(boolean dark) {
        setText(dark ? "\u263E  Dark" : "\u2600  Light");
        Application.setUserAgentStylesheet(dark
                ? new PrimerDark().getUserAgentStylesheet()
                : new PrimerLight().getUserAgentStylesheet());
    }
}
