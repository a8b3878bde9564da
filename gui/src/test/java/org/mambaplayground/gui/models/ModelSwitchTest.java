package org.mambaplayground.gui.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Button;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.model.Architecture;
import org.mambaplayground.gui.App;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.Settings;
import org.mambaplayground.gui.testing.TestModels;
import org.mambaplayground.gui.library.LibraryEntry;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Switching between a Mamba2 and a transformer model through the library's Load button: real model
 * folders on disk, the real engine loader, the real toolkit. The previous model's weights are closed
 * unless another holder (as the comparison view does) keeps a reference.
 */
@ExtendWith(ApplicationExtension.class)
class ModelSwitchTest {
    @TempDir static Path home;
    static Path mambaFolder;
    static Path transformerFolder;
    private AppContext ctx;

    static String mambaName;
    static String transformerName;

    /** The built-in demo models when the assets ship them, else synthetic ones (see TestModels). */
    @BeforeAll
    static void findModels() {
        mambaFolder = TestModels.mambaFolder();
        transformerFolder = TestModels.transformerFolder();
        mambaName = mambaFolder.getFileName().toString();
        transformerName = transformerFolder.getFileName().toString();
    }

    @Start
    void start(Stage stage) throws Exception {
        ctx = new AppContext(Settings.under(home.resolve("app")), EngineBinding.engine());
        var entries = ctx.library().refresh().get(30, TimeUnit.SECONDS);
        for (Path folder : List.of(mambaFolder, transformerFolder)) { // demo models are listed already
            if (entries.stream().noneMatch(e -> folder.equals(e.folder()))) ctx.library().addFolder(folder).get(30, TimeUnit.SECONDS);
        }
        stage.setScene(App.createScene(ctx, false));
        stage.show();
    }

    @AfterEach
    void close() throws Exception { WaitForAsyncUtils.asyncFx(ctx::close).get(); }

    @Test
    void switchingReleasesThePreviousModel(FxRobot robot) throws Exception {
        ModelHandle mamba = loadThroughLibrary(robot, mambaName);
        assertThat(mamba.spec().architecture()).isEqualTo(Architecture.MAMBA2);
        assertThat(robot.lookup("#active-model-name").queryLabeled().getText()).isEqualTo(mambaName);

        ModelHandle transformer = loadThroughLibrary(robot, transformerName);
        assertThat(transformer.spec().architecture()).isEqualTo(Architecture.TRANSFORMER);
        assertThat(mamba.isClosed()).as("previous model released").isTrue();
        assertThat(ctx.models().openCount()).isEqualTo(1);

        ModelHandle back = loadThroughLibrary(robot, mambaName);
        assertThat(back).isNotSameAs(mamba);
        assertThat(transformer.isClosed()).isTrue();
        assertThat(robot.lookup("#active-model-name").queryLabeled().getText()).isEqualTo(mambaName);

        robot.interact(() -> ctx.navigate(org.mambaplayground.gui.Page.LIBRARY));
        robot.clickOn("#unload-model");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(ctx.models().getActiveModel()).isNull();
        assertThat(back.isClosed()).isTrue();
        assertThat(ctx.models().openCount()).isZero();
    }

    @Test
    void aModelHeldElsewhereStaysOpenUntilReleased(FxRobot robot) throws Exception {
        ModelHandle mamba = loadThroughLibrary(robot, mambaName);
        ModelHandle held = WaitForAsyncUtils.asyncFx(mamba::acquire).get(5, TimeUnit.SECONDS); // e.g. the comparison view

        loadThroughLibrary(robot, transformerName);
        assertThat(held.isClosed()).isFalse();
        assertThat(ctx.models().openCount()).isEqualTo(2);

        // Loading the same folder again shares the open weights instead of mapping them twice.
        ModelHandle again = loadThroughLibrary(robot, mambaName);
        assertThat(again).isSameAs(held);

        WaitForAsyncUtils.asyncFx(held::release).get(5, TimeUnit.SECONDS);
        assertThat(again.isClosed()).isFalse(); // still the active model
        assertThat(ctx.models().openCount()).isEqualTo(1);
    }

