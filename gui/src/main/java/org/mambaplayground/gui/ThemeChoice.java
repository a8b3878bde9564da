package org.mambaplayground.gui;

import java.io.IOException;
import java.nio.file.Files;

/** The light/dark choice, remembered in a one-word file under the settings folder. */
final class ThemeChoice {
    private ThemeChoice() {}

    static boolean read(Settings settings) {
        try {
            return Files.isRegularFile(settings.themeFile()) && Files.readString(settings.themeFile()).strip().equals("dark");
        } catch (IOException e) {
            return false;
        }
    }

    static void save(Settings settings, boolean dark) {
        try {
            Files.createDirectories(settings.themeFile().getParent());
            Files.writeString(settings.themeFile(), dark ? "dark\n" : "light\n");
        } catch (IOException e) {
            System.err.println("Cannot remember the theme in " + settings.themeFile() + ": " + e.getMessage());
        }
    }
}
