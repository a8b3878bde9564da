package org.mambaplayground.gui.models;

import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.function.Function;
import javafx.concurrent.Task;
import org.mambaplayground.engine.generate.CancellationToken;

/**
 * Loads one model folder off the FX thread. On success the caller owns one reference to the returned
 * handle. A cancel at any point releases what was opened, even when the opener had just finished.
 */
public final class LoadTask extends Task<ModelHandle> {
    private final Path folder;
    private final LoadChoice choice;
    private final Function<LoadTask, ModelHandle> body;
    private final CancellationToken token = new CancellationToken();
    private final Object lock = new Object();
    private ModelHandle produced;
    private boolean cancelRequested;
    private boolean producedReleased;

    LoadTask(Path folder, LoadChoice choice, Function<LoadTask, ModelHandle> body) {
        this.folder = folder;
        this.choice = choice;
        this.body = body;
        updateTitle("Loading " + folder.getFileName() + " at " + choice.label());
    }

    public Path folder() { return folder; }

    public LoadChoice choice() { return choice; }

    CancellationToken token() { return token; }

    void progress(String message, double fraction) {
        updateMessage(message);
        if (fraction >= 0) updateProgress(fraction, 1.0); else updateProgress(-1, 1);
    }

    @Override
    protected ModelHandle call() {
        ModelHandle handle = body.apply(this);
        synchronized (lock) {
            produced = handle;
            if (cancelRequested) {
                releaseProduced();
                throw new CancellationException("Loading " + folder + " was cancelled");
            }
        }
        updateMessage("Loaded " + handle.name());
        updateProgress(1, 1);
        return handle;
    }

    @Override
    protected void cancelled() {
        token.cancel();
        synchronized (lock) {
            cancelRequested = true;
            if (produced != null) releaseProduced();
        }
    }

    private void releaseProduced() {
        if (!producedReleased) {
            producedReleased = true;
            produced.release();
        }
    }
}
