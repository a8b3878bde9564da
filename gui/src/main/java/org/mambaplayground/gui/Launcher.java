package org.mambaplayground.gui;

import javafx.application.Application;

/**
 * Plain entry point for the window. It must not extend {@link Application}: a class-path launch of a
 * main class that does fails with "JavaFX runtime components are missing".
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) {
        Application.launch(App.class, args);
    }
}
