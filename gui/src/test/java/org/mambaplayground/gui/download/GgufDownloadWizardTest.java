package org.mambaplayground.gui.download;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.downloader.GgufChoices;
import org.mambaplayground.downloader.testing.TestHub;
import org.mambaplayground.engine.model.Architecture;
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
 * A GGUF repository on the loopback test hub, opened from the catalog's GGUF entry of Codestral Mamba: the wizard
 * lists the quantizations with their sizes and what fits this machine, recommends the largest that fits, downloads
 * exactly that file, and the Library loads it. The served Q8_0 file is the engine's committed Mamba2 test GGUF; the
 * bigger ones are listed with sizes no machine has (never served), a smaller one is random bytes, one has a type
 * the engine does not run.
 */
@ExtendWith(ApplicationExtension.class)
class GgufDownloadWizardTest {
    static final String REPO = "gabriellarson/Mamba-Codestral-7B-v0.1-GGUF";
    static final Path SERVED = Path.of("..", "engine", "src", "test", "resources", "gguf", "mamba2-demo-q8_0.gguf");
    static final long TB = 1_000_000_000_000L;
    @TempDir Path tmp;
    TestHub hub;
    AppContext ctx;
    byte[] q4 = new byte[900_000];

    @Start
    void start(Stage stage) throws Exception {
        hub = TestHub.start().throttle(3_000_000);
        String sha = "ab".repeat(32);
        new java.util.Random(5).nextBytes(q4);
        hub.repo(REPO)
                .file("README.md", "GGUF files of Mamba-Codestral-7B-v0.1")
                .virtualLfsFile("Mamba-Codestral-7B-v0.1-BF16.gguf", 3 * TB, sha)
                .virtualLfsFile("Mamba-Codestral-7B-v0.1-F16-00001-of-00002.gguf", TB, sha)
                .virtualLfsFile("Mamba-Codestral-7B-v0.1-F16-00002-of-00002.gguf", TB, sha)
                .lfsFile("Mamba-Codestral-7B-v0.1-Q8_0.gguf", SERVED)
                .lfsFile("Mamba-Codestral-7B-v0.1-Q4_0.gguf", q4) // bytes only: this one is never loaded
                .virtualLfsFile("Mamba-Codestral-7B-v0.1-IQ2_XS.gguf", 500_000, sha);
        ctx = HubApp.show(stage, hub::endpoint, tmp);
    }

    @AfterEach
    void close() throws Exception {
        HubApp.close(ctx, hub);
    }

    @Test
    void listsTheQuantizationsRecommendsTheLargestThatFitsDownloadsItAndTheLibraryLoadsIt(FxRobot robot) throws Exception {
        select(robot, "Codestral Mamba 7B");
        robot.clickOn("#download-gguf");
        DownloadPane pane = Fx.lookupAnywhere("#download-pane", DownloadPane.class);
        DownloadSession session = pane.session();
        assertThat(session.model().repo()).isEqualTo(REPO);
        waitFor(() -> session.stateProperty().get() == State.READY);

        // The quantizations, largest first, a split model as one choice, as the table draws them.
        List<List<String>> rows = shownRows(robot);
        assertThat(rows).extracting(r -> r.get(0)).containsExactly("BF16", "F16", "Q8_0", "Q4_0", "IQ2_XS");
        assertThat(rows.get(0)).containsExactly("BF16", "3.00 TB", "does not fit: needs 3.00 TB", "Mamba-Codestral-7B-v0.1-BF16");
        assertThat(rows.get(1)).contains("2.00 TB", "Mamba-Codestral-7B-v0.1-F16 (2 parts)").anySatisfy(c -> assertThat(c).startsWith("does not fit"));
        assertThat(rows.get(2)).contains(org.mambaplayground.engine.model.Sizes.bytes(Files.size(SERVED)))
                .anySatisfy(c -> assertThat(c).startsWith("fits (needs").endsWith("\u2605 recommended"));
        assertThat(rows.get(3)).anySatisfy(c -> assertThat(c).startsWith("fits (needs").doesNotContain("recommended"));
        assertThat(rows.get(4)).contains("types this engine does not run");
        assertThat(Fx.lookupAnywhere("#gguf-memory", Label.class).getText())
                .contains("available").contains("Q8_0, the largest that fits, is recommended");

        // Preselected, and the only file planned.
        assertThat(session.ggufChoiceProperty().getValue().quantization()).isEqualTo("Q8_0");
        assertThat(session.files()).extracting(FileRow::path).containsExactly("Mamba-Codestral-7B-v0.1-Q8_0.gguf");

        // Another choice re-plans; back to the recommended one.
        clickRow(robot, "Q4_0");
        waitFor(() -> session.stateProperty().get() == State.READY && session.files().size() == 1
                && session.files().getFirst().path().endsWith("Q4_0.gguf"));
        clickRow(robot, "Q8_0");
        waitFor(() -> session.stateProperty().get() == State.READY && session.files().size() == 1
                && session.files().getFirst().path().endsWith("Q8_0.gguf"));
        String size = org.mambaplayground.engine.model.Sizes.bytes(Files.size(SERVED));
        assertThat(Fx.lookupAnywhere("#download-summary", Label.class).getText()).startsWith("Total " + size + "  \u00b7  to fetch " + size);
        DownloadProblemsTest.shoot(pane.getScene(), "download-gguf.png");

        robot.clickOn("#start-download");
        waitFor(() -> session.stateProperty().get() == State.DONE);
        Path file = tmp.resolve("app/models/Mamba-Codestral-7B-v0.1-GGUF/Mamba-Codestral-7B-v0.1-Q8_0.gguf");
        assertThat(file).hasSameBinaryContentAs(SERVED);
        assertThat(hub.requests().stream().filter(r -> r.target.contains("/resolve/")).map(r -> r.target))
                .isNotEmpty().allMatch(t -> t.endsWith("Mamba-Codestral-7B-v0.1-Q8_0.gguf"));
        assertThat(session.modelPath()).isEqualTo(file);

        // The Library lists it with its quantization and loads it.
        waitFor(() -> ctx.library().entries().stream().anyMatch(e -> file.equals(e.folder())));
        LibraryEntry entry = ctx.library().entries().stream().filter(e -> file.equals(e.folder())).findFirst().orElseThrow();
        assertThat(entry.name()).isEqualTo("Mamba-Codestral-7B-v0.1-Q8_0");
        assertThat(entry.description()).contains("GGUF, mostly Q8_0").contains("Downloaded from " + REPO);
        assertThat(entry.loadable()).as(entry.problem()).isTrue();
        robot.interact(() -> javafx.stage.Window.getWindows().stream()
                .filter(w -> w instanceof DownloadWizard).toList().forEach(javafx.stage.Window::hide));
        select(robot, "Mamba-Codestral-7B-v0.1-Q8_0");
        robot.clickOn("#load-model");
        waitFor(() -> ctx.models().getActiveModel() != null);
        assertThat(ctx.models().getActiveModel().folder()).isEqualTo(file);
        assertThat(ctx.models().getActiveModel().spec().architecture()).isEqualTo(Architecture.MAMBA2);
    }

