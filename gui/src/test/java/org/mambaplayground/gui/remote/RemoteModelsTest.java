package org.mambaplayground.gui.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.backend.MeasuredAt;
import org.mambaplayground.backend.ModelBackend;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.tokenizer.ChatMessage;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.chat.ChatView;
import org.mambaplayground.gui.chat.MessageView;
import org.mambaplayground.gui.compare.CompareView;
import org.mambaplayground.gui.library.LibraryEntry;
import org.mambaplayground.gui.metrics.ChartsView;
import org.mambaplayground.gui.metrics.MetricPoint;
import org.mambaplayground.gui.metrics.MetricsStore;
import org.mambaplayground.gui.metrics.PlotSeries;
import org.mambaplayground.gui.testing.Fx;
import org.mambaplayground.gui.testing.ScriptedSseServer;
import org.mambaplayground.gui.testing.TestApp;
import org.mambaplayground.gui.testing.TestModels;
import org.mambaplayground.remote.Endpoint;
import org.mambaplayground.remote.EndpointKind;
import org.mambaplayground.server.ApiServer;
import org.mambaplayground.server.ServedRequest;
import org.mambaplayground.server.ServerConfig;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Remote models in the app, against real servers on loopback: our own OpenAI-compatible server (the {@code serve}
 * machinery over a small transformer, with an API key) added through "Add remote endpoint...", then chatted with,
 * compared beside a local Mamba2 model and swept; and a scripted server for a stream cut mid-answer and for Stop.
 */
@ExtendWith(ApplicationExtension.class)
class RemoteModelsTest {
    static final String KEY = "gui-remote-key-7c41e9";
    /** Served under a Mistral API id, so the model maps to the catalog's Nemo (its curve is the analytic one). */
    static final String SERVED = "open-mistral-nemo";
    @TempDir static Path home;
    static LoadedModel served;
    static ApiServer server;
    static final java.util.Queue<ServedRequest> requests = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private AppContext ctx;
    private Stage stage;

