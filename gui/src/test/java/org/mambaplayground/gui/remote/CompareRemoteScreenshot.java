package org.mambaplayground.gui.remote;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.animation.KeyFrame;
import javafx.animation.PauseTransition;
import javafx.animation.Timeline;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.stage.Stage;
import javafx.util.Duration;
import javax.imageio.ImageIO;
import org.mambaplayground.assets.DemoModels;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.gui.App;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.Page;
import org.mambaplayground.gui.Settings;
import org.mambaplayground.gui.compare.CompareView;
import org.mambaplayground.gui.library.LibraryEntry;
import org.mambaplayground.gui.models.EngineBinding;
import org.mambaplayground.remote.Endpoint;
import org.mambaplayground.remote.EndpointKind;
import org.mambaplayground.server.ApiServer;
import org.mambaplayground.server.ServerConfig;

/**
 * docs/screenshots/compare-remote.png: the real app on a real display (Xvfb), Compare with the built-in Codestral
 * Mamba demo model loaded locally on the left and the Nemo demo model served by our own OpenAI-compatible server on
 * a loopback port, added as a remote endpoint, on the right. Run by tools/screenshot-compare-remote.sh.
 */
public final class CompareRemoteScreenshot {
    private CompareRemoteScreenshot() {}

    /** A plain main: a class that extends Application cannot be started from the class path. */
    public static void main(String[] args) { Application.launch(Shot.class, args); }

    public static final class Shot extends Application {
        private ApiServer server;
        private LoadedModel served;
        private AppContext ctx;

        @Override
        public void start(Stage stage) throws Exception {
            Path out = Path.of(getParameters().getRaw().getFirst());
            Path home = Files.createTempDirectory("compare-remote-shot");
            DemoModels.DemoModel nemo = DemoModels.locate(home.resolve("demo")).stream()
                    .filter(d -> d.name().equals("mistral-nemo-demo")).findFirst().orElseThrow();
            served = ModelLoader.load(nemo.folder(), ModelLoader.Options.DEFAULT);
            server = ApiServer.start(ServerConfig.defaults().withPort(0), served);
            ctx = new AppContext(Settings.under(home), EngineBinding.engine());
            RemoteModels.of(ctx).add(new Endpoint("serve on loopback", server.address().toString(), EndpointKind.MAMBA_PLAYGROUND,
                    List.of(server.modelName()), null), "");
            stage.setTitle("Mamba Playground");
            stage.setScene(App.createScene(ctx, false));
            stage.show();
            var scan = ctx.library().refresh();
            scan.setOnSucceeded(e -> Platform.runLater(() -> compare(stage, out))); // after the library took the scan's entries
        }

        private void compare(Stage stage, Path out) {
            ctx.navigate(Page.COMPARE);
            CompareView view = (CompareView) stage.getScene().lookup("#compare-view");
            List<LibraryEntry> items = view.leftModelBox().getItems();
            view.leftModelBox().setValue(items.stream().filter(e -> e.name().equals("codestral-mamba-demo")).findFirst().orElseThrow());
            view.rightModelBox().setValue(items.stream().filter(LibraryEntry::remote).findFirst().orElseThrow());
            view.lookupAll(".check-box").forEach(n -> ((javafx.scene.control.CheckBox) n).setSelected(false)); // demo models complete code
            view.maxTokensSpinner().getValueFactory().setValue(40);
            view.promptArea().setText("def fibonacci(n):");
            view.runBoth();
            Timeline poll = new Timeline();
            poll.getKeyFrames().add(new KeyFrame(Duration.millis(300), e -> {
                if (view.runningProperty().get()) return;
                poll.stop();
                PauseTransition settle = new PauseTransition(Duration.seconds(1.5));
                settle.setOnFinished(s -> save(stage, out));
                settle.play();
            }));
            poll.setCycleCount(Timeline.INDEFINITE);
            poll.play();
        }

        private void save(Stage stage, Path out) {
            try {
                Files.createDirectories(out.toAbsolutePath().getParent());
                ImageIO.write(SwingFXUtils.fromFXImage(stage.getScene().snapshot(null), null), "png", out.toFile());
                System.out.println("Saved " + out.toAbsolutePath());
            } catch (Exception e) {
                System.err.println("Cannot save " + out + ": " + e.getMessage());
            }
            Platform.exit();
        }

        @Override
        public void stop() {
            if (ctx != null) ctx.close();
            if (server != null) server.stop();
            if (served != null) served.close();
        }
    }
}
