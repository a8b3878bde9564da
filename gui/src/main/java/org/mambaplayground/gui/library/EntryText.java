package org.mambaplayground.gui.library;

import org.mambaplayground.engine.model.ModelSpec;

/** Words for a library entry's fields. */
final class EntryText {
    private EntryText() {}

    static String architecture(ModelSpec spec) {
        return switch (spec.architecture()) {
            case MAMBA2 -> "Mamba2";
            case TRANSFORMER -> "Transformer";
        };
    }

    static String state(LibraryEntry e) {
        if (!e.problem().isEmpty() && e.state() == LibraryEntry.InstallState.INSTALLED) return "Cannot load";
        return switch (e.state()) {
            case INSTALLED -> "Installed";
            case PARTIAL -> "Partly downloaded";
            case NOT_INSTALLED -> e.catalog() != null ? "Not downloaded" : "Missing";
        };
    }
}
