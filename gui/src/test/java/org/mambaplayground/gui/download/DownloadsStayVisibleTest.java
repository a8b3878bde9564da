package org.mambaplayground.gui.download;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.assets.CatalogModel;
import org.mambaplayground.downloader.testing.TestHub;
import org.mambaplayground.gui.App;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.download.DownloadSession.State;
import org.mambaplayground.gui.library.LibraryEntry;
import org.mambaplayground.gui.testing.Fx;
import org.mambaplayground.gui.testing.TestApp;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Downloads outlive the wizard: the sidebar shows them with pause and cancel, the library row says
 * "Downloading 37%", several wait in line, and one interrupted by quitting resumes at the next start.
 */
@ExtendWith(ApplicationExtension.class)
class DownloadsStayVisibleTest {
    @TempDir Path tmp;
    TestHub hub;
    AppContext ctx;
    Stage stage;
    byte[] weights = new byte[2_500_000];

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        new Random(9).nextBytes(weights);
        // slow enough that a download is still running however slowly the robot moves on a loaded machine
        hub = TestHub.start().throttle(250_000);
        hub.repo("mistralai/Mamba-Codestral-7B-v0.1").file("params.json", DownloadWizardTest.MAMBA_PARAMS)
                .lfsFile("consolidated.safetensors", weights).lfsFile("tokenizer.model.v3", new byte[5000]);
        hub.repo("mistralai/Mistral-Nemo-Base-2407").file("params.json", "{}")
                .lfsFile("consolidated.safetensors", new byte[300_000]).file("tekken.json", "{}");
        ctx = HubApp.show(stage, hub::endpoint, tmp);
    }

    @AfterEach
    void close() throws Exception {
        HubApp.close(ctx, hub);
    }

    @Test
    void closingTheWizardLeavesTheDownloadInTheSidebarAndTheLibraryRow(FxRobot robot) throws Exception {
        DownloadSession session = openWizard(robot, "Codestral Mamba 7B");
        waitFor(() -> session.stateProperty().get() == State.READY);
        robot.clickOn("#start-download");
        waitFor(() -> session.fractionProperty().get() > 0.1);
        robot.interact(() -> Fx.lookupAnywhere("#download-pane", DownloadPane.class).getScene().getWindow().hide());

        Node indicator = Fx.lookup(stage, "#downloads-indicator", Node.class);
        assertThat(indicator.isVisible()).isTrue();
        waitFor(() -> text(indicator, ".download-text").matches("\\d+% \u00b7 .*/s.*"));
        assertThat(libraryState("Codestral Mamba 7B")).matches("Downloading \\d+%");
        DownloadProblemsTest.shoot(stage.getScene(), "downloads-sidebar.png");

        press(robot, ".download-pause");
        waitFor(() -> session.stateProperty().get() == State.PAUSED);
        assertThat(text(indicator, ".download-text")).startsWith("Paused at");
        assertThat(libraryState("Codestral Mamba 7B")).startsWith("Paused at");
        hub.throttle(0);
        press(robot, ".download-pause"); // "Resume"
        waitFor(() -> session.stateProperty().get() == State.DONE);
        waitFor(() -> !indicator.isVisible());
        waitFor(() -> libraryState("Codestral Mamba 7B").equals("Installed"));
        assertThat(Files.readAllBytes(tmp.resolve("app/models/Mamba-Codestral-7B-v0.1/consolidated.safetensors"))).isEqualTo(weights);
    }

    /**
     * While a download runs, the Library row and the details say the sidebar's percent, as drawn (no "..."), within
     * one update of it, and all three advance; the details' On disk line counts up ("1.2 MB of 2.5 MB", not the
     * 0 B found before the download) and their button shows the running download instead of offering a new one.
     */
    @Test
    void theLibraryRowAndDetailsFollowTheSidebarsPercent(FxRobot robot) throws Exception {
        hub.throttle(100_000); // 25 s for the weights: time for several samples however slowly the robot moves
        DownloadSession session = openWizard(robot, "Codestral Mamba 7B");
        waitFor(() -> session.stateProperty().get() == State.READY);
        robot.clickOn("#start-download");
        waitFor(() -> session.fractionProperty().get() > 0.02);
        robot.interact(() -> Fx.lookupAnywhere("#download-pane", DownloadPane.class).getScene().getWindow().hide());

        java.util.Set<String> seen = new java.util.TreeSet<>(), onDisk = new java.util.TreeSet<>(), rowOnDisk = new java.util.TreeSet<>();
        while (seen.size() < 3) {
            assertThat(session.stateProperty().get()).as("still downloading, seen " + seen).isEqualTo(State.DOWNLOADING);
            String[] shown = new String[5];
            try {
                WaitForAsyncUtils.waitFor(1, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(() -> {
                    shown[0] = drawnText(Fx.lookup(stage, "#downloads-indicator", Node.class).lookup(".download-text"));
                    shown[1] = drawnText(drawnStateCell("Codestral Mamba 7B"));
                    shown[2] = drawnText(stage.getScene().getRoot().lookup("#fact-state"));
                    shown[3] = drawnText(stage.getScene().getRoot().lookup("#fact-on-disk"));
                    shown[4] = cellValue("Codestral Mamba 7B", "On disk"); // the column may give way in a small window
                    String percent = percentIn(shown[0]);
                    return percent != null && percent.equals(percentIn(shown[1])) && percent.equals(percentIn(shown[2]));
                }).get());
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("sidebar, row and details disagree for 1 s: " + String.join(" / ", shown), e);
            }
            seen.add(percentIn(shown[0]));
            onDisk.add(shown[3]);
            rowOnDisk.add(shown[4]);
            Thread.sleep(100);
        }
        assertThat(onDisk).as("the details' On disk line while downloading").allMatch(t -> t.matches("[\\d.]+ [kMG]?B of 2\\.\\d+ MB"));
        assertThat(onDisk).as("it counts up").hasSizeGreaterThan(1);
        assertThat(rowOnDisk).as("the row's On disk cell counts up too").hasSizeGreaterThan(1).doesNotContain("0 B");
        DownloadProblemsTest.shoot(stage.getScene(), "library-downloading.png");
        assertThat(WaitForAsyncUtils.asyncFx(() -> Fx.lookup(stage, "#download-model", Button.class).getText()).get())
                .isEqualTo("Show download\u2026");
        assertThat(WaitForAsyncUtils.asyncFx(() -> drawnText(drawnStateCell("Codestral Mamba 7B"))).get())
                .as("the State column, as drawn").matches("Downloading \\d+%");
        assertTheLibraryCutsNothingAt(1400, 900);
        assertTheLibraryCutsNothingAt(1024, 700);
    }

    /** At that window size, every Library cell shows its whole text: no "...", no line clipped by the row. */
    private void assertTheLibraryCutsNothingAt(int width, int height) throws Exception {
        robot().interact(() -> {
            stage.setWidth(width);
            stage.setHeight(height);
        });
        WaitForAsyncUtils.waitForFxEvents();
        List<String> cut = WaitForAsyncUtils.asyncFx(() -> {
            List<String> found = new java.util.ArrayList<>();
            for (Node n : stage.getScene().getRoot().lookup("#library-table").lookupAll(".table-cell")) {
                if (!(n instanceof javafx.scene.control.TableCell<?, ?> cell) || !cell.isVisible() || cell.getItem() == null) continue;
                String full = String.valueOf(cell.getItem());
                String drawn = drawnText(cell).replace("-\n", "-"); // WrappingCell's breaks after hyphens
                var text = cell.getGraphic() instanceof javafx.scene.text.Text t ? t : null;
                boolean clipped = text != null && (text.getLayoutBounds().getHeight() > cell.getHeight() + 0.5
                        || text.getLayoutBounds().getWidth() > cell.getWidth() + 0.5);
                if (!drawn.equals(full) || clipped) {
                    found.add(cell.getTableColumn().getText() + ": \"" + full + "\" drawn \"" + drawn + "\"" + (clipped ? " (clipped)" : ""));
                }
            }
            return found;
        }).get();
        assertThat(cut).as("cut in the Library at %dx%d", width, height).isEmpty();
    }

    private static FxRobot robot() { return new FxRobot(); }

    /** What the table's column says for the model's row, drawn or not. FX thread. */
    private String cellValue(String name, String column) {
        @SuppressWarnings("unchecked")
        TableView<LibraryEntry> table = (TableView<LibraryEntry>) stage.getScene().getRoot().lookup("#library-table");
        LibraryEntry entry = table.getItems().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
        return table.getColumns().stream().filter(c -> c.getText().equals(column)).findFirst().orElseThrow()
                .getCellObservableValue(entry).getValue().toString();
    }

    /** The State cell of the model's row as the table draws it. FX thread. */
    private Node drawnStateCell(String name) {
        return stage.getScene().getRoot().lookupAll(".table-cell").stream()
                .filter(n -> n instanceof javafx.scene.control.TableCell<?, ?> c && c.getTableRow() != null
                        && c.getTableRow().getItem() instanceof LibraryEntry e && e.name().equals(name)
                        && c.getTableColumn().getText().equals("State"))
                .findFirst().orElseThrow();
    }

    /** What a label or cell draws (with "..." where it is cut). FX thread. */
    private static String drawnText(Node node) {
        if (node instanceof javafx.scene.text.Text t) return t.getText();
        if (!(node instanceof javafx.scene.Parent p)) return "";
        for (Node child : p.getChildrenUnmodifiable()) {
            String text = drawnText(child);
            if (!text.isEmpty()) return text;
        }
        return node instanceof javafx.scene.control.Labeled l && l.getSkin() == null ? "(no skin) " + l.getText() : "";
    }

    /** "37%" from a text, or null. */
    private static String percentIn(String text) {
        var m = java.util.regex.Pattern.compile("(\\d+)%").matcher(text);
        return m.find() ? m.group(1) + "%" : null;
    }

    @Test
    void aSecondDownloadWaitsForTheFirstThenRuns(FxRobot robot) throws Exception {
        DownloadSession first = openWizard(robot, "Codestral Mamba 7B");
        waitFor(() -> first.stateProperty().get() == State.READY);
        robot.clickOn("#start-download");
        waitFor(() -> first.stateProperty().get() == State.DOWNLOADING);
        press(robot, ".download-pause"); // paused, it is still ahead in the line
        waitFor(() -> first.stateProperty().get() == State.PAUSED);

        DownloadSession second = openWizard(robot, "Mistral Nemo 12B Base");
        assertThat(second).isNotSameAs(first);
        waitFor(() -> second.stateProperty().get() == State.READY);
        robot.interact(() -> Fx.lookupAnywhere("#start-download", Button.class).fire());
        try {
            waitFor(() -> second.stateProperty().get() == State.QUEUED);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("second " + second.stateProperty().get() + " " + second.problemProperty().get()
                    + " first " + first.stateProperty().get() + " start disabled "
                    + Fx.lookupAnywhere("#start-download", Button.class).isDisabled() + " pane session "
                    + (Fx.lookupAnywhere("#download-pane", DownloadPane.class).session() == second));
        }
        assertThat(libraryState("Mistral Nemo 12B Base")).isEqualTo("Waiting to download");
        assertTheLibraryCutsNothingAt(1024, 700);
        assertThat(Downloads.of(ctx).sessions()).containsExactly(first, second);
        Thread.sleep(300);
        assertThat(second.stateProperty().get()).isEqualTo(State.QUEUED);
        hub.throttle(0);
        press(robot, ".download-pause"); // resumes the first

        waitFor(() -> first.stateProperty().get() == State.DONE);
        waitFor(() -> second.stateProperty().get() == State.DONE);
        assertThat(tmp.resolve("app/models/Mistral-Nemo-Base-2407/tekken.json")).exists();
        assertThat(Downloads.of(ctx).sessions()).isEmpty();
    }

    @Test
    void aDownloadInterruptedByQuittingResumesAtTheNextStart(FxRobot robot) throws Exception {
        DownloadSession session = openWizard(robot, "Codestral Mamba 7B");
        waitFor(() -> session.stateProperty().get() == State.READY);
        robot.clickOn("#start-download");
        waitFor(() -> session.fractionProperty().get() > 0.1);
        WaitForAsyncUtils.asyncFx(() -> {
            javafx.stage.Window.getWindows().stream().filter(w -> w instanceof DownloadWizard).toList()
                    .forEach(javafx.stage.Window::hide);
            ctx.close(); // quitting the app
        }).get();
        Thread.sleep(300);
        long sentBefore = hub.fileBytesSent();
        assertThat(tmp.resolve("app/config/downloads.txt")).content().contains("codestral-mamba-7b");

        ctx = HubApp.context(hub::endpoint, tmp);
        WaitForAsyncUtils.asyncFx(() -> stage.setScene(App.createScene(ctx, false))).get();
        waitFor(() -> Downloads.of(ctx).sessions().size() == 1);
        DownloadSession resumed = Downloads.of(ctx).sessions().getFirst();
        assertThat(Fx.lookup(stage, "#downloads-indicator", Node.class).isVisible()).isTrue();
        hub.throttle(0);
        waitFor(() -> resumed.stateProperty().get() == State.DONE);
        assertThat(Files.readAllBytes(tmp.resolve("app/models/Mamba-Codestral-7B-v0.1/consolidated.safetensors"))).isEqualTo(weights);
        assertThat(hub.fileBytesSent() - sentBefore).as("resumed, not fetched again").isLessThan(weights.length - 100_000);
        waitFor(() -> !Files.exists(tmp.resolve("app/config/downloads.txt")));
    }

    private DownloadSession openWizard(FxRobot robot, String name) {
        TestApp.selectInLibrary(robot, ctx, stage, name);
        WaitForAsyncUtils.waitForFxEvents();
        // fired, not clicked: the open wizard may cover the main window's button
        robot.interact(() -> ((Button) stage.getScene().getRoot().lookup("#download-model")).fire());
        WaitForAsyncUtils.waitForFxEvents();
        return Fx.lookupAnywhere("#download-pane", DownloadPane.class).session();
    }

    /** The State column's text for a model, as drawn. */
    private String libraryState(String name) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> {
            @SuppressWarnings("unchecked")
            TableView<LibraryEntry> table = (TableView<LibraryEntry>) stage.getScene().getRoot().lookup("#library-table");
            LibraryEntry entry = table.getItems().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
            var column = table.getColumns().stream().filter(c -> c.getText().equals("State")).findFirst().orElseThrow();
            return String.valueOf(column.getCellData(entry));
        }).get();
    }

    /** Presses the first download's button in the sidebar (looked up when pressed: rows are rebuilt as downloads come and go). */
    private void press(FxRobot robot, String selector) {
        robot.interact(() -> {
            Node indicator = stage.getScene().getRoot().lookup("#downloads-indicator");
            Node button = indicator.lookup(selector);
            if (button == null) {
                throw new AssertionError("no " + selector + " in " + ((javafx.scene.Parent) indicator).getChildrenUnmodifiable()
                        + "; downloads " + Downloads.of(ctx).sessions());
            }
            ((Button) button).fire();
        });
    }

    private static String text(Node root, String selector) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> {
            Node n = root.lookup(selector);
            return n instanceof Label l ? l.getText() : "";
        }).get();
    }

    private static void waitFor(Callable<Boolean> condition) throws Exception {
        WaitForAsyncUtils.waitFor(25, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(condition).get());
    }

    @SuppressWarnings("unused")
    private CatalogModel model(String name) {
        return ctx.library().catalog().models().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
    }
}