    @Test
    void aQuantizationWhoseDownloadWasBegunIsTheOneOfferedAgain() throws Exception {
        hub.throttle(300_000); // 3 s for the 900 kB file: time to cancel it half-way
        var model = ctx.library().catalog().byId("codestral-mamba-7b:" + REPO).orElseThrow();
        DownloadSession first = WaitForAsyncUtils.asyncFx(() -> {
            DownloadSession s = Downloads.of(ctx).newSession(model);
            s.check("");
            return s;
        }).get();
        waitFor(() -> first.stateProperty().get() == State.READY);
        assertThat(first.ggufChoiceProperty().getValue().quantization()).isEqualTo("Q8_0");
        GgufChoices.Choice q4Choice = first.ggufChoices().stream().filter(c -> c.quantization().equals("Q4_0")).findFirst().orElseThrow();
        WaitForAsyncUtils.asyncFx(() -> first.chooseGguf(q4Choice)).get();
        waitFor(() -> first.stateProperty().get() == State.READY && first.files().getFirst().path().endsWith("Q4_0.gguf"));
        WaitForAsyncUtils.asyncFx(first::start).get();
        waitFor(() -> first.bytesDoneProperty().get() > 100_000);
        WaitForAsyncUtils.asyncFx(first::cancel).get();
        waitFor(() -> first.stateProperty().get() == State.CANCELLED);
        WaitForAsyncUtils.asyncFx(first::close).get();

        // As after a restart (Downloads.resumeInterrupted): a new session, nothing chosen yet.
        DownloadSession again = WaitForAsyncUtils.asyncFx(() -> {
            DownloadSession s = Downloads.of(ctx).newSession(model);
            s.check("");
            return s;
        }).get();
        waitFor(() -> again.stateProperty().get() == State.READY);
        assertThat(again.ggufChoiceProperty().getValue().quantization()).as("the begun one, not the recommended Q8_0").isEqualTo("Q4_0");
        assertThat(again.files()).singleElement().satisfies(f -> {
            assertThat(f.path()).isEqualTo("Mamba-Codestral-7B-v0.1-Q4_0.gguf");
            assertThat(f.statusProperty().get()).isEqualTo("Resumes from a partial download");
        });
        WaitForAsyncUtils.asyncFx(again::close).get();
    }

    /** Each row of the quantization table as its cells draw it. */
    private List<List<String>> shownRows(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        return WaitForAsyncUtils.asyncFx(() -> robot.lookup("#gguf-choice-table .table-row-cell").queryAll().stream()
                .map(n -> (TableRow<?>) n).filter(r -> r.getItem() != null)
                .sorted(java.util.Comparator.comparingInt(TableRow::getIndex))
                .map(r -> r.lookupAll(".table-cell").stream().map(c -> ((TableCell<?, ?>) c).getText()).toList())
                .toList()).get();
    }

    private void clickRow(FxRobot robot, String quantization) {
        @SuppressWarnings("unchecked")
        TableView<GgufChoices.Choice> table = Fx.lookupAnywhere("#gguf-choice-table", TableView.class);
        TableRow<?> row = robot.lookup("#gguf-choice-table .table-row-cell")
                .match(n -> ((TableRow<?>) n).getItem() instanceof GgufChoices.Choice c && c.quantization().equals(quantization))
                .query();
        assertThat(table.isDisabled()).isFalse();
        robot.clickOn(row);
    }

    private void select(FxRobot robot, String name) {
        robot.interact(() -> {
            ctx.navigate(Page.LIBRARY);
            @SuppressWarnings("unchecked")
            TableView<LibraryEntry> table = Fx.lookupAnywhere("#library-table", TableView.class);
            table.getSelectionModel().select(table.getItems().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow());
        });
    }

    private static void waitFor(Callable<Boolean> condition) throws Exception {
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(condition).get());
    }
}
