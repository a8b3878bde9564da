package org.mambaplayground.gui.models;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.WorkerStateEvent;
import javafx.event.EventHandler;
import org.mambaplayground.backend.ModelBackend;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.gui.run.Hold;

/**
 * Opens model folders off the FX thread and keeps the active model. A folder already open with the same
 * {@link LoadChoice} is shared (same handle, one more reference) rather than mapped twice; at another precision
 * it is a different model, opened beside it; switching the active model releases
 * the previous one, whose weights close once no other holder (e.g. the comparison view) keeps it.
 * Properties change on the FX thread only.
 */
public final class ModelManager implements AutoCloseable {
    private final ModelOpener opener;
    private final Executor executor;
    private final Map<Key, ModelHandle> open = new HashMap<>();
    private final ObservableList<ModelHandle> openModels = FXCollections.observableArrayList();
    // One read-only view, kept: a fresh one per call holds its backing list only weakly, so a listener added to
    // it went silent once the garbage collector took the view (the sidebar's count then stood still).
    private final ObservableList<ModelHandle> openModelsView = FXCollections.unmodifiableObservableList(openModels);
    private final ReadOnlyObjectWrapper<ModelHandle> activeModel = new ReadOnlyObjectWrapper<>(this, "activeModel");
    private final ReadOnlyObjectWrapper<LoadTask> activation = new ReadOnlyObjectWrapper<>(this, "activation");
    private final ReadOnlyObjectWrapper<ModelBackend> activeBackend = new ReadOnlyObjectWrapper<>(this, "activeBackend");

    public ModelManager(ModelOpener opener, Executor executor) {
        this.opener = opener;
        this.executor = executor;
        activeModel.addListener((obs, old, handle) -> activeBackend.set(handle == null ? null : handle.backend()));
    }

    /**
     * The model the chat and the charts use, as a backend: the active local model's, or a remote model made active;
     * null when none is.
     */
    public ReadOnlyObjectProperty<ModelBackend> activeBackendProperty() { return activeBackend.getReadOnlyProperty(); }

    public ModelBackend getActiveBackend() { return activeBackend.get(); }

    /** Makes a remote model the active one, releasing the active local model. FX thread. */
    public void setActiveRemote(ModelBackend remote) {
        setActive(null);
        activeBackend.set(remote);
    }

    /**
     * Keeps {@code backend}'s model open until the hold is closed, when it is one of the models open here (a
     * remote backend needs nothing kept). Call on the FX thread while the model is known to be open.
     */
    public Hold hold(ModelBackend backend) {
        ModelHandle handle;
        synchronized (open) {
            handle = open.values().stream().filter(h -> h.backend() == backend && !h.isClosed()).findFirst().orElse(null);
        }
        if (handle == null) return Hold.NOTHING;
        handle.acquire();
        return handle::release;
    }

    /** The model the chat, charts and server use; null until one is loaded. */
    public ReadOnlyObjectProperty<ModelHandle> activeModelProperty() { return activeModel.getReadOnlyProperty(); }

    public ModelHandle getActiveModel() { return activeModel.get(); }

    /** The activation in progress (for a progress bar and a cancel button), or null. */
    public ReadOnlyObjectProperty<LoadTask> activationProperty() { return activation.getReadOnlyProperty(); }

    /** Models whose weights are mapped now, for display; read on the FX thread. */
    public ObservableList<ModelHandle> openModels() { return openModelsView; }

    /** {@link #load(Path, LoadChoice)} with the checkpoint as it is. */
    public LoadTask load(Path folder) { return load(folder, LoadChoice.DEFAULT); }

    /**
     * Starts loading {@code folder} with {@code choice} on the executor. On success the caller owns one reference
     * and must {@link ModelHandle#release()} it. Cancelling the task releases whatever was opened (and stops a
     * conversion, whose half-written file the engine deletes).
     */
    public LoadTask load(Path folder, LoadChoice choice) {
        Key key = new Key(folder.toAbsolutePath().normalize(), choice == null ? LoadChoice.DEFAULT : choice);
        LoadTask task = new LoadTask(key.folder(), key.choice(), t -> openShared(key, t));
        executor.execute(task);
        return task;
    }

