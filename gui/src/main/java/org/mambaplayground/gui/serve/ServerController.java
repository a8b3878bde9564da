package org.mambaplayground.gui.serve;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.Executor;
import javafx.application.Platform;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.mambaplayground.backend.ModelBackend;
import org.mambaplayground.gui.models.ModelHandle;
import org.mambaplayground.gui.metrics.GenerationGate;
import org.mambaplayground.server.ApiServer;
import org.mambaplayground.server.BackendServer;
import org.mambaplayground.server.GenerationGuard;
import org.mambaplayground.server.ServedRequest;
import org.mambaplayground.server.ServerConfig;

/**
 * Runs the OpenAI-compatible server for one model at a time: a local model through the {@link ApiServer}, a remote
 * one through the {@link BackendServer} relay (which answers through its backend and never shows its endpoint or key).
 * The served local model is held (a reference on its handle) while the server runs, so switching the active model
 * elsewhere cannot close it under a request.
 * Binding and stopping happen on the executor; properties change on the FX thread.
 */
public final class ServerController implements AutoCloseable {
    public enum Status { STOPPED, STARTING, RUNNING, STOPPING, FAILED }

    private final Executor executor;
    private final GenerationGuard guard;
    private final ReadOnlyObjectWrapper<Status> status = new ReadOnlyObjectWrapper<>(Status.STOPPED);
    private final ReadOnlyObjectWrapper<URI> address = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<ModelHandle> served = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper servedName = new ReadOnlyStringWrapper();
    private final ObjectProperty<String> error = new SimpleObjectProperty<>("");
    private final ObservableList<ServedRequest> requests = FXCollections.observableArrayList();
    private Running server;

    /** A started server of either kind. */
    private record Running(URI address, Runnable stop) {}

    public ServerController(Executor executor) { this(executor, new GenerationGate()); }

    /** @param gate shared with chat, compare and sweep: a served request waits for them, and they for it */
    public ServerController(Executor executor, GenerationGate gate) {
        this.executor = executor;
        this.guard = cancel -> {
            GenerationGate.Pass pass = gate.enter(cancel, () -> {});
            return pass == null ? null : pass::close;
        };
    }

    public ReadOnlyObjectProperty<Status> statusProperty() { return status.getReadOnlyProperty(); }

    /** Where clients reach the server while it runs, else null. */
    public ReadOnlyObjectProperty<URI> addressProperty() { return address.getReadOnlyProperty(); }

    /** The served local model; null while none is, or while a remote model is served. */
    public ReadOnlyObjectProperty<ModelHandle> servedProperty() { return served.getReadOnlyProperty(); }

    /** The name clients use for the served model (local or remote); null while stopped. */
    public ReadOnlyStringProperty servedNameProperty() { return servedName.getReadOnlyProperty(); }

    public ObjectProperty<String> errorProperty() { return error; }

    /** Requests served since start, newest last. */
    public ObservableList<ServedRequest> requests() { return requests; }

    /** Starts serving {@code model} (FX thread); a running server is stopped first. */
    public void start(ModelHandle model, ServerConfig config) {
        if (status.get() == Status.STARTING || status.get() == Status.STOPPING) return;
        ModelHandle held = model.acquire();
        launch(held, config, () -> {
            ApiServer started = ApiServer.start(config.withModelPath(held.folder()), held.loaded(), guard);
            started.addObserver(r -> Platform.runLater(() -> requests.add(r)));
            return new Named(started.modelName(), new Running(started.address(), started::stop));
        });
    }

    /** Starts serving the remote model {@code backend} through the relay (FX thread); a running server is stopped first. */
    public void start(ModelBackend backend, ServerConfig config) {
        if (status.get() == Status.STARTING || status.get() == Status.STOPPING) return;
        launch(null, config, () -> {
            BackendServer started = BackendServer.start(config, backend, guard);
            started.addObserver(r -> Platform.runLater(() -> requests.add(r)));
            return new Named(started.modelName(), new Running(started.address(), started::stop));
        });
    }

    private record Named(String name, Running running) {}

    private interface Starter { Named start() throws IOException; }

    /** Stops the previous server, then starts one on the executor; {@code held} (local model or null) is let go on failure. */
    private void launch(ModelHandle held, ServerConfig config, Starter starter) {
        Running previous = server;
        ModelHandle previousModel = served.get();
        server = null;
        status.set(Status.STARTING);
        error.set("");
        executor.execute(() -> {
            if (previous != null) previous.stop().run();
            Platform.runLater(() -> { if (previousModel != null) previousModel.release(); });
            try {
                Named started = starter.start();
                Platform.runLater(() -> {
                    server = started.running();
                    served.set(held);
                    servedName.set(started.name());
                    address.set(started.running().address());
                    requests.clear();
                    status.set(Status.RUNNING);
                });
            } catch (IOException | RuntimeException e) {
                Platform.runLater(() -> {
                    if (held != null) held.release();
                    served.set(null);
                    servedName.set(null);
                    address.set(null);
                    error.set(describe(e, config));
                    status.set(Status.FAILED);
                });
            }
        });
    }

    /** Stops the server and lets go of its model (FX thread). */
    public void stop() {
        Running running = server;
        if (running == null) return;
        server = null;
        ModelHandle model = served.get();
        status.set(Status.STOPPING);
        executor.execute(() -> {
            running.stop().run();
            Platform.runLater(() -> {
                served.set(null);
                servedName.set(null);
                address.set(null);
                if (model != null) model.release();
                status.set(Status.STOPPED);
            });
        });
    }

    private static String describe(Exception e, ServerConfig config) {
        if (e instanceof java.net.BindException) {
            return "Port " + config.port() + " on " + config.host() + " is in use: choose another port or stop the program using it.";
        }
        return "Could not start the server on " + config.host() + ":" + config.port() + ": " + e.getMessage();
    }

    /** At shutdown: stop at once on the calling thread. */
    @Override
    public void close() {
        Running running = server;
        server = null;
        if (running != null) running.stop().run();
    }
}
