package org.mambaplayground.gui.library;

import java.nio.file.Path;
import org.mambaplayground.assets.CatalogModel;
import org.mambaplayground.engine.model.ModelSpec;

/**
 * One row of the model library.
 *
 * @param catalog     the catalog model, or null for demo models and user folders
 * @param folder      where the files are (or will be, for a catalog model not yet downloaded)
 * @param bytesOnDisk size of the files present now
 * @param spec        architecture facts from params.json (or the catalog's copy), null if unreadable
 * @param problem     why the spec is missing or the folder cannot be loaded, in words; empty if none
 */
public record LibraryEntry(
        Kind kind,
        String name,
        String description,
        CatalogModel catalog,
        Path folder,
        InstallState state,
        long bytesOnDisk,
        ModelSpec spec,
        String problem) {

    public enum Kind { CATALOG, DEMO, FOLDER }

    public enum InstallState { INSTALLED, PARTIAL, NOT_INSTALLED }

    public boolean loadable() { return state == InstallState.INSTALLED && spec != null && problem.isEmpty(); }

    /** Whether it is a GGUF file (run in the types it stores: there is no precision to choose). */
    public boolean gguf() { return folder != null && org.mambaplayground.engine.load.GgufModels.isGgufFile(folder); }

    public boolean downloadable() { return catalog != null && state != InstallState.INSTALLED; }

    /**
     * Whether a chat with this model should use the [INST] format by default. The demo models and base
     * models only complete text: wrapped in [INST] they would answer with noise.
     */
    public boolean instructByDefault() {
        if (kind == Kind.DEMO) return false;
        if (catalog != null) return catalog.instruct();
        return !name.toLowerCase(java.util.Locale.ROOT).contains("base");
    }
}
