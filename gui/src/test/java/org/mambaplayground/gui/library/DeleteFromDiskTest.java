package org.mambaplayground.gui.library;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Button;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.downloader.FilePatterns;
import org.mambaplayground.downloader.HubClient;
import org.mambaplayground.downloader.testing.TestHub;
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

/** "Delete from disk" removes, after a confirmation, only what the app downloaded; the row then says "Not on disk". */
@ExtendWith(ApplicationExtension.class)
class DeleteFromDiskTest {
    @TempDir Path tmp;
    AppContext ctx;
    Stage stage;
    Path folder;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        try (TestHub hub = TestHub.start()) {
            hub.repo("mistralai/Mamba-Codestral-7B-v0.1").file("params.json", "{}")
                    .lfsFile("consolidated.safetensors", new byte[40_000]).lfsFile("tokenizer.model.v3", new byte[500]);
            folder = tmp.resolve("app/models/Mamba-Codestral-7B-v0.1");
            try (HubClient c = HubClient.builder().environment(Map.of()).endpoint(hub.endpoint()).hfHome(tmp.resolve("hf")).build()) {
                c.start(c.plan(c.list("mistralai/Mamba-Codestral-7B-v0.1", "main"), FilePatterns.ALL, folder), null).await();
            }
        }
        Files.writeString(folder.resolve("my-notes.txt"), "the user's own file");
        ctx = new AppContext(Settings.under(tmp.resolve("app")), EngineBinding.engine());
        ctx.library().refresh().get(30, TimeUnit.SECONDS);
        stage.setScene(App.createScene(ctx, false));
        stage.show();
    }

    @AfterEach
    void close() throws Exception {
        WaitForAsyncUtils.asyncFx(ctx::close).get();
    }

    @Test
    void deletesTheDownloadedFilesAfterConfirmingAndTheLibrarySaysNotOnDisk(FxRobot robot) throws Exception {
        TestApp.selectInLibrary(robot, ctx, stage, "Codestral Mamba 7B");
        assertThat(entry().state()).isNotEqualTo(LibraryEntry.InstallState.NOT_INSTALLED);
        robot.clickOn(Fx.lookup(stage, "#delete-model", Button.class));
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn(robot.lookup(".dialog-pane .button").match(n -> "OK".equals(((Button) n).getText())).queryButton());
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS,
                () -> WaitForAsyncUtils.asyncFx(() -> entry().state() == LibraryEntry.InstallState.NOT_INSTALLED).get());

        assertThat(folder.resolve("consolidated.safetensors")).doesNotExist();
        assertThat(folder.resolve("params.json")).doesNotExist();
        assertThat(folder.resolve(".cache")).doesNotExist();
        assertThat(folder.resolve("my-notes.txt")).hasContent("the user's own file");
        assertThat(EntryText.state(entry())).isEqualTo("Not on disk");
    }

    private LibraryEntry entry() {
        return ctx.library().entries().stream().filter(e -> e.name().equals("Codestral Mamba 7B")).findFirst().orElseThrow();
    }
}
