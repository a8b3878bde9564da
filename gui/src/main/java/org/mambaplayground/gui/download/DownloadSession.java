package org.mambaplayground.gui.download;

import java.nio.file.Path;
import java.time.Duration;
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
    public enum State { IDLE, CHECKING, READY, DOWNLOADING, PAUSED, DONE, FAILED, CANCELLED }

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
    private volatile Download download;
    private volatile HubException accessDenied;

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

    /** Lists the repository and plans the download with {@code token} (blank: the environment's). */
    public void check(String token) {
        if (isRunning()) return;
        closeClient();
        accessDenied = null;
        state.set(State.CHECKING);
        problem.set(null);
        executor.execute(() -> {
            try {
                HubClient c = clients.create(token);
                client = c;
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
                plan = p;
                accessDenied = denied;
                HubException refused = denied;
                Platform.runLater(() -> showPlan(p, refused));
            } catch (HubException e) {
                Platform.runLater(() -> fail(e));
            } catch (RuntimeException e) {
                Platform.runLater(() -> fail(unexpected(e)));
            }
        });
    }

    /** The hub refused access to the files (gated without an accepted token, bad token): a download would fail. */
    public boolean needsToken() {
        return accessDenied != null;
    }

    /** Starts the planned download; the plan must be ready. */
    public void start() {
        DownloadPlan p = plan;
        if (p == null || isRunning()) return;
        state.set(State.DOWNLOADING);
        problem.set(null);
        executor.execute(() -> {
            try {
                download = client.start(p, new Events());
            } catch (HubException e) {
                Platform.runLater(() -> fail(e));
            } catch (RuntimeException e) {
                Platform.runLater(() -> fail(unexpected(e)));
            }
        });
    }

    public void pause() {
        Download d = download;
        if (d != null && state.get() == State.DOWNLOADING) {
            d.pause();
            state.set(State.PAUSED);
        }
    }

    public void resume() {
        Download d = download;
        if (d != null && state.get() == State.PAUSED) {
            d.resume();
            state.set(State.DOWNLOADING);
        }
    }

    /** Stops for good; the bytes fetched so far stay on disk and a later download resumes them. */
    public void cancel() {
        Download d = download;
        if (d != null && isRunning()) d.cancel();
    }

    public boolean isRunning() {
        return state.get() == State.DOWNLOADING || state.get() == State.PAUSED;
    }

    private void showPlan(DownloadPlan p, HubException denied) {
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
        download = null;
        if (c != null) c.close();
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
