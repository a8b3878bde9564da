package org.mambaplayground.gui;

import static org.assertj.core.api.Assertions.assertThat;

import javafx.geometry.Rectangle2D;
import org.junit.jupiter.api.Test;

class WindowBoundsTest {
    @Test
    void onASmallScreenTheWindowTakesTheVisibleAreaInsteadOfRunningPastItsEdges() {
        Rectangle2D laptop = new Rectangle2D(0, 24, 1024, 744); // 1024x768 with a 24-pixel top bar
        assertThat(App.windowBounds(laptop, App.DEFAULT_WIDTH, App.DEFAULT_HEIGHT))
                .isEqualTo(new Rectangle2D(0, 24, 1024, 744));
        Rectangle2D narrow = new Rectangle2D(0, 0, 1100, 1200);
        assertThat(App.windowBounds(narrow, App.DEFAULT_WIDTH, App.DEFAULT_HEIGHT))
                .isEqualTo(new Rectangle2D(0, 0, 1100, App.DEFAULT_HEIGHT));
    }

    @Test
    void onALargeScreenTheDefaultSizeIsKept() {
        assertThat(App.windowBounds(new Rectangle2D(0, 0, 1920, 1050), App.DEFAULT_WIDTH, App.DEFAULT_HEIGHT)).isNull();
    }
}
