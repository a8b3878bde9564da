package org.mambaplayground.gui.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.ListView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.Page;
import org.mambaplayground.gui.testing.TestApp;
import org.mambaplayground.gui.testing.TestModels;
import org.mambaplayground.remote.ApiKey;
import org.mambaplayground.remote.Endpoint;
import org.mambaplayground.remote.EndpointKind;
import org.mambaplayground.remote.RemoteBackend;
import org.mambaplayground.remote.RemoteClient;
import org.mambaplayground.server.ApiServer;
import org.mambaplayground.server.ServerConfig;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * With a remote model active, the Server page serves it: our own server over a small transformer (with a key) is the
 * remote, and a plain HTTP client asks the page's server for the model list and a streamed chat completion.
 */
@ExtendWith(ApplicationExtension.class)
class ServeRemoteModelTest {
    static final String REMOTE_KEY = "gui-serve-remote-key-41c7";
    static final String SERVED = "open-mistral-nemo";
    @TempDir static Path home;
    static LoadedModel model;
    static ApiServer remote;
    static RemoteClient client;
    AppContext ctx;

    @BeforeAll
    static void startRemote() throws Exception {
        model = TestModels.open(TestModels.transformerFolder());
        remote = ApiServer.start(ServerConfig.defaults().withPort(0).withApiKey(REMOTE_KEY).withMaxTokens(16)
                .withServedModelNames(List.of(SERVED)), model);
        client = new RemoteClient(Endpoint.of(remote.address().toString(), EndpointKind.MAMBA_PLAYGROUND), ApiKey.of(REMOTE_KEY));
    }

    @AfterAll
    static void stopRemote() {
        if (client != null) client.close();
        if (remote != null) remote.stop();
        if (model != null) model.close();
    }

    @Start
    void start(Stage stage) { ctx = TestApp.show(stage, home.resolve("app-" + System.nanoTime())); }

    @AfterEach
    void close() throws Exception { WaitForAsyncUtils.asyncFx(ctx::close).get(); }

    @Test
    void theServerPageServesTheActiveRemoteModel(FxRobot robot) throws Exception {
        robot.interact(() -> ctx.navigate(Page.SERVER));
        robot.interact(() -> ctx.models().setActiveRemote(new RemoteBackend(client, SERVED)));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#server-start").queryButton().isDisabled()).as("a remote model can be served").isFalse();
        robot.interact(() -> robot.lookup("#server-port").queryAs(TextField.class).setText("0"));
        robot.clickOn("#server-start");

        Hyperlink address = robot.lookup("#server-address").queryAs(Hyperlink.class);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> address.getText().startsWith("http://127.0.0.1:"));
        assertThat(address.getText()).doesNotEndWith(":" + remote.address().getPort());
        assertThat(robot.lookup("#server-status").queryAs(Label.class).getText()).isEqualTo("Running, serving " + SERVED);

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(address.getText() + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(models.body()).contains("\"id\":\"" + SERVED + "\"");

        String body = "{\"model\": \"" + SERVED + "\", \"stream\": true, \"max_tokens\": 5, \"temperature\": 0,"
                + " \"messages\": [{\"role\": \"user\", \"content\": \"Write a function.\"}]}";
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(address.getText() + "/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("\"object\":\"chat.completion.chunk\"").containsPattern("\"content\":\"[^\"]+")
                .endsWith("data: [DONE]\n\n").doesNotContain(REMOTE_KEY);
        ListView<?> log = robot.lookup("#server-log").queryAs(ListView.class);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> log.getItems().size() == 1);
        assertThat(robot.lookup("#server-example").queryTextInputControl().getText()).contains(SERVED).doesNotContain(REMOTE_KEY);

        robot.clickOn("#server-stop");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> address.getText().isEmpty());
    }
}
