package org.mambaplayground.gui.library;

import java.nio.file.Path;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.gui.models.ModelHandle;
import org.mambaplayground.gui.models.ModelManager;

/** Words for a library entry's fields. */
final class EntryText {
    private EntryText() {}

    static String architecture(ModelSpec spec) {
        return switch (spec.architecture()) {
            case MAMBA2 -> "Mamba2";
            case TRANSFORMER -> "Transformer";
        };
    }

    /** As {@link #state(LibraryEntry)}, but "Active" or "In memory" for loaded models. */
    static String state(LibraryEntry e, ModelManager models) {
        if (e.folder() != null && e.state() == LibraryEntry.InstallState.INSTALLED) {
            Path folder = e.folder().toAbsolutePath().normalize();
            ModelHandle active = models.getActiveModel();
            if (active != null && active.folder().toAbsolutePath().normalize().equals(folder)) return "Active";
            if (models.openModels().stream().anyMatch(h -> h.folder().toAbsolutePath().normalize().equals(folder))) return "In memory";
        }
        return state(e);
    }

    static String state(LibraryEntry e) {
        if (!e.problem().isEmpty() && e.state() == LibraryEntry.InstallState.INSTALLED) return "Cannot load";
        return switch (e.state()) {
            case INSTALLED -> "Installed";
            case PARTIAL -> "Partly downloaded";
            case NOT_INSTALLED -> e.catalog() != null ? "Not on disk" : "Missing";
        };
    }
}
