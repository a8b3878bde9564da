package org.mambaplayground.gui.download;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import javafx.application.Platform;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.mambaplayground.assets.CatalogModel;
import org.mambaplayground.downloader.Download;
import org.mambaplayground.downloader.DownloadListener;
import org.mambaplayground.downloader.DownloadPlan;
import org.mambaplayground.downloader.DownloadResult;
import org.mambaplayground.downloader.FilePatterns;
import org.mambaplayground.downloader.FileProgress;
import org.mambaplayground.downloader.HubClient;
import org.mambaplayground.downloader.HubException;
import org.mambaplayground.downloader.Progress;
import org.mambaplayground.downloader.RepoListing;

/**
 * One catalog model's download, between the downloader and the wizard: lists the repository, plans into the
 * model store, runs with pause/resume/cancel. Network work happens on the executor; every property changes
 * on the FX thread. Call the actions on the FX thread.
 */
public final class DownloadSession implements AutoCloseable {
    /** QUEUED: waiting for the downloads ahead of it ({@link Downloads}). */
    public enum State { IDLE, CHECKING, READY, QUEUED, DOWNLOADING, PAUSED, DONE, FAILED, CANCELLED }

    /** A failure in words: what happened, what to do, and the hub's classification (null if not the hub's). */
    public record Problem(String message, String hint, HubException.Kind kind) {}

    private final HubClients clients;
    private final Executor executor;
    private final CatalogModel model;
    private final Path target;
    private final Runnable onInstalled;
    private final ObjectProperty<State> state = new SimpleObjectProperty<>(State.IDLE);
    private final ObjectProperty<Problem> problem = new SimpleObjectProperty<>();
    private final ObservableList<FileRow> files = FXCollections.observableArrayList();
    private final LongProperty totalBytes = new SimpleLongProperty(-1);
    private final LongProperty bytesToFetch = new SimpleLongProperty(-1);
    private final LongProperty freeBytes = new SimpleLongProperty(-1);
    private final LongProperty bytesDone = new SimpleLongProperty();
    private final DoubleProperty fraction = new SimpleDoubleProperty();
    private final DoubleProperty bytesPerSecond = new SimpleDoubleProperty();
    private final ObjectProperty<Duration> eta = new SimpleObjectProperty<>();
    private volatile HubClient client;
    private volatile DownloadPlan plan;
    private volatile HubException accessDenied;
    /** The token of the last check as typed (null before any); a different one needs a new check. */
    private String checkedToken;
    /** Counts checks: a check stopped or overtaken by a newer one publishes nothing. FX thread. */
    private int checks;
    private boolean rememberToken;
    // The download, and what the user asked for before it existed: a Pause or Cancel pressed in the moment
    // between Download and the downloader's start is kept and applied when it starts. Guarded by this.
    private Download download;
    private boolean pauseWanted;
    private boolean cancelWanted;

    public DownloadSession(HubClients clients, Executor executor, CatalogModel model, Path target, Runnable onInstalled) {
        this.clients = clients;
        this.executor = executor;
        this.model = model;
        this.target = target;
        this.onInstalled = onInstalled;
    }

    public CatalogModel model() { return model; }

    public Path target() { return target; }

    public ObjectProperty<State> stateProperty() { return state; }

    public ObjectProperty<Problem> problemProperty() { return problem; }

    public ObservableList<FileRow> files() { return files; }

    public LongProperty totalBytesProperty() { return totalBytes; }

    public LongProperty bytesToFetchProperty() { return bytesToFetch; }

    public LongProperty freeBytesProperty() { return freeBytes; }

    public LongProperty bytesDoneProperty() { return bytesDone; }

    public DoubleProperty fractionProperty() { return fraction; }

    public DoubleProperty bytesPerSecondProperty() { return bytesPerSecond; }

    public ObjectProperty<Duration> etaProperty() { return eta; }

    /** Whether a token is configured (typed, HF_TOKEN or saved); known after {@link #check}. */
    public boolean hasToken() { return client != null && client.hasToken(); }

    /** Save a typed token that the hub accepted in huggingface_hub's token file ($HF_HOME/token, mode 0600). */
    public void setRememberToken(boolean remember) { rememberToken = remember; }

