package org.mambaplayground.gui;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Labeled;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.gui.testing.TestApp;
import org.mambaplayground.gui.testing.TestModels;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Every page at 1024x700, with a model loaded: no button, label, check box or column header shows its
 * text cut to "..." (a Labeled whose drawn text differs from its own text was truncated to fit).
 */
@ExtendWith(ApplicationExtension.class)
class SmallWindowLayoutTest {
    @TempDir Path home;
    private AppContext ctx;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        ctx = TestApp.show(stage, home);
        stage.setWidth(1024);
        stage.setHeight(700);
    }

    @AfterEach
    void close() throws Exception { WaitForAsyncUtils.asyncFx(ctx::close).get(); }

    @Test
    void noPageTruncatesATextAt1024x700(FxRobot robot) throws Exception {
        TestApp.activate(ctx, TestModels.mambaFolder());
        List<String> truncated = new ArrayList<>();
        for (Page page : Page.values()) {
            robot.interact(() -> ctx.navigate(page));
            WaitForAsyncUtils.waitForFxEvents();
            robot.interact(() -> {
                stage.getScene().getRoot().applyCss();
                stage.getScene().getRoot().layout();
            });
            WaitForAsyncUtils.waitForFxEvents();
            truncated.addAll(WaitForAsyncUtils.asyncFx(() -> truncatedTexts(page, stage.getScene().getRoot())).get());
        }
        assertThat(stage.getScene().getWidth()).isLessThanOrEqualTo(1024);
        assertThat(truncated).isEmpty();
    }

    /** "PAGE: full text -> drawn text" for every shown Labeled under the node whose drawn text was cut. */
    private static List<String> truncatedTexts(Page page, Node node) {
        List<String> found = new ArrayList<>();
        if (!node.isVisible()) return found;
        if (node instanceof Labeled labeled && labeled.getText() != null && !labeled.getText().isEmpty()) {
            for (Node child : labeled.getChildrenUnmodifiable()) {
                if (child instanceof Text drawn && drawn.isVisible() && !drawn.getText().equals(labeled.getText())
                        && drawn.getText().endsWith(labeled.getEllipsisString())) {
                    found.add(page + ": \"" + labeled.getText() + "\" -> \"" + drawn.getText() + "\" ("
                            + labeled.getClass().getSimpleName() + ", width " + Math.round(labeled.getWidth()) + ")");
                }
            }
        }
        if (node instanceof Parent parent) {
            for (Node child : parent.getChildrenUnmodifiable()) found.addAll(truncatedTexts(page, child));
        }
        return found;
    }
}
