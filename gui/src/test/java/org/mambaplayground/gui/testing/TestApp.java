package org.mambaplayground.gui.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.mambaplayground.gui.App;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.Page;
import org.mambaplayground.gui.Settings;
import org.mambaplayground.gui.chat.ChatView;
import org.mambaplayground.gui.library.LibraryEntry;
import org.mambaplayground.gui.models.LoadTask;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/** The application's window for the UI tests that run real models: shown on TestFX's stage, a model made active. */
public final class TestApp {
    private TestApp() {}

    /** Shows the app's scene on the stage, with its settings under home and models opened by {@link TestModels#engine()}. */
    public static AppContext show(Stage stage, Path home) {
        AppContext ctx = new AppContext(Settings.under(home), TestModels.engine());
        stage.setScene(App.createScene(ctx, false));
        stage.show();
        return ctx;
    }

    /** Makes the model in that folder the active one, as the app does, and waits until it has loaded without error. */
    public static void activate(AppContext ctx, Path folder) throws Exception {
        LoadTask task = WaitForAsyncUtils.asyncFx(() -> ctx.models().activate(folder)).get();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> ctx.models().getActiveModel() != null || task.isDone());
        WaitForAsyncUtils.waitForFxEvents();
        Throwable failure = WaitForAsyncUtils.asyncFx(task::getException).get();
        assertThat(failure).as("loading the test model %s", folder).isNull();
        assertThat(ctx.models().getActiveModel()).isNotNull();
    }

    /** Opens the Library page and selects the row of the entry named {@code name}, in one step on the FX thread. */
    public static void selectInLibrary(FxRobot robot, AppContext ctx, Stage stage, String name) {
        robot.interact(() -> {
            ctx.navigate(Page.LIBRARY);
            @SuppressWarnings("unchecked")
            TableView<LibraryEntry> table = Fx.lookup(stage, "#library-table", TableView.class);
            table.getSelectionModel().select(table.getItems().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow());
        });
    }

    /** Opens the Chat page with a click on its navigation entry, as a user does, and returns its view. */
    public static ChatView openChat(FxRobot robot, Stage stage) {
        Fx.click(robot, stage, "#nav-chat");
        return Fx.lookup(stage, "#chat-view", ChatView.class);
    }

    /** Waits until the chat has no answer running and the FX thread has shown what it ended with. */
    public static void waitUntilIdle(ChatView view) throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !view.runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
    }
}
