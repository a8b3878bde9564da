package org.mambaplayground.gui.models;

import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.mambaplayground.backend.LocalBackend;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.model.ModelSpec;

/**
 * A loaded model shared by reference count: whoever uses it (the active slot, the comparison view, a
 * running generation) holds a reference, and the mapped weights are closed when the last one is released.
 */
public final class ModelHandle {
    private final LoadedModel loaded;
    private final LoadChoice choice;
    private final Consumer<ModelHandle> onClosed;
    private final Executor closer;
    private final LocalBackend backend;
    private int references = 1;

    /** @param closer where the weights are unmapped: never the FX thread (a 15-25 GB unmapping would freeze the window) */
    ModelHandle(LoadedModel loaded, LoadChoice choice, Consumer<ModelHandle> onClosed, Executor closer) {
        this.loaded = loaded;
        this.choice = choice;
        this.onClosed = onClosed;
        this.closer = closer;
        this.backend = new LocalBackend(loaded, label());
    }

    /** The model as the views use it: a backend of the local engine (one per handle, so it identifies the handle). */
    public LocalBackend backend() { return backend; }

    public LoadedModel loaded() { return loaded; }

    public String name() { return loaded.name(); }

    public Path folder() { return loaded.folder(); }

    public ModelSpec spec() { return loaded.model().spec(); }

    /** The precision and KV cache format it was loaded with. */
    public LoadChoice choice() { return choice; }

    /** e.g. "codestral-mamba-demo · Q8_0". */
    public String label() { return name() + " \u00b7 " + choice.label(); }

    /** Takes one more reference; fails if the model was already closed. */
    public synchronized ModelHandle acquire() {
        if (references == 0) throw new IllegalStateException("Model " + name() + " was already released");
        references++;
        return this;
    }

    /**
     * Gives one reference back; the last one closes the weights, on the closer's thread (or this one, once the
     * closer has shut down at exit). Releasing a closed handle is an error.
     */
    public void release() {
        synchronized (this) {
            if (references == 0) throw new IllegalStateException("Model " + name() + " released more often than acquired");
            if (--references > 0) return;
        }
        try {
            closer.execute(loaded::close);
        } catch (RejectedExecutionException e) {
            loaded.close();
        } finally {
            onClosed.accept(this);
        }
    }

    /** Takes one more reference, or returns null if the model was closed meanwhile (then open it anew). */
    synchronized ModelHandle tryAcquire() {
        if (references == 0) return null;
        references++;
        return this;
    }

    public synchronized int references() { return references; }

    public synchronized boolean isClosed() { return references == 0; }

    @Override
    public String toString() { return name(); }
}
