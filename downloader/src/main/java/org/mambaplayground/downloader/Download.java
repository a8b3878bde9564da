package org.mambaplayground.downloader;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;

/**
 * A running download. Pause keeps the connections closed and the part files on disk until resume;
 * cancel stops for good (the part files stay, so a later start resumes them). Thread-safe.
 */
public final class Download {

    private final DownloadRun run;
    private final DownloadPlan plan;

    Download(DownloadRun run, DownloadPlan plan) {
        this.run = run;
        this.plan = plan;
    }

    public DownloadPlan plan() {
        return plan;
    }

    public void pause() {
        run.pause();
    }

    public void resume() {
        run.resume();
    }

    public void cancel() {
        run.cancel();
    }

    public boolean isPaused() {
        return run.progress().paused();
    }

    public boolean isDone() {
        return run.result().isDone();
    }

    /** The latest overall progress, for polling UIs. */
    public Progress progress() {
        return run.progress();
    }

    /** The latest state of every file, in plan order. */
    public List<FileProgress> files() {
        return run.files();
    }

    /**
     * Waits for the end.
     *
     * @throws HubException          the first file error (others, if any, are suppressed exceptions)
     * @throws CancellationException when cancelled
     */
    public DownloadResult await() throws HubException, InterruptedException {
        try {
            return run.result().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof HubException he) throw he;
            if (e.getCause() instanceof CancellationException ce) throw ce;
            throw new IllegalStateException(e.getCause());
        }
    }
}
