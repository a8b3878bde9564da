package org.mambaplayground.gui.download;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.downloader.HubException;
import org.mambaplayground.downloader.testing.TestHub;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.Page;
import org.mambaplayground.gui.download.DownloadSession.State;
import org.mambaplayground.gui.library.LibraryEntry;
import org.mambaplayground.gui.testing.Fx;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The download wizard against a real HTTP hub on loopback (the downloader's TestHub, with its CDN
 * redirect): the user picks a model in the library, sees its files, downloads with pause and resume, and
 * the model shows up in the library as installed. A gated model asks for a token.
 */
@ExtendWith(ApplicationExtension.class)
class DownloadWizardTest {
    static final String MAMBA_PARAMS = """
            {"dim": 64, "n_layers": 2, "vocab_size": 100, "n_groups": 2, "rms_norm": true, "residual_in_fp32": true,
             "fused_add_norm": true, "pad_vocab_size_multiple": 1, "tie_embeddings": false, "model_type": "mamba",
             "d_state": 16, "head_dim": 16, "chunk_size": 8}""";
    @TempDir Path tmp;
    TestHub hub;
    AppContext ctx;
    byte[] weights = new byte[3_000_000];

    @Start
    void start(Stage stage) throws Exception {
        new Random(7).nextBytes(weights);
        hub = TestHub.start().acceptTokens("hf_granted", "hf_other").throttle(600_000);
        hub.repo("mistralai/Mamba-Codestral-7B-v0.1")
                .file("params.json", MAMBA_PARAMS)
                .file("README.md", "not in the catalog's file list, so not downloaded")
                .lfsFile("consolidated.safetensors", weights)
                .lfsFile("tokenizer.model.v3", new byte[5000]);
        hub.repo("mistralai/Mistral-Nemo-Instruct-2407")
                .file("params.json", "{}")
                .lfsFile("consolidated.safetensors", new byte[1000])
                .file("tekken.json", "{}")
                .gated(true).grant("hf_granted");
        ctx = HubApp.show(stage, hub::endpoint, tmp);
    }

    @AfterEach
    void close() throws Exception {
        HubApp.close(ctx, hub);
    }

    @Test
    void downloadsThroughTheWizardWithPauseAndResumeAndTheModelAppearsInstalled(FxRobot robot) throws Exception {
        selectInLibrary(robot, "Codestral Mamba 7B");
        assertThat(entry("Codestral Mamba 7B").state()).isEqualTo(LibraryEntry.InstallState.NOT_INSTALLED);
        robot.clickOn("#download-model");

        DownloadPane pane = Fx.lookupAnywhere("#download-pane", DownloadPane.class);
        DownloadSession session = pane.session();
        waitFor(() -> session.stateProperty().get() == State.READY);
        TableView<?> files = Fx.lookupAnywhere("#download-files", TableView.class);
        assertThat(files.getItems()).hasSize(3);
        String summary = Fx.lookupAnywhere("#download-summary", Label.class).getText();
        assertThat(summary).contains("Total 3.01 MB").contains("free disk space");

        robot.clickOn("#start-download");
        ProgressBar total = Fx.lookupAnywhere("#total-progress", ProgressBar.class);
        waitFor(() -> total.getProgress() > 0.05 && total.getProgress() < 0.9);
        assertThat(Fx.lookupAnywhere("#total-progress-text", Label.class).getText()).contains("/s").contains(" of 3.01 MB");

        robot.clickOn("#pause-download");
        snapshot(robot, "wizard-paused.png");
        assertThat(session.stateProperty().get()).as("state after pause, at %s", total.getProgress()).isEqualTo(State.PAUSED);
        Thread.sleep(300); // let the in-flight reports land
        WaitForAsyncUtils.waitForFxEvents();
        double paused = total.getProgress();
        Thread.sleep(600);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(total.getProgress()).as("no progress while paused").isEqualTo(paused);
        assertThat(paused).isLessThan(1.0);

        robot.clickOn("#pause-download"); // now "Resume"
        try {
            waitFor(() -> session.stateProperty().get() == State.DONE);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("not done: " + session.stateProperty().get() + " " + session.problemProperty().get()
                    + " at " + total.getProgress() + " files " + session.files().stream().map(f -> f.path() + ":" + f.statusProperty().get()).toList());
        }
        assertThat(total.getProgress()).isEqualTo(1.0);

        Path folder = tmp.resolve("app/models/Mamba-Codestral-7B-v0.1");
        assertThat(Files.readAllBytes(folder.resolve("consolidated.safetensors"))).isEqualTo(weights);
        assertThat(folder.resolve("README.md")).doesNotExist();
        waitFor(() -> entry("Codestral Mamba 7B").state() == LibraryEntry.InstallState.INSTALLED);
        assertThat(Fx.lookupAnywhere("#load-downloaded", Button.class).isVisible()).isTrue();
        assertThat(entry("Codestral Mamba 7B").bytesOnDisk()).isEqualTo(Files.size(folder.resolve("params.json")) + weights.length + 5000);
    }

