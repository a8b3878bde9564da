package org.mambaplayground.gui.testing;

import java.util.concurrent.ExecutionException;
import javafx.scene.Node;
import javafx.stage.Stage;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Scene lookups done on the FX thread: TestFX's own lookup walks the scene graph from the test thread
 * and can trip over children the FX thread is changing at that moment (a page filling in).
 */
public final class Fx {
    private Fx() {}

    public static <T extends Node> T lookup(Stage stage, String selector, Class<T> type) {
        T node = find(stage, selector, type);
        if (node == null) throw new AssertionError("no node matches " + selector);
        return node;
    }

    /** Like {@link #lookup}, but null when nothing matches (to check that a node is absent). */
    public static <T extends Node> T find(Stage stage, String selector, Class<T> type) {
        try {
            return type.cast(WaitForAsyncUtils.asyncFx(() -> stage.getScene().getRoot().lookup(selector)).get());
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError("lookup of " + selector + " failed", e);
        }
    }

    /** Like {@link #lookup}, in every open window (dialogs such as the download wizard have their own). */
    public static <T extends Node> T lookupAnywhere(String selector, Class<T> type) {
        try {
            Node node = WaitForAsyncUtils.asyncFx(() -> javafx.stage.Window.getWindows().stream()
                    .filter(w -> w.getScene() != null)
                    .map(w -> w.getScene().getRoot().lookup(selector))
                    .filter(java.util.Objects::nonNull)
                    .findFirst().orElse(null)).get();
            if (node == null) throw new AssertionError("no node in any window matches " + selector);
            return type.cast(node);
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError("lookup of " + selector + " failed", e);
        }
    }

    /** Clicks the node the selector finds, like a user would. */
    public static void click(FxRobot robot, Stage stage, String selector) {
        robot.clickOn(lookup(stage, selector, Node.class));
        WaitForAsyncUtils.waitForFxEvents();
    }
}
