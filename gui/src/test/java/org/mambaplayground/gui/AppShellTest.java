package org.mambaplayground.gui;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import javafx.scene.control.ToggleButton;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.gui.models.EngineBinding;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The window opens on the library, the sidebar navigates between pages, the theme toggles. */
@ExtendWith(ApplicationExtension.class)
class AppShellTest {
    @TempDir static Path home;
    private AppContext ctx;

    @Start
    void start(Stage stage) {
        ctx = new AppContext(Settings.under(home), EngineBinding.engine());
        stage.setScene(App.createScene(ctx, false));
        stage.show();
    }

    @AfterEach
    void close() throws Exception { WaitForAsyncUtils.asyncFx(ctx::close).get(); }

    @Test
    void sidebarNavigatesBetweenPages(FxRobot robot) {
        assertThat(robot.lookup("#library-view").tryQuery()).isPresent();
        for (Page page : Page.values()) {
            robot.clickOn("#nav-" + page.name().toLowerCase());
            WaitForAsyncUtils.waitForFxEvents();
            assertThat(ctx.pageProperty().get()).isEqualTo(page);
        }
        robot.clickOn("#nav-library");
        assertThat(robot.lookup("#library-view").tryQuery()).isPresent();
        assertThat(robot.lookup("#nav-library").queryAs(ToggleButton.class).isSelected()).isTrue();
    }

    @Test
    void themeTogglesToDarkAndBack(FxRobot robot) {
        ToggleButton toggle = robot.lookup("#theme-toggle").queryAs(ToggleButton.class);
        robot.clickOn(toggle);
        assertThat(javafx.application.Application.getUserAgentStylesheet()).containsIgnoringCase("dark");
        assertThat(ctx.darkThemeProperty().get()).isTrue();
        robot.clickOn(toggle);
        assertThat(javafx.application.Application.getUserAgentStylesheet()).containsIgnoringCase("light");
    }
}
