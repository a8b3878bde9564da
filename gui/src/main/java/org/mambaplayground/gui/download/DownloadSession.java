package org.mambaplayground.gui.download;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.mambaplayground.downloader.GgufChoices;
import org.mambaplayground.downloader.GgufFit;
import org.mambaplayground.downloader.HubClient;
import org.mambaplayground.downloader.HubException;
import org.mambaplayground.downloader.Progress;
import org.mambaplayground.downloader.RepoListing;
import org.mambaplayground.engine.load.MachineMemory;
import org.mambaplayground.engine.load.MemoryEstimate;

/**
 * One catalog model's download, between the downloader and the wizard: lists the repository, plans into the
 * model store, runs with pause/resume/cancel. Network work happens on the executor; every property changes
 * on the FX thread. Call the actions on the FX thread.
 *
 * <p>A repository of GGUF files (its listing holds {@code .gguf} files) is offered as {@link #ggufChoices()}, one
 * per quantization, and only the {@link #ggufChoiceProperty() chosen} one's file (or split parts) is planned and
 * downloaded: first the quantization a download of which was begun, else the largest that fits this machine.
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
    private final ObservableList<GgufChoices.Choice> ggufChoices = FXCollections.observableArrayList();
    private final ObjectProperty<GgufChoices.Choice> ggufChoice = new SimpleObjectProperty<>();
    private final ObjectProperty<GgufFit> ggufFit = new SimpleObjectProperty<>();
    private volatile RepoListing listing;
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

    /** A GGUF repository's quantizations, largest first (empty for other repositories); known after a check. */
    public ObservableList<GgufChoices.Choice> ggufChoices() { return ggufChoices; }

    /** The quantization planned and downloaded; change it with {@link #chooseGguf}. */
    public javafx.beans.value.ObservableValue<GgufChoices.Choice> ggufChoiceProperty() { return ggufChoice; }

    /** This machine's memory as the GGUF choices were judged against it (null before a GGUF listing). */
    public javafx.beans.value.ObservableValue<GgufFit> ggufFitProperty() { return ggufFit; }

    /** What to load once installed: the chosen GGUF file (a split model's first part), else the folder. */
    public Path modelPath() {
        GgufChoices.Choice c = ggufChoice.get();
        return c == null ? target : target.resolve(c.files().getFirst().path());
    }

    /**
     * Plans {@code choice} of {@link #ggufChoices()} instead of the one chosen; ignored while a download runs or
     * waits, or while the hub is asked.
     */
    public void chooseGguf(GgufChoices.Choice choice) {
        RepoListing l = listing;
        HubClient c = client;
        if (choice == null || choice.equals(ggufChoice.get()) || !ggufChoices.contains(choice) || isActive()
                || state.get() == State.CHECKING || l == null || c == null) return;
        ggufChoice.set(choice);
        plan = null;  // a Download pressed before the new plan is ready checks again, with this choice
        int check = ++checks;
        executor.execute(() -> {
            try {
                DownloadPlan p = c.plan(l, FilePatterns.include(choice.paths().toArray(String[]::new)), target);
                Platform.runLater(() -> {
                    if (check != checks) return;
                    plan = p;
                    showPlan(p, accessDenied, false);
                });
            } catch (HubException e) {
                Platform.runLater(() -> { if (check == checks) fail(e); });
            } catch (RuntimeException e) {
                Platform.runLater(() -> { if (check == checks) fail(unexpected(e)); });
            }
        });
    }

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
        GgufChoices.Choice chosenBefore = ggufChoice.get();
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
                GgufOffer gguf = GgufChoices.hasGguf(listing) ? GgufOffer.of(c, listing, target, chosenBefore) : null;
                List<String> wanted = gguf != null ? gguf.chosen().paths() : model.fileNames();
                DownloadPlan p = c.plan(listing, FilePatterns.include(wanted.toArray(String[]::new)), target);
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
                    this.listing = listing;
                    ggufFit.set(gguf == null ? null : gguf.fit());
                    ggufChoices.setAll(gguf == null ? List.of() : gguf.choices());
                    ggufChoice.set(gguf == null ? null : gguf.chosen());
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

    /** A GGUF listing's choices, judged against this machine's memory now, and the one to plan. */
    private record GgufOffer(List<GgufChoices.Choice> choices, GgufFit fit, GgufChoices.Choice chosen) {
        static GgufOffer of(HubClient c, RepoListing listing, Path target, GgufChoices.Choice before) throws HubException {
            List<GgufChoices.Choice> choices = GgufChoices.of(listing);
            MachineMemory machine = MachineMemory.read();
            GgufFit fit = new GgufFit(machine.availableBytes(), machine.totalBytes(), MemoryEstimate.HEADROOM);
            GgufChoices.Choice chosen = before == null ? null
                    : choices.stream().filter(x -> x.paths().equals(before.paths())).findFirst().orElse(null);
            if (chosen == null) chosen = begun(c, listing, target, choices);
            return new GgufOffer(choices, fit, chosen != null ? chosen : fit.preselect(choices));
        }

        /** The choice whose download was begun and not finished (so a resumed download goes on with it), if any. */
        private static GgufChoices.Choice begun(HubClient c, RepoListing listing, Path target,
                                                List<GgufChoices.Choice> choices) throws HubException {
            String[] all = choices.stream().flatMap(x -> x.paths().stream()).toArray(String[]::new);
            Map<String, Long> present = new HashMap<>();
            for (DownloadPlan.PlannedFile f : c.plan(listing, FilePatterns.include(all), target).files()) {
                present.put(f.file().path(), f.bytesPresent());
            }
            for (GgufChoices.Choice x : choices) {
                long bytes = x.paths().stream().mapToLong(path -> present.getOrDefault(path, 0L)).sum();
                if (bytes > 0 && bytes < x.bytes()) return x;
            }
            return null;
        }
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
