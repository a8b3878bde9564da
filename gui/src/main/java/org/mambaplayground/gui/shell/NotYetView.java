package org.mambaplayground.gui.shell;

import atlantafx.base.theme.Styles;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import org.mambaplayground.gui.Page;

/** Stands in for a page whose view is not part of this build yet. */
public final class NotYetView extends VBox {
    public NotYetView(Page page) {
        Label title = new Label(page.title());
        title.getStyleClass().add(Styles.TITLE_2);
        Label note = new Label("Not yet available in this build.");
        note.getStyleClass().add(Styles.TEXT_MUTED);
        getChildren().addAll(title, note);
        setAlignment(Pos.CENTER);
        setSpacing(8);
        setId("not-yet-" + page.name().toLowerCase());
    }
}