    /**
     * The sidebar's "N models in memory" follows the models actually mapped: a load, a second model held (as the
     * comparison holds one), an unload while that one is still held, its release, a load that fails.
     */
    @Test
    void theSidebarCountsTheModelsInMemory(FxRobot robot) throws Exception {
        for (int i = 0; i < 3; i++) System.gc(); // as after a while: the sidebar must still hear of every change
        ModelHandle mamba = loadThroughLibrary(robot, mambaName);
        assertThat(memoryLine(robot)).endsWith(" mapped").doesNotContain("in memory");

        ModelHandle held = WaitForAsyncUtils.asyncFx(mamba::acquire).get(5, TimeUnit.SECONDS); // the comparison's
        loadThroughLibrary(robot, transformerName);
        assertThat(memoryLine(robot)).endsWith("2 models in memory");

        robot.interact(() -> ctx.navigate(org.mambaplayground.gui.Page.LIBRARY));
        robot.clickOn("#unload-model");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(ctx.models().getActiveModel()).isNull();
        assertThat(ctx.models().openCount()).isEqualTo(1);
        assertThat(memoryLine(robot)).as("no active model, one still held").isEqualTo("1 model in memory");

        WaitForAsyncUtils.asyncFx(held::release).get(5, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(memoryLine(robot)).isEmpty();

        Path empty = java.nio.file.Files.createDirectories(home.resolve("not-a-model"));
        var failed = WaitForAsyncUtils.asyncFx(() -> ctx.models().activate(empty)).get();
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, 
                () -> WaitForAsyncUtils.asyncFx(failed::getState).get() == javafx.concurrent.Worker.State.FAILED);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(ctx.models().openCount()).isZero();
        assertThat(memoryLine(robot)).isEmpty();
    }

    private static String memoryLine(FxRobot robot) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> robot.lookup("#active-model-memory").queryLabeled().getText()).get();
    }

    /** What the models and the library show, for a failure message. FX thread. */
    private String describe() {
        ModelHandle active = ctx.models().getActiveModel();
        var task = ctx.models().activationProperty().get();
        var error = mainScene().lookup("#load-error");
        return "active: " + (active == null ? "none" : active.name())
                + "; activation: " + (task == null ? "none" : task.getState() + " '" + task.getMessage() + "' " + task.getException())
                + "; load error shown: " + (error == null ? "none" : ((javafx.scene.control.Label) error).getText());
    }

    private javafx.scene.Scene mainScene() {
        return javafx.stage.Window.getWindows().getFirst().getScene();
    }

    private ModelHandle loadThroughLibrary(FxRobot robot, String name) throws Exception {
        robot.interact(() -> ctx.navigate(org.mambaplayground.gui.Page.LIBRARY));
        @SuppressWarnings("unchecked")
        TableView<LibraryEntry> table = robot.lookup("#library-table").queryAs(TableView.class);
        // Select and press Load in one FX-thread step: the library's entries are replaced asynchronously (folders
        // added in @Start land later), which rebuilds the details pane, so a Load button looked up from the test
        // thread and clicked by mouse position could be a replaced node by the time the click arrives.
        // asyncFx(...).get() rethrows a failed assertion here (as the cause), rather than leaving only a timeout.
        LibraryEntry chosen = WaitForAsyncUtils.asyncFx(() -> {
            LibraryEntry entry = table.getItems().stream().filter(e -> e.folder() != null && e.folder().getFileName().toString().equals(name))
                    .findFirst().orElseThrow();
            table.getSelectionModel().select(entry);
            Button load = (Button) table.getScene().lookup("#load-model");
            assertThat(load).as("Load button for " + name).isNotNull();
            assertThat(load.isVisible() && !load.isDisabled()).as("Load button usable for " + name).isTrue();
            load.fire();
            return entry;
        }).get(30, TimeUnit.SECONDS);
        try {
            WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> {
                ModelHandle active = ctx.models().getActiveModel();
                return active != null && active.name().equals(name) && ctx.models().activationProperty().get() == null;
            });
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("loading " + chosen.kind() + " entry " + chosen.folder() + " did not finish in 30 s; "
                    + WaitForAsyncUtils.asyncFx(this::describe).get(), e);
        }
        WaitForAsyncUtils.waitForFxEvents();
        return ctx.models().getActiveModel();
    }
}
