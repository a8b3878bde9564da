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

    /** REMOTE: a model an endpoint serves (no folder; its spec, when known, is the catalog entry its id maps to). */
    public enum Kind { CATALOG, DEMO, FOLDER, REMOTE }

    public enum InstallState { INSTALLED, PARTIAL, NOT_INSTALLED }

    /** A remote model's entry: usable whether or not its architecture is known. */
    public static LibraryEntry remote(String name, String description, ModelSpec spec, String problem) {
        return new LibraryEntry(Kind.REMOTE, name, description, null, null, InstallState.INSTALLED, 0, spec, problem);
    }

    /** Whether it can be made active, chatted with, compared and swept (a local model loaded, a remote one used). */
    public boolean loadable() {
        if (kind == Kind.REMOTE) return problem.isEmpty();
        return state == InstallState.INSTALLED && spec != null && problem.isEmpty();
    }

    public boolean remote() { return kind == Kind.REMOTE; }

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
