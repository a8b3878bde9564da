package org.mambaplayground.gui;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import org.mambaplayground.gui.download.HubClients;
import org.mambaplayground.gui.library.ModelLibrary;
import org.mambaplayground.gui.models.ModelManager;
import org.mambaplayground.gui.models.EngineBinding;

/**
 * What every view gets: the model manager, the model library, a background executor, navigation, and a
 * registry of shared services other views create on demand (e.g. the metrics store).
 */
public final class AppContext implements AutoCloseable {
    private final Settings settings;
    private final HubClients hubClients;
    private final ExecutorService background;
    private final ModelManager models;
    private final ModelLibrary library;
    private final BooleanProperty darkTheme = new SimpleBooleanProperty(this, "darkTheme");
    private final ObjectProperty<Page> page = new SimpleObjectProperty<>(this, "page", Page.LIBRARY);
    private final Map<Class<?>, Object> shared = new ConcurrentHashMap<>();
    private Consumer<String> linkOpener = url -> {};

    public AppContext(Settings settings, EngineBinding engine) {
        this(settings, engine, HubClients.ENVIRONMENT);
    }

    /** @param hubClients how the download wizard reaches the hub (tests point it at a loopback hub) */
    public AppContext(Settings settings, EngineBinding engine, HubClients hubClients) {
        this.settings = settings;
        this.hubClients = hubClients;
        this.background = Executors.newCachedThreadPool(daemonThreads());
        this.models = new ModelManager(engine.opener(), background);
        this.library = new ModelLibrary(settings, background, engine.specs());
        library.setRemoteEntries(() -> org.mambaplayground.gui.remote.RemoteModels.of(this).entries());
    }

    public Settings settings() { return settings; }

    /** Model loading, the active model and its switching. */
    public ModelManager models() { return models; }

    /** Catalog models, built-in demo models and user folders, with install state. */
    public ModelLibrary library() { return library; }

    /** Hub clients for downloads: HF_ENDPOINT, HF_HOME and HF_TOKEN from the environment, plus a typed token. */
    public HubClients hubClients() { return hubClients; }

    /** Daemon threads for long work (loading, generating, downloading); publish back with Platform.runLater. */
    public ExecutorService background() { return background; }

    /** The page shown in the main window; set it to navigate. */
    public ObjectProperty<Page> pageProperty() { return page; }

    public void navigate(Page target) { page.set(target); }

    /** The dark theme is on (the sidebar's switch); views with their own colors can follow it. */
    public BooleanProperty darkThemeProperty() { return darkTheme; }

    /**
     * One shared instance per type for this application, created on first use, e.g.
     * {@code ctx.shared(MetricsStore.class, MetricsStore::new)}. Safe from any thread.
     */
    public <T> T shared(Class<T> type, Supplier<? extends T> create) {
        return type.cast(shared.computeIfAbsent(type, k -> create.get()));
    }

    /** Opens a web page in the user's browser (model pages, token settings). */
    public void openLink(String url) { linkOpener.accept(url); }

    void setLinkOpener(Consumer<String> opener) { this.linkOpener = opener; }

    /** Where downloaded models live. */
    public Path modelStore() { return settings.modelStore(); }

    @Override
    public void close() {
        models.close();
        for (Object service : shared.values()) {
            if (service instanceof AutoCloseable c) {
                try { c.close(); } catch (Exception ignored) { /* shutting down */ }
            }
        }
        background.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "mamba-background-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