    @Test
    void aCancelledDownloadKeepsItsBytesAndAStartResumesIt(FxRobot robot) throws Exception {
        selectInLibrary(robot, "Codestral Mamba 7B");
        robot.clickOn("#download-model");
        DownloadSession session = Fx.lookupAnywhere("#download-pane", DownloadPane.class).session();
        waitFor(() -> session.stateProperty().get() == State.READY);
        robot.clickOn("#start-download");
        ProgressBar total = Fx.lookupAnywhere("#total-progress", ProgressBar.class);
        waitFor(() -> total.getProgress() > 0.05 && total.getProgress() < 0.9);

        robot.clickOn("#cancel-download");
        waitFor(() -> session.stateProperty().get() == State.CANCELLED);
        assertThat(Fx.lookupAnywhere("#total-progress-text", Label.class).getText()).contains("cancelled");
        long sentBefore = hub.fileBytesSent();

        assertThat(Fx.lookupAnywhere("#start-download", Button.class).getText()).isEqualTo("Resume download");
        robot.clickOn("#start-download");
        waitFor(() -> session.stateProperty().get() == State.DONE);
        Path weightsFile = tmp.resolve("app/models/Mamba-Codestral-7B-v0.1/consolidated.safetensors");
        assertThat(Files.readAllBytes(weightsFile)).isEqualTo(weights);
        assertThat(hub.fileBytesSent() - sentBefore).as("resumed, not fetched again").isLessThan(weights.length);
    }

    @Test
    void aGatedModelExplainsWhatToDoUntilAGrantedTokenIsGiven(FxRobot robot) throws Exception {
        selectInLibrary(robot, "Mistral Nemo 12B Instruct");
        robot.clickOn("#download-model");
        DownloadSession session = Fx.lookupAnywhere("#download-pane", DownloadPane.class).session();
        waitFor(() -> session.stateProperty().get() == State.READY);
        assertThat(session.problemProperty().get().kind()).isEqualTo(HubException.Kind.GATED);
        Label problem = Fx.lookupAnywhere("#download-problem", Label.class);
        assertThat(problem.isVisible()).isTrue();
        assertThat(problem.getText()).containsIgnoringCase("gated");
        assertThat(Fx.lookupAnywhere("#start-download", Button.class).isDisabled()).isTrue();

        // A token whose account did not accept the terms: the hub refuses the files, the wizard says why.
        robot.clickOn("#token-field").write("hf_other");
        robot.clickOn("#check-files");
        waitFor(() -> session.stateProperty().get() == State.READY && session.hasToken());
        assertThat(session.problemProperty().get().kind()).isEqualTo(HubException.Kind.GATED);
        assertThat(Fx.lookupAnywhere("#start-download", Button.class).isDisabled()).isTrue();
        assertThat(robot.lookup(".hyperlink").match(n -> n.isVisible() && ((javafx.scene.control.Hyperlink) n).getText().equals("Open the model page")).tryQuery()).isPresent();
        DownloadProblemsTest.shoot(problem.getScene(), "download-gated.png");

        robot.doubleClickOn("#token-field").eraseText(8).write("hf_granted");
        robot.clickOn("#check-files");
        waitFor(() -> session.stateProperty().get() == State.READY && session.problemProperty().get() == null);
        assertThat(problem.isVisible()).isFalse();
        robot.clickOn("#start-download");
        waitFor(() -> session.stateProperty().get() == State.DONE);
        assertThat(tmp.resolve("app/models/Mistral-Nemo-Instruct-2407/tekken.json")).exists();
    }

    /** With -Dmamba.shots=DIR, saves a picture of the wizard (for the README and for looking at it). */
    private static void snapshot(FxRobot robot, String name) throws Exception {
        String dir = System.getProperty("mamba.shots");
        if (dir == null) return;
        var node = Fx.lookupAnywhere("#download-pane", DownloadPane.class);
        var image = WaitForAsyncUtils.asyncFx(() -> node.getScene().snapshot(null)).get();
        Files.createDirectories(Path.of(dir));
        javax.imageio.ImageIO.write(javafx.embed.swing.SwingFXUtils.fromFXImage(image, null), "png", Path.of(dir, name).toFile());
    }

    private void selectInLibrary(FxRobot robot, String name) {
        robot.interact(() -> {
            ctx.navigate(Page.LIBRARY);
            @SuppressWarnings("unchecked")
            TableView<LibraryEntry> table = Fx.lookupAnywhere("#library-table", TableView.class);
            table.getSelectionModel().select(table.getItems().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow());
        });
    }

    private LibraryEntry entry(String name) {
        return ctx.library().entries().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }

    private static void waitFor(java.util.concurrent.Callable<Boolean> condition) throws Exception {
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(condition).get());
    }
}