    @BeforeAll
    static void startServer() throws Exception {
        served = TestModels.open(TestModels.transformerFolder());
        server = ApiServer.start(ServerConfig.defaults().withPort(0).withApiKey(KEY).withMaxTokens(64)
                .withServedModelNames(List.of(SERVED)), served);
        server.addObserver(requests::add);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) server.stop();
        if (served != null) served.close();
    }

    @Start
    void start(Stage stage) {
        this.stage = stage;
        ctx = TestApp.show(stage, home.resolve("app-" + System.nanoTime()));
    }

    @AfterEach
    void close() throws Exception { WaitForAsyncUtils.asyncFx(ctx::close).get(); }

    /** Adds our server through the Library's dialog: preset, URL, key, Test connection, Add. */
    private LibraryEntry addOurServerThroughTheDialog(FxRobot robot) throws Exception {
        Fx.click(robot, stage, "#nav-library");
        Fx.click(robot, stage, "#add-endpoint");
        WaitForAsyncUtils.waitForFxEvents();
        AddEndpointPane pane = Fx.lookupAnywhere("#add-endpoint-pane", AddEndpointPane.class);
        robot.interact(() -> {
            pane.kindBox().setValue(EndpointKind.MAMBA_PLAYGROUND);
            pane.nameField().setText("loopback");
            pane.urlField().setText(server.address().toString());
            pane.keyField().setText(KEY);
        });
        robot.clickOn(pane.testButton());
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> !pane.modelList().getItems().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(pane.statusLabel().getText()).startsWith("Connected: 1 model").contains("1 known to the catalog");
        assertThat(pane.modelList().getSelectionModel().getSelectedItems()).containsExactly(SERVED);
        Button add = (Button) pane.getScene().getRoot().lookupAll(".button").stream()
                .filter(n -> n instanceof Button b && b.getText().equals("Add")).findFirst().orElseThrow();
        robot.clickOn(add);
        return remoteEntry(SERVED + " @ loopback");
    }

    private LibraryEntry remoteEntry(String name) throws Exception {
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(() -> ctx.library().entries().stream()
                .anyMatch(e -> e.name().equals(name))).get());
        return WaitForAsyncUtils.asyncFx(() -> ctx.library().entries().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow()).get();
    }

    private static void say(FxRobot robot, ChatView view, String text) throws Exception {
        robot.interact(() -> {
            view.inputArea().setText(text);
            view.send();
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !view.runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
    }

    private MetricsStore store() { return ctx.shared(MetricsStore.class, MetricsStore::new); }

    @Test
    void anEndpointAddedInTheLibraryIsChattedWithAndSweptWithItsFiguresMarkedRemote(FxRobot robot) throws Exception {
        LibraryEntry entry = addOurServerThroughTheDialog(robot);
        // the key is in a file of its own, readable by the owner only, and nowhere in the endpoint list
        Path config = home.resolve(ctx.settings().userFolders().getParent().toString());
        String endpoints = Files.readString(config.resolve("endpoints.json"));
        assertThat(endpoints).contains(server.address().toString()).doesNotContain(KEY);
        try (var keys = Files.list(config.resolve("keys"))) {
            Path keyFile = keys.findFirst().orElseThrow();
            assertThat(Files.readString(keyFile)).isEqualTo(KEY);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        }
        assertThat(entry.spec()).as("the id maps to the catalog's Nemo").isNotNull();

        // make it the active model from its Library entry
        TableView<?> table = Fx.lookup(stage, "#library-table", TableView.class);
        robot.interact(() -> ((TableView<LibraryEntry>) table).getSelectionModel().select(entry));
        Fx.click(robot, stage, "#use-remote");
        WaitForAsyncUtils.waitForFxEvents();
        ModelBackend active = ctx.models().getActiveBackend();
        assertThat(active.measuredAt()).isEqualTo(MeasuredAt.CLIENT);
        assertThat(ctx.models().getActiveModel()).as("no local model is loaded for it").isNull();

        ChatView view = TestApp.openChat(robot, stage);
        robot.interact(() -> view.maxTokensSpinner().getValueFactory().setValue(8));
        int before = requests.size();
        say(robot, view, "Hello there");
        say(robot, view, "And again");
        assertThat(requests.size() - before).as("one request per message at our server").isEqualTo(2);
        List<MessageView> shown = view.messages();
        assertThat(shown).hasSize(4);
        assertThat(shown.get(1).text()).isNotBlank();
        assertThat(shown.get(3).statsLabel().getText()).contains("measured at the client, network included").contains("first token");
        assertThat(view.sessionMessages()).extracting(ChatMessage::content).startsWith("Hello there").contains("And again");
        List<MetricPoint> chats = store().points().stream().filter(p -> p.source().equals("chat")).toList();
        assertThat(chats).hasSize(2).allMatch(MetricPoint::remote).allMatch(p -> p.stateBytes() == -1);
        // the second request carried the whole conversation: the server read more prompt tokens for it
        assertThat(chats.get(1).promptTokens()).isGreaterThan(chats.get(0).promptTokens());

        // the sweep runs on the active remote model
        Fx.click(robot, stage, "#nav-charts");
        ChartsView charts = Fx.lookup(stage, "#charts-view", ChartsView.class);
        robot.interact(() -> {
            charts.sweepMaxBox().setValue(64);
            charts.startSweep();
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> charts.sweep() != null && charts.sweep().isDone());
        WaitForAsyncUtils.waitForFxEvents();
        List<MetricPoint> sweep = store().points().stream().filter(p -> p.source().equals("sweep")).toList();
        assertThat(sweep).hasSize(charts.sweep().lengths().length).allMatch(MetricPoint::remote);
        assertThat(sweep).allSatisfy(p -> {
            assertThat(p.promptTokens()).as("prompt tokens the server reported").isPositive();
            assertThat(p.millisPerToken()).isPositive();
        });
        assertThat(charts.memoryPanel().series()).extracting(PlotSeries::name)
                .contains(SERVED + " (analytic, remote: not measured)")
                .noneMatch(n -> n.startsWith(SERVED) && n.contains("measured at the client"));
        assertThat(charts.decodePanel().series()).extracting(PlotSeries::name)
                .contains(SERVED + " (remote, measured at the client, network included)");
        Path csv = home.resolve("remote-" + System.nanoTime() + ".csv");
        charts.exportCsv(csv);
        String written = Files.readString(csv);
        assertThat(written.lines().skip(1)).allMatch(l -> l.endsWith(",client"));
        assertThat(written).doesNotContain(KEY);
    }

    @Test
    void comparesALocalModelOnTheLeftWithTheRemoteOneOnTheRight(FxRobot robot) throws Exception {
        LibraryEntry remote = addOurServerThroughTheDialog(robot);
        Path mamba = TestModels.mambaFolder();
        WaitForAsyncUtils.asyncFx(() -> ctx.library().addFolder(mamba)).get().get();
        Fx.click(robot, stage, "#nav-compare");
        CompareView view = Fx.lookup(stage, "#compare-view", CompareView.class);
        LibraryEntry local = view.leftModelBox().getItems().stream().filter(e -> !e.remote()
                && e.folder().toAbsolutePath().normalize().equals(mamba.toAbsolutePath().normalize())).findFirst().orElseThrow();
        robot.interact(() -> {
            view.leftModelBox().setValue(local);
            view.rightModelBox().setValue(view.rightModelBox().getItems().stream().filter(e -> e.name().equals(remote.name())).findFirst().orElseThrow());
            view.maxTokensSpinner().getValueFactory().setValue(8);
            view.promptArea().setText("def add(a, b):");
        });
        robot.interact(view::runBoth);
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> !view.runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();

        for (int side = 0; side < 2; side++) assertThat(view.answer(side).text()).as("answer %d", side).isNotBlank();
        assertThat(view.figure("Measured", 0)).isEqualTo("in the engine");
        assertThat(view.figure("Measured", 1)).startsWith("at the client");
        assertThat(view.figure("State memory at the end", 1)).startsWith("not measured (remote)");
        assertThat(view.figure("State memory at the end", 0)).doesNotContain("not measured");
        assertThat(store().points()).extracting(p -> p.source() + "/" + p.measuredAt())
                .containsExactly("compare/ENGINE", "compare/CLIENT");
        assertThat(view.statusLabel().getText()).startsWith("Both models answered");
    }

    /** A scripted endpoint's model made the active one. */
    private ChatView chatWithScripted(FxRobot robot, ScriptedSseServer scripted) throws Exception {
        robot.interact(() -> RemoteModels.of(ctx).add(new Endpoint("scripted", scripted.baseUrl(), EndpointKind.VLLM,
                List.of("scripted-model"), null), ""));
        WaitForAsyncUtils.asyncFx(() -> ctx.library().refresh()).get().get();
        LibraryEntry entry = remoteEntry("scripted-model @ scripted");
        robot.interact(() -> ctx.models().setActiveRemote(RemoteModels.of(ctx).backend(entry).orElseThrow()));
        ChatView view = TestApp.openChat(robot, stage);
        robot.interact(() -> view.instructCheckBox().setSelected(true));
        return view;
    }

    @Test
    void aStreamCutMidAnswerSaysSoAndLosesNothingOfTheConversation(FxRobot robot) throws Exception {
        try (ScriptedSseServer scripted = new ScriptedSseServer("scripted-model", ScriptedSseServer.Script.WHOLE,
                ScriptedSseServer.Script.CUT_AFTER_TWO_PIECES, ScriptedSseServer.Script.WHOLE)) {
            ChatView view = chatWithScripted(robot, scripted);
            say(robot, view, "one");
            say(robot, view, "two");
            List<MessageView> shown = view.messages();
            assertThat(shown).hasSize(4);
            assertThat(shown.get(1).text()).isEqualTo("Hello from the endpoint.");
            MessageView cut = shown.get(3);
            assertThat(cut.text()).as("what arrived stays shown").isEqualTo("Half an answer");
            assertThat(cut.errorLabel().getText()).startsWith("Generation failed: ").containsIgnoringCase("scripted");
            // the backend's conversation is as it was before the failed call
            assertThat(view.sessionMessages()).containsExactly(ChatMessage.user("one"), ChatMessage.assistant("Hello from the endpoint."));

            say(robot, view, "three");
            assertThat(view.messages().getLast().text()).isEqualTo("Hello from the endpoint.");
            String third = scripted.bodies.stream().skip(2).findFirst().orElseThrow();
            // nothing said was lost: the next request carries every message shown, the cut answer's text included
            assertThat(third).contains("\"one\"", "Hello from the endpoint.", "\"two\"", "Half an answer", "\"three\"");
        }
    }

    @Test
    void stopClosesTheStream(FxRobot robot) throws Exception {
        try (ScriptedSseServer scripted = new ScriptedSseServer("scripted-model", ScriptedSseServer.Script.SLOW_UNTIL_CLOSED)) {
            ChatView view = chatWithScripted(robot, scripted);
            robot.interact(() -> view.maxTokensSpinner().getValueFactory().setValue(4096));
            robot.interact(() -> {
                view.inputArea().setText("go on");
                view.send();
            });
            WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> view.answerLengthProperty().get() > 0);
            long stopped = System.nanoTime();
            robot.interact(view::stop);
            assertThat(scripted.slowStreamClosed.await(5, TimeUnit.SECONDS)).as("the server saw the connection closed").isTrue();
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !view.runningProperty().get());
            WaitForAsyncUtils.waitForFxEvents();
            assertThat((System.nanoTime() - stopped) / 1e9).isLessThan(5);
            MessageView answer = view.messages().getLast();
            assertThat(answer.text()).startsWith(" word0");
            assertThat(answer.statsLabel().getText()).endsWith("stopped");
            assertThat(answer.errorLabel().getText()).isEmpty();
        }
    }
}
