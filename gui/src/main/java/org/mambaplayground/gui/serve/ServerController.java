package org.mambaplayground.gui.serve;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.Executor;
import javafx.application.Platform;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.mambaplayground.gui.models.ModelHandle;
import org.mambaplayground.gui.metrics.GenerationGate;
import org.mambaplayground.server.ApiServer;
import org.mambaplayground.server.GenerationGuard;
import org.mambaplayground.server.ServedRequest;
import org.mambaplayground.server.ServerConfig;

/**
 * Runs the OpenAI-compatible server for one model at a time. The served model is held (a reference on its
 * handle) while the server runs, so switching the active model elsewhere cannot close it under a request.
 * Binding and stopping happen on the executor; properties change on the FX thread.
 */
public final class ServerController implements AutoCloseable {
    public enum Status { STOPPED, STARTING, RUNNING, STOPPING, FAILED }

    private final Executor executor;
    private final GenerationGuard guard;
    private final ReadOnlyObjectWrapper<Status> status = new ReadOnlyObjectWrapper<>(Status.STOPPED);
    private final ReadOnlyObjectWrapper<URI> address = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<ModelHandle> served = new ReadOnlyObjectWrapper<>();
    private final ObjectProperty<String> error = new SimpleObjectProperty<>("");
    private final ObservableList<ServedRequest> requests = FXCollections.observableArrayList();
    private ApiServer server;

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

    public ReadOnlyObjectProperty<ModelHandle> servedProperty() { return served.getReadOnlyProperty(); }

    public ObjectProperty<String> errorProperty() { return error; }

    /** Requests served since start, newest last. */
    public ObservableList<ServedRequest> requests() { return requests; }

    /** Starts serving {@code model} (FX thread); a running server is stopped first. */
    public void start(ModelHandle model, ServerConfig config) {
        if (status.get() == Status.STARTING || status.get() == Status.STOPPING) return;
        ModelHandle held = model.acquire();
        ApiServer previous = server;
        ModelHandle previousModel = served.get();
        server = null;
        status.set(Status.STARTING);
        error.set("");
        executor.execute(() -> {
            if (previous != null) previous.stop();
            Platform.runLater(() -> { if (previousModel != null) previousModel.release(); });
            try {
                ApiServer started = ApiServer.start(config.withModelPath(held.folder()), held.loaded(), guard);
                started.addObserver(r -> Platform.runLater(() -> requests.add(r)));
                Platform.runLater(() -> {
                    server = started;
                    served.set(held);
                    address.set(started.address());
                    requests.clear();
                    status.set(Status.RUNNING);
                });
            } catch (IOException | RuntimeException e) {
                Platform.runLater(() -> {
                    held.release();
                    served.set(null);
                    address.set(null);
                    error.set(describe(e, config));
                    status.set(Status.FAILED);
                });
            }
        });
    }

    /** Stops the server and lets go of its model (FX thread). */
    public void stop() {
        ApiServer running = server;
        if (running == null) return;
        server = null;
        ModelHandle model = served.get();
        status.set(Status.STOPPING);
        executor.execute(() -> {
            running.stop();
            Platform.runLater(() -> {
                served.set(null);
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
        ApiServer running = server;
        server = null;
        if (running != null) running.stop();
    }
}
