package org.mambaplayground.gui.download;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javafx.stage.Stage;
import org.mambaplayground.downloader.HubClient;
import org.mambaplayground.downloader.testing.TestHub;
import org.mambaplayground.gui.App;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.Settings;
import org.mambaplayground.gui.models.EngineBinding;
import org.testfx.util.WaitForAsyncUtils;

/** The whole app pointed at a loopback test hub, as the download tests start and stop it. */
final class HubApp {
    private HubApp() {}

    /**
     * An app whose hub clients ask {@code endpoint} (read at each request, so a test can point it elsewhere), with no
     * token in the environment, its home under {@code tmp}/app and HF_HOME under {@code tmp}/hf.
     */
    static AppContext context(Supplier<String> endpoint, Path tmp) {
        HubClients clients = () -> HubClient.builder().environment(Map.of()).endpoint(endpoint.get())
                .hfHome(tmp.resolve("hf")).progressInterval(Duration.ofMillis(50));
        return new AppContext(Settings.under(tmp.resolve("app")), EngineBinding.engine(), clients);
    }

    /** {@link #context}, its library scanned, shown in {@code stage}. */
    static AppContext show(Stage stage, Supplier<String> endpoint, Path tmp) throws Exception {
        AppContext ctx = context(endpoint, tmp);
        ctx.library().refresh().get(30, TimeUnit.SECONDS);
        stage.setScene(App.createScene(ctx, false));
        stage.show();
        return ctx;
    }

    /** Hides any download wizard, closes the app, then the hub. */
    static void close(AppContext ctx, TestHub hub) throws Exception {
        WaitForAsyncUtils.asyncFx(() -> javafx.stage.Window.getWindows().stream()
                .filter(w -> w instanceof DownloadWizard).toList().forEach(javafx.stage.Window::hide)).get();
        WaitForAsyncUtils.asyncFx(ctx::close).get();
        hub.close();
    }
}
