package org.mambaplayground.gui;

import java.nio.file.Path;

/**
 * Where things live on disk. The model store follows the layout of mistral-inference users
 * ({@code ~/mistral_models/<name>/}); {@code MAMBA_MODELS} or {@code -Dmamba.models} overrides it.
 *
 * @param modelStore  downloaded models, one folder per model
 * @param cacheDir    extracted demo models and other derived files
 * @param userFolders file listing folders the user added to the library, one per line
 */
public record Settings(Path modelStore, Path cacheDir, Path userFolders) {

    public static Settings fromEnvironment() {
        Path home = Path.of(System.getProperty("user.home"));
        String store = System.getProperty("mamba.models", System.getenv("MAMBA_MODELS"));
        Path modelStore = store != null && !store.isBlank() ? Path.of(store) : home.resolve("mistral_models");
        String xdgCache = System.getenv("XDG_CACHE_HOME");
        Path cache = (xdgCache != null && !xdgCache.isBlank() ? Path.of(xdgCache) : home.resolve(".cache"))
                .resolve("mamba-playground");
        String xdgConfig = System.getenv("XDG_CONFIG_HOME");
        Path config = (xdgConfig != null && !xdgConfig.isBlank() ? Path.of(xdgConfig) : home.resolve(".config"))
                .resolve("mamba-playground");
        return new Settings(modelStore, cache, config.resolve("folders.txt"));
    }

    /** Remembers the light/dark choice across runs. */
    public Path themeFile() { return userFolders.resolveSibling("theme"); }

    /** Saved chat conversations, one JSON file each. */
    public Path conversationsDir() { return userFolders.resolveSibling("conversations"); }

    /** Everything under one root: for tests and portable runs. */
    public static Settings under(Path root) {
        return new Settings(root.resolve("models"), root.resolve("cache"), root.resolve("config/folders.txt"));
    }
}
