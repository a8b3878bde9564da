package org.mambaplayground.gui.library;

import javafx.stage.Window;
import org.mambaplayground.assets.CatalogModel;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.download.DownloadWizard;

/** Opens the download wizard, reusing the open one; downloads it started run on without it (see Downloads). */
final class DownloadLauncher {
    private DownloadLauncher() {}

    /** The application's one wizard window, if it was opened; closed with the app. */
    static final class Slot implements AutoCloseable {
        DownloadWizard wizard;

        @Override
        public void close() {
            if (wizard != null && !wizard.pane().session().isActive()) wizard.pane().session().close();
        }
    }

    static DownloadWizard open(AppContext ctx, CatalogModel model, Window owner) {
        Slot slot = ctx.shared(Slot.class, Slot::new);
        if (slot.wizard == null) {
            slot.wizard = DownloadWizard.open(ctx, model, owner);
            return slot.wizard;
        }
        if (model != null) slot.wizard.pane().select(model);
        slot.wizard.show();
        slot.wizard.toFront();
        return slot.wizard;
    }
}