    /** Whether {@code token} (as typed) is not the one the last check used. */
    public boolean tokenChanged(String token) {
        return checkedToken == null || !checkedToken.equals(token == null ? "" : token.strip());
    }

    /** Lists the repository and plans the download with {@code token} (blank: the environment's). */
    public void check(String token) {
        check(token, false);
    }

    /**
     * The main button: downloads with {@code token}. When the token differs from the one checked, or the last
     * check failed (a refused token, no network), checks again first and starts if the hub now says yes.
     */
    public void download(String token) {
        if (isRunning() || state.get() == State.CHECKING) return;
        if (plan == null || tokenChanged(token)) check(token, true);
        else start();
    }

    private void check(String token, boolean thenStart) {
        if (isRunning()) return;
        closeClient();
        accessDenied = null;
        checkedToken = checkedTokenOf(token);
        int check = ++checks;
        boolean remember = rememberToken && !checkedToken.isEmpty();
        state.set(State.CHECKING);
        problem.set(null);
        HubClient c;
        try {
            c = clients.create(token);
        } catch (RuntimeException e) {
            fail(unexpected(e));
            return;
        }
        client = c;
        executor.execute(() -> {
            try {
                RepoListing listing = c.list(model.repo(), model.revision());
                DownloadPlan p = c.plan(listing, FilePatterns.include(model.fileNames().toArray(String[]::new)), target);
                HubException denied = null;
                if (!p.isComplete()) {
                    try {
                        c.checkAccess(model.repo()); // listing works even for gated repositories; files may not
                    } catch (HubException e) {
                        denied = e;
                    }
                }
                if (remember && denied == null) c.saveToken(checkedTokenOf(token));
                HubException refused = denied;
                Platform.runLater(() -> {
                    if (check != checks) return;
                    plan = p;
                    accessDenied = refused;
                    showPlan(p, refused, thenStart);
                });
            } catch (CancellationException stopped) {
                // Cancel pressed while asking the hub: cancel() has set the state already.
            } catch (HubException e) {
                Platform.runLater(() -> { if (check == checks) fail(e); });
            } catch (RuntimeException e) {
                Platform.runLater(() -> { if (check == checks) fail(unexpected(e)); });
            }
        });
    }

    private static String checkedTokenOf(String token) {
        return token == null ? "" : token.strip();
    }

    /** The hub refused access to the files (gated without an accepted token, bad token): a download would fail. */
    public boolean needsToken() {
        return accessDenied != null;
    }

    /** Starts the planned download; the plan must be ready. */
    public void start() {
        DownloadPlan p = plan;
        HubClient c = client;
        if (p == null || c == null || isRunning()) return;
        synchronized (this) {
            download = null;
            pauseWanted = false;
            cancelWanted = false;
        }
        state.set(State.DOWNLOADING);
        problem.set(null);
        executor.execute(() -> {
            try {
                Download d = c.start(p, new Events());
                synchronized (this) {
                    download = d;
                    if (cancelWanted) d.cancel();
                    else if (pauseWanted) d.pause();
                }
            } catch (HubException e) {
                Platform.runLater(() -> fail(e));
            } catch (RuntimeException e) {
                Platform.runLater(() -> fail(unexpected(e)));
            }
        });
    }

    public void pause() {
        if (state.get() != State.DOWNLOADING) return;
        state.set(State.PAUSED);
        synchronized (this) {
            pauseWanted = true;
            if (download != null) download.pause();
        }
    }

    public void resume() {
        if (state.get() != State.PAUSED) return;
        state.set(State.DOWNLOADING);
        synchronized (this) {
            pauseWanted = false;
            if (download != null) download.resume();
        }
    }

    /**
     * Stops for good; the bytes fetched so far stay on disk and a later download resumes them. While the hub is
     * being asked (the file list, the access check), stops asking.
     */
    public void cancel() {
        if (state.get() == State.QUEUED) {
            state.set(State.CANCELLED);
            return;
        }
        if (state.get() == State.CHECKING) {
            checks++;  // what the stopped check would publish is dropped
            HubClient c = client;
            if (c != null) c.abort();
            state.set(State.IDLE);
            return;
        }
        if (!isRunning()) return;
        synchronized (this) {
            cancelWanted = true;
            if (download != null) download.cancel();
        }
    }

