package org.mambaplayground.gui.shell;

import java.util.Map;
import javafx.scene.Node;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.StackPane;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.Page;

/** The window's content: the sidebar on the left, the selected page in the center. */
public final class MainWindow extends BorderPane {
    private final StackPane content = new StackPane();

    public MainWindow(AppContext ctx, Map<Page, Node> pages) {
        setId("main-window");
        setLeft(new Sidebar(ctx));
        content.getStyleClass().add("page-content");
        setCenter(content);
        ctx.pageProperty().addListener((obs, was, now) -> show(pages.get(now)));
        show(pages.get(ctx.pageProperty().get()));
    }

    private void show(Node page) {
        content.getChildren().setAll(page);
    }
}
