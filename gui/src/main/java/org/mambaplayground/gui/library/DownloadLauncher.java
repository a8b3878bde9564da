package org.mambaplayground.gui.library;

import javafx.stage.Window;
import org.mambaplayground.assets.CatalogModel;
import org.mambaplayground.gui.AppContext;

/** Opens the download wizard for a catalog model. */
final class DownloadLauncher {
    private DownloadLauncher() {}

    static void open(AppContext ctx, CatalogModel model, Window owner) {
        // The wizard arrives with the downloader module's API.
    }
}
