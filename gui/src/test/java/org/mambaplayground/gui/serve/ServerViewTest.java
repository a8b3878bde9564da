package org.mambaplayground.gui.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.gui.App;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.Page;
import org.mambaplayground.gui.Settings;
import org.mambaplayground.gui.testing.TestModels;
import org.mambaplayground.gui.models.EngineBinding;
import org.mambaplayground.gui.models.ModelHandle;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The Server page starts the real API server on loopback for the active model, shows its address, stops it. */
@ExtendWith(ApplicationExtension.class)
class ServerViewTest {
    @TempDir static Path home;
    static Path model;
    AppContext ctx;

    @BeforeAll
    static void writeModel() {
        model = TestModels.mambaFolder();
    }

    @Start
    void start(Stage stage) {
        ctx = new AppContext(Settings.under(home.resolve("app")), EngineBinding.engine());
        stage.setScene(App.createScene(ctx, false));
        stage.show();
    }

    @AfterEach
    void close() throws Exception {
        WaitForAsyncUtils.asyncFx(ctx::close).get();
    }

    @Test
    void aPortInUseIsExplainedAndTheModelIsNotHeld(FxRobot robot) throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            robot.interact(() -> ctx.navigate(Page.SERVER));
            robot.interact(() -> ctx.models().activate(model));
            WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> ctx.models().getActiveModel() != null);
            // set, not typed: under load a double-click may not select the field's text (the typing itself is not under test)
            robot.interact(() -> robot.lookup("#server-port").queryAs(TextField.class).setText(Integer.toString(taken.getLocalPort())));
            robot.clickOn("#server-start");
            javafx.scene.control.Label status = robot.lookup("#server-status").queryAs(javafx.scene.control.Label.class);
            WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> status.getText().contains("in use"));
            assertThat(status.getText()).contains(Integer.toString(taken.getLocalPort()));
            assertThat(ctx.models().getActiveModel().references()).isEqualTo(1);
            assertThat(robot.lookup("#server-start").queryButton().isDisabled()).isFalse();
        }
    }

    @Test
    void startsTheServerForTheActiveModelAndStopsIt(FxRobot robot) throws Exception {
        robot.interact(() -> ctx.navigate(Page.SERVER));
        assertThat(robot.lookup("#server-start").queryButton().isDisabled()).as("no model yet").isTrue();

        robot.interact(() -> ctx.models().activate(model));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> ctx.models().getActiveModel() != null);
        robot.interact(() -> robot.lookup("#server-port").queryAs(TextField.class).setText("0")); // any free port
        assertThat(robot.lookup("#server-port").queryAs(TextField.class).getText()).isEqualTo("0");
        robot.clickOn("#server-start");

        Hyperlink address = robot.lookup("#server-address").queryAs(Hyperlink.class);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> address.getText().startsWith("http://127.0.0.1:"));
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(address.getText() + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(models.body()).contains(model.getFileName().toString());
        ModelHandle served = ctx.models().getActiveModel();
        assertThat(served.references()).as("held by the active slot and the server").isEqualTo(2);

        robot.clickOn("#server-stop");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> address.getText().isEmpty());
        assertThat(served.references()).isEqualTo(1);
        String base = models.uri().toString().replace("/v1/models", "");
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(ConnectException.class);
    }

    /** The embedded server shares the app's one-generation-at-a-time gate: a request waits while chat, compare or a sweep runs. */
    @Test
    void servedRequestsWaitForTheAppsOtherGenerations(FxRobot robot) throws Exception {
        robot.interact(() -> ctx.navigate(Page.SERVER));
        robot.interact(() -> ctx.models().activate(model));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> ctx.models().getActiveModel() != null);
        robot.interact(() -> robot.lookup("#server-port").queryAs(TextField.class).setText("0"));
        robot.clickOn("#server-start");
        Hyperlink address = robot.lookup("#server-address").queryAs(Hyperlink.class);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> address.getText().startsWith("http://127.0.0.1:"));

        org.mambaplayground.gui.metrics.GenerationGate gate =
                ctx.shared(org.mambaplayground.gui.metrics.GenerationGate.class, org.mambaplayground.gui.metrics.GenerationGate::new);
        org.mambaplayground.gui.metrics.GenerationGate.Pass chatRunning =
                gate.enter(new org.mambaplayground.engine.generate.CancellationToken(), () -> {});
        String body = "{\"model\": \"" + model.getFileName() + "\", \"prompt\": \"def f(\", \"max_tokens\": 4}";
        java.util.concurrent.CompletableFuture<HttpResponse<String>> answer = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(URI.create(address.getText() + "/v1/completions"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(1500);
        assertThat(answer).as("answered while the gate was held").isNotDone();
        chatRunning.close();
        HttpResponse<String> response = answer.get(20, TimeUnit.SECONDS);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(gate.busy()).isFalse();
        robot.clickOn("#server-stop");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> address.getText().isEmpty());
    }
}
