package org.mambaplayground.gui.download;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.downloader.HubClient;
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
 * The wizard when things go wrong, against the loopback test hub: no network, a refused token corrected,
 * Pause pressed at once, Cancel while the hub is being asked, and a token remembered as huggingface_hub does.
 */
@ExtendWith(ApplicationExtension.class)
class DownloadProblemsTest {
    @TempDir Path tmp;
    TestHub hub;
    AppContext ctx;
    volatile String endpoint;
    byte[] weights = new byte[2_000_000];

    @Start
    void start(Stage stage) throws Exception {
        new Random(3).nextBytes(weights);
        hub = TestHub.start().acceptTokens("hf_granted").throttle(1_500_000);
        hub.repo("mistralai/Mamba-Codestral-7B-v0.1")
                .file("params.json", DownloadWizardTest.MAMBA_PARAMS)
                .lfsFile("consolidated.safetensors", weights)
                .lfsFile("tokenizer.model.v3", new byte[5000]);
        endpoint = hub.endpoint();
        ctx = HubApp.show(stage, () -> endpoint, tmp);
    }

    @AfterEach
    void close() throws Exception {
        HubApp.close(ctx, hub);
    }

    @Test
    void noNetworkIsReportedAtOnceWithTheWholeMessageVisible(FxRobot robot) throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            endpoint = "http://127.0.0.1:" + s.getLocalPort();
        } // closed: the port refuses connections
        DownloadSession session = openWizard(robot);
        waitFor(() -> session.stateProperty().get() == State.FAILED);
        // timed from the press of Check files (opening the window is the robot's time, slow on a loaded machine)
        long[] startNanos = new long[1];
        robot.interact(() -> {
            startNanos[0] = System.nanoTime();
            Fx.lookupAnywhere("#check-files", Button.class).fire();
        });
        long[] failedNanos = new long[1];
        waitFor(() -> {
            if (session.stateProperty().get() != State.FAILED) return false;
            failedNanos[0] = System.nanoTime();
            return true;
        });
        assertThat((failedNanos[0] - startNanos[0]) / 1e9).as("seconds until the wizard says it").isLessThan(2);
        assertThat(session.problemProperty().get().kind()).isEqualTo(HubException.Kind.NETWORK);

        Label problem = Fx.lookupAnywhere("#download-problem", Label.class);
        Label hint = Fx.lookupAnywhere("#download-problem-hint", Label.class);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(problem.getText()).contains("cannot connect to 127.0.0.1").contains("refused");
        assertThat(shownText(problem)).as("the text as drawn, not cut with an ellipsis").isEqualTo(problem.getText());
        assertThat(shownText(hint)).isEqualTo(hint.getText()).contains("Check your connection");
        assertThat(Fx.lookupAnywhere("#copy-problem", Button.class).isVisible()).isTrue();
        String status = Fx.lookupAnywhere("#total-progress-text", Label.class).getText();
        assertThat(status).doesNotContain("0 B of 0 B").doesNotContain("what was fetched is kept");
        shoot(problem.getScene(), "download-offline.png");

        // The network is back: the main button asks again and downloads.
        endpoint = hub.endpoint();
        assertThat(Fx.lookupAnywhere("#start-download", Button.class).getText()).isEqualTo("Download");
        robot.clickOn("#start-download");
        waitFor(() -> session.stateProperty().get() == State.DONE);
    }

    @Test
    void aRefusedTokenCorrectedInTheFieldIsUsedByTheMainButton(FxRobot robot) throws Exception {
        DownloadSession session = openWizard(robot);
        waitFor(() -> session.stateProperty().get() == State.READY);
        robot.clickOn("#token-field").write("hf_mistyped");
        robot.clickOn("#start-download");
        waitFor(() -> session.stateProperty().get() == State.FAILED);
        DownloadSession.Problem refused = session.problemProperty().get();
        assertThat(refused.kind()).isEqualTo(HubException.Kind.INVALID_TOKEN);
        assertThat(refused.message()).startsWith("The hub refused the token");
        assertThat(refused.hint()).contains("the token field").doesNotContain("--token");

        robot.doubleClickOn("#token-field").eraseText(11).write("hf_granted");
        assertThat(Fx.lookupAnywhere("#start-download", Button.class).isDisabled()).isFalse();
        robot.clickOn("#start-download");
        waitFor(() -> session.stateProperty().get() == State.DONE);
        assertThat(hub.requests().stream().filter(r -> r.target.contains("/resolve/"))
                .allMatch(r -> "Bearer hf_granted".equals(r.header("Authorization")))).isTrue();
        assertThat(tmp.resolve("hf/token")).as("not remembered unless asked").doesNotExist();
    }

    @Test
    void aTokenCanBeRememberedInHuggingFaceHubsTokenFile(FxRobot robot) throws Exception {
        DownloadSession session = openWizard(robot);
        waitFor(() -> session.stateProperty().get() == State.READY);
        robot.clickOn("#remember-token");
        robot.clickOn("#token-field").write("hf_mistyped");
        robot.clickOn("#check-files");
        waitFor(() -> session.stateProperty().get() == State.FAILED);
        assertThat(tmp.resolve("hf/token")).as("a refused token is not saved").doesNotExist();

        robot.doubleClickOn("#token-field").eraseText(11).write("hf_granted");
        robot.clickOn("#check-files");
        waitFor(() -> session.stateProperty().get() == State.READY);
        Path file = tmp.resolve("hf/token");
        assertThat(Files.readString(file)).isEqualTo("hf_granted");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (HubClient later = HubClient.builder().environment(Map.of()).endpoint(hub.endpoint()).hfHome(tmp.resolve("hf")).build()) {
            assertThat(later.hasToken()).as("the next client (and the command line) finds it").isTrue();
        }
    }

    @Test
    void aPausePressedTheMomentTheDownloadStartsHolds() throws Exception {
        DownloadSession session = openWizardWithoutRobot();
        waitFor(() -> session.stateProperty().get() == State.READY);
        WaitForAsyncUtils.asyncFx(() -> {
            session.start();
            session.pause();  // before the downloader has even started
        }).get();
        Thread.sleep(1500);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(session.stateProperty().get()).isEqualTo(State.PAUSED);
        assertThat(session.bytesDoneProperty().get()).as("nothing fetched while paused").isLessThan(100_000);
        assertThat(hub.fileBytesSent()).isLessThan(100_000);
        WaitForAsyncUtils.asyncFx(session::resume).get();
        waitFor(() -> session.stateProperty().get() == State.DONE);
    }

    @Test
    void aCancelPressedTheMomentTheDownloadStartsStopsIt() throws Exception {
        DownloadSession session = openWizardWithoutRobot();
        waitFor(() -> session.stateProperty().get() == State.READY);
        WaitForAsyncUtils.asyncFx(() -> {
            session.start();
            session.cancel();
        }).get();
        waitFor(() -> session.stateProperty().get() == State.CANCELLED);
        Thread.sleep(500);
        assertThat(hub.fileBytesSent()).isLessThan(weights.length);
        assertThat(session.stateProperty().get()).isEqualTo(State.CANCELLED);
    }

    @Test
    void askingTheHubCanBeCancelled(FxRobot robot) throws Exception {
        hub.failNextListings(1000, 503); // the hub is down: the listing retries with back-off
        DownloadSession session = openWizard(robot);
        waitFor(() -> session.stateProperty().get() == State.CHECKING);
        Thread.sleep(300);
        Button cancel = Fx.lookupAnywhere("#cancel-download", Button.class);
        assertThat(cancel.isDisabled()).isFalse();
        long start = System.nanoTime();
        robot.clickOn(cancel);
        waitFor(() -> session.stateProperty().get() == State.IDLE);
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(2);
        int requests = hub.requests().size();
        Thread.sleep(2500); // past the next back-off: nothing more is asked
        assertThat(hub.requests()).hasSize(requests);
        assertThat(Fx.lookupAnywhere("#total-progress-text", Label.class).getText()).contains("Not checked");
    }

    /** With -Dmamba.shots=DIR, saves a picture of this scene (for the README, and to look at it). */
    static void shoot(javafx.scene.Scene scene, String name) throws Exception {
        String dir = System.getProperty("mamba.shots");
        if (dir == null) return;
        var image = WaitForAsyncUtils.asyncFx(() -> scene.snapshot(null)).get();
        Files.createDirectories(Path.of(dir));
        javax.imageio.ImageIO.write(javafx.embed.swing.SwingFXUtils.fromFXImage(image, null), "png", Path.of(dir, name).toFile());
    }

    /** What the label's skin draws (an ellipsis replaces what does not fit). */
    private static String shownText(Label label) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> ((Text) label.lookup(".text")).getText()).get();
    }

    private DownloadSession openWizard(FxRobot robot) {
        robot.interact(() -> {
            ctx.navigate(Page.LIBRARY);
            @SuppressWarnings("unchecked")
            TableView<LibraryEntry> table = Fx.lookupAnywhere("#library-table", TableView.class);
            table.getSelectionModel().select(table.getItems().stream()
                    .filter(e -> e.name().equals("Codestral Mamba 7B")).findFirst().orElseThrow());
        });
        robot.clickOn("#download-model");
        return Fx.lookupAnywhere("#download-pane", DownloadPane.class).session();
    }

    private DownloadSession openWizardWithoutRobot() throws Exception {
        var model = ctx.library().catalog().models().stream()
                .filter(m -> m.name().equals("Codestral Mamba 7B")).findFirst().orElseThrow();
        return WaitForAsyncUtils.asyncFx(() -> DownloadWizard.open(ctx, model, null).pane().session()).get();
    }

    private static void waitFor(Callable<Boolean> condition) throws Exception {
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(condition).get());
    }
}