    public boolean isRunning() {
        return state.get() == State.DOWNLOADING || state.get() == State.PAUSED;
    }

    /** Running, or waiting in line for its turn. */
    public boolean isActive() {
        return isRunning() || state.get() == State.QUEUED;
    }

    public boolean isQueued() {
        return state.get() == State.QUEUED;
    }

    /** Waits for its turn: {@link Downloads} calls {@link #download(String)} when the one ahead ends. */
    void queue() {
        if (!isRunning()) state.set(State.QUEUED);
    }

    /** Shows the plan; starts it when asked to and the hub lets us (READY is then never shown, it goes on at once). */
    private void showPlan(DownloadPlan p, HubException denied, boolean thenStart) {
        files.clear();
        for (DownloadPlan.PlannedFile f : p.files()) {
            files.add(new FileRow(f.file().path(), f.file().size(), f.bytesPresent(), statusOf(f)));
        }
        totalBytes.set(p.totalBytes());
        bytesToFetch.set(p.bytesToFetch());
        freeBytes.set(p.freeBytes());
        bytesDone.set(p.bytesPresent());
        fraction.set(p.totalBytes() <= 0 ? 1 : (double) p.bytesPresent() / p.totalBytes());
        if (p.isComplete()) {
            state.set(State.DONE);
            onInstalled.run();
        } else if (thenStart && denied == null && p.fitsOnDisk()) {
            start();
        } else {
            state.set(State.READY);
            if (denied != null) {
                problem.set(problemOf(denied));
            } else if (!p.fitsOnDisk()) {
                try {
                    p.checkDiskSpace();
                } catch (HubException e) {
                    problem.set(problemOf(e));
                }
            }
        }
    }

    private static String statusOf(DownloadPlan.PlannedFile f) {
        return switch (f.status()) {
            case COMPLETE -> "Already downloaded";
            case PARTIAL -> "Resumes from a partial download";
            case UNVERIFIED -> "Present, will be verified";
            default -> f.source() != null ? "Copied from the Hugging Face cache" : "To download";
        };
    }

    private void fail(HubException e) {
        problem.set(problemOf(e));
        state.set(State.FAILED);
    }

    private static Problem problemOf(HubException e) {
        return new Problem(e.getMessage(), e.hint(), e.kind());
    }

    private static HubException unexpected(RuntimeException e) {
        return new HubException(HubException.Kind.LOCAL_IO, String.valueOf(e.getMessage()),
                "This looks like a bug in Mamba Playground; the files fetched so far are kept.", null, e);
    }

    private void closeClient() {
        HubClient c = client;
        client = null;
        plan = null;
        synchronized (this) {
            download = null;
        }
        if (c != null) {
            c.abort();
            c.close();
        }
    }

    @Override
    public void close() {
        cancel();
        closeClient();
    }

    /** Downloader events, from its threads, handed to the FX thread. */
    private final class Events implements DownloadListener {
        @Override
        public void onFile(FileProgress f) {
            Platform.runLater(() -> files.stream().filter(r -> r.path().equals(f.path())).findFirst().ifPresent(row -> {
                row.bytesDoneProperty().set(f.bytesDone());
                row.fractionProperty().set(f.fraction());
                row.statusProperty().set(FileStatus.describe(f));
            }));
        }

        @Override
        public void onProgress(Progress p) {
            Platform.runLater(() -> {
                if (!isRunning()) return;  // the end was shown already; a late report must not undo it
                bytesDone.set(p.bytesDone());
                fraction.set(p.fraction());
                bytesPerSecond.set(p.bytesPerSecond());
                eta.set(p.eta());
            });
        }

        @Override
        public void onFinished(DownloadResult result) {
            Platform.runLater(() -> {
                bytesDone.set(totalBytes.get());
                fraction.set(1);
                state.set(State.DONE);
                onInstalled.run();
            });
        }

        @Override
        public void onFailed(HubException error) {
            Platform.runLater(() -> fail(error));
        }

        @Override
        public void onCancelled() {
            Platform.runLater(() -> state.set(State.CANCELLED));
        }
    }
}
