package org.mambaplayground.gui;

import java.util.EnumMap;
import java.util.Map;
import javafx.scene.Node;
import org.mambaplayground.gui.chat.ChatView;
import org.mambaplayground.gui.compare.CompareView;
import org.mambaplayground.gui.library.LibraryView;
import org.mambaplayground.gui.metrics.ChartsView;
import org.mambaplayground.gui.serve.ServerView;

/**
 * Builds the node of every page. Views take the {@link AppContext} in their constructor and are created
 * once at startup, so they can listen to the active model and metrics even while hidden.
 */
final class Pages {
    private Pages() {}

    static Map<Page, Node> create(AppContext ctx) {
        Map<Page, Node> pages = new EnumMap<>(Page.class);
        for (Page page : Page.values()) pages.put(page, create(page, ctx));
        return pages;
    }

    private static Node create(Page page, AppContext ctx) {
        return switch (page) {
            case LIBRARY -> new LibraryView(ctx);
            case CHAT -> new ChatView(ctx);
            case CHARTS -> new ChartsView(ctx);
            case COMPARE -> new CompareView(ctx);
            case SERVER -> new ServerView(ctx);
        };
    }
}
