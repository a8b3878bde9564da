package org.mambaplayground.gui.library;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Label;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.gui.App;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.Settings;
import org.mambaplayground.gui.models.EngineBinding;
import org.mambaplayground.gui.testing.Fx;
import org.mambaplayground.gui.testing.TestApp;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * In a 1024 x 700 window the details' Folder row shows the whole path, broken after a separator or hyphen where
 * it is wider than the panel, never mid-name, and each line fits.
 */
@ExtendWith(ApplicationExtension.class)
class FolderPathBreaksTest {
    @TempDir Path tmp;
    AppContext ctx;
    Stage stage;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        ctx = new AppContext(Settings.under(tmp.resolve("a-rather-long-folder-name/for-the-app")), EngineBinding.engine());
        ctx.library().refresh().get(30, TimeUnit.SECONDS);
        stage.setScene(App.createScene(ctx, false));
        stage.setWidth(1024);
        stage.setHeight(700);
        stage.show();
    }

    @AfterEach
    void close() throws Exception {
        WaitForAsyncUtils.asyncFx(ctx::close).get();
    }

    @Test
    void aLongFolderBreaksAfterASeparatorAndEachLineFits(FxRobot robot) throws Exception {
        TestApp.selectInLibrary(robot, ctx, stage, "Codestral Mamba 7B");
        WaitForAsyncUtils.waitForFxEvents();
        String path = WaitForAsyncUtils.asyncFx(() -> ctx.library().entries().stream()
                .filter(e -> e.name().equals("Codestral Mamba 7B")).findFirst().orElseThrow().folder().toString()).get();
        String folder = brokenOnlyAfterMarks("#fact-folder", path);
        assertThat(folder).as("wider than the panel at 1024 x 700, so it breaks").contains("\n");
        brokenOnlyAfterMarks("#fact-repository", "mistralai/Mamba-Codestral-7B-v0.1");
        String shots = System.getProperty("mamba.shots"); // -Dmamba.shots=DIR: a PNG of the details scrolled to the row
        if (shots != null) {
            var image = WaitForAsyncUtils.asyncFx(() -> {
                Fx.lookup(stage, "#entry-details", javafx.scene.control.ScrollPane.class).setVvalue(1);
                stage.getScene().getRoot().layout();
                return stage.getScene().snapshot(null);
            }).get();
            java.nio.file.Files.createDirectories(Path.of(shots));
            javax.imageio.ImageIO.write(javafx.embed.swing.SwingFXUtils.fromFXImage(image, null), "png", Path.of(shots, "library-folder.png").toFile());
        }
    }

    /** The text the label draws: {@code expected} with line breaks only after a separator or hyphen, each line fitting. */
    private String brokenOnlyAfterMarks(String selector, String expected) throws Exception {
        Label label = Fx.lookup(stage, selector, Label.class);
        String shown = WaitForAsyncUtils.asyncFx(() -> ((Text) label.lookup(".text")).getText()).get();
        assertThat(shown.replace("\n", "")).isEqualTo(expected);
        for (int i = shown.indexOf('\n'); i >= 0; i = shown.indexOf('\n', i + 1)) {
            assertThat("/\\-").as("the character before a break in %s", shown).contains(String.valueOf(shown.charAt(i - 1)));
        }
        double width = WaitForAsyncUtils.asyncFx(label::getWidth).get();
        for (String line : shown.split("\n")) {
            Text probe = new Text(line);
            probe.setFont(label.getFont());
            assertThat(probe.getLayoutBounds().getWidth()).as("line %s", line).isLessThanOrEqualTo(width);
        }
        return shown;
    }
}
