package org.mambaplayground.gui.download;

import javafx.scene.Scene;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.mambaplayground.assets.CatalogModel;
import org.mambaplayground.gui.App;
import org.mambaplayground.gui.AppContext;

/** The download wizard's window. Closing it while a download runs asks nothing: the download continues. */
public final class DownloadWizard extends Stage {
    private final DownloadPane pane;

    public DownloadWizard(AppContext ctx, CatalogModel model, Window owner) {
        pane = new DownloadPane(ctx, model);
        setTitle("Download a model");
        if (owner != null) initOwner(owner);
        Scene scene = new Scene(pane);
        var css = App.class.getResource(App.STYLESHEET);
        if (css != null) scene.getStylesheets().add(css.toExternalForm());
        setScene(scene);
    }

    public DownloadPane pane() { return pane; }

    /** Opens the wizard for {@code model} (null: the first catalog model). */
    public static DownloadWizard open(AppContext ctx, CatalogModel model, Window owner) {
        DownloadWizard wizard = new DownloadWizard(ctx, model, owner);
        wizard.show();
        return wizard;
    }
}