    /** {@link #activate(Path, LoadChoice)} with the checkpoint as it is. */
    public LoadTask activate(Path folder) { return activate(folder, LoadChoice.DEFAULT); }

    /**
     * Loads {@code folder} with {@code choice} and makes it the active model, releasing the previous one. A second
     * activation cancels the one still in progress. Call on the FX thread.
     */
    public LoadTask activate(Path folder, LoadChoice choice) {
        LoadTask previous = activation.get();
        if (previous != null && previous.isRunning()) previous.cancel();
        LoadTask task = load(folder, choice);
        activation.set(task);
        task.addEventHandler(WorkerStateEvent.WORKER_STATE_SUCCEEDED, e -> setActive(task.getValue()));
        // Ended by the worker's state, not FutureTask.isDone(): JavaFX may deliver SUCCEEDED before the
        // background thread has returned from call(), when isDone() is still false and no later event comes.
        EventHandler<WorkerStateEvent> ended = e -> {
            if (activation.get() == task) activation.set(null);
        };
        task.addEventHandler(WorkerStateEvent.WORKER_STATE_SUCCEEDED, ended);
        task.addEventHandler(WorkerStateEvent.WORKER_STATE_FAILED, ended);
        task.addEventHandler(WorkerStateEvent.WORKER_STATE_CANCELLED, ended);
        return task;
    }

    /** Makes {@code handle} active, taking over the caller's reference; releases the previous one. FX thread. */
    public void setActive(ModelHandle handle) {
        ModelHandle previous = activeModel.get();
        if (previous == handle) {
            if (handle != null) handle.release(); // the slot already holds a reference
            else activeBackend.set(null); // a remote model was active
            return;
        }
        activeModel.set(handle);
        if (previous != null) previous.release();
    }

    /** Releases the active model; its memory is freed unless another view holds it. FX thread. */
    public void unloadActive() { setActive(null); }

    private ModelHandle openShared(Key key, LoadTask task) {
        Path folder = key.folder();
        synchronized (open) {
            ModelHandle existing = open.get(key);
            ModelHandle shared = existing == null ? null : existing.tryAcquire(); // null if released meanwhile
            if (shared != null) {
                task.progress("Already loaded", 1);
                return shared;
            }
        }
        LoadedModel loaded;
        try {
            loaded = opener.open(folder, key.choice(), task::progress, task.token());
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        if (task.token().isCancelled()) {
            loaded.close();
            throw new CancellationException("Loading " + folder + " was cancelled");
        }
        synchronized (open) {
            ModelHandle raced = open.get(key);
            ModelHandle won = raced == null ? null : raced.tryAcquire(); // another load of the same folder won
            if (won != null) {
                loaded.close();
                return won;
            }
            ModelHandle handle = new ModelHandle(loaded, key.choice(), closed -> forget(key, closed), executor);
            open.put(key, handle);
            Platform.runLater(() -> openModels.add(handle));
            return handle;
        }
    }

    /**
     * Drops a closed handle from the map and the displayed list. By identity: a new load of the same folder may
     * already have put its own handle under the key, which must stay (and the closed one must still leave the list).
     */
    private void forget(Key key, ModelHandle closed) {
        synchronized (open) {
            open.remove(key, closed);
        }
        Platform.runLater(() -> openModels.remove(closed));
    }

    /** Number of models mapped now (any thread). */
    public int openCount() {
        synchronized (open) { return open.size(); }
    }

    /** One open model: a folder at a precision. */
    private record Key(Path folder, LoadChoice choice) {}

    /** Releases the active model at shutdown. Models other views still hold are theirs to release. */
    @Override
    public void close() {
        ModelHandle active = activeModel.get();
        activeModel.set(null);
        activeBackend.set(null);
        if (active != null && !active.isClosed()) active.release();
    }
}
