package org.mambaplayground.downloader;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.HttpUrl;
import org.mambaplayground.downloader.DownloadPlan.PlannedFile;

/**
 * Runs a plan: a few files at a time on worker threads, a ticker that reports progress, and the
 * completion that {@link Download#await()} waits for. A failed file does not stop the others; the
 * download fails at the end with the first error.
 */
final class DownloadRun {

    private final HubClient client;
    private final DownloadPlan plan;
    private final DownloadListener listener;
    private final LocalFolder local;
    private final Control control = new Control();
    private final List<FileState> states = new ArrayList<>();
    private final AtomicLong fetched = new AtomicLong();
    private final SpeedMeter speed = new SpeedMeter();
    private final CompletableFuture<DownloadResult> result = new CompletableFuture<>();
    private final AtomicInteger finished = new AtomicInteger();
    private volatile HubException firstError;
    /** Some request of this run got an answer: from then on an unreachable host is a drop to wait out, not an error. */
    private volatile boolean answered;
    private final long startNanos = System.nanoTime();
    /** Held while progress is reported; {@code ended} set under it, so no report follows the end. */
    private final Object reporting = new Object();
    private boolean ended;
    private ExecutorService workers;
    private ScheduledExecutorService ticker;

    DownloadRun(HubClient client, DownloadPlan plan, DownloadListener listener) {
        this.client = client;
        this.plan = plan;
        this.listener = listener == null ? DownloadListener.NONE : listener;
        this.local = new LocalFolder(plan.targetDir());
        for (PlannedFile f : plan.files()) {
            FileState s = new FileState(f.file(), f.status() == DownloadPlan.Status.UNVERIFIED ? 0 : f.bytesPresent(), fetched);
            if (f.status() == DownloadPlan.Status.COMPLETE) s.phase = Phase.DONE;
            states.add(s);
        }
    }

    void start() throws HubException {
        try {
            local.prepare();
        } catch (java.io.IOException e) {
            throw new HubException(HubException.Kind.LOCAL_IO, "Cannot create the model folder " + plan.targetDir() + ": "
                    + HubHttp.describe(e), "Choose a folder you can write to.", null, e);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < states.size(); i++) {
            if (states.get(i).phase == Phase.DONE) finished.incrementAndGet();
            else order.add(i);
        }
        // Small files first: configs and tokenizers arrive at once, and the big weights share the bandwidth.
        order.sort(Comparator.comparingLong(i -> plan.files().get(i).file().size()));
        int threads = Math.max(1, Math.min(client.settings().parallelFiles(), order.size()));
        workers = Executors.newFixedThreadPool(threads, daemon("download-worker"));
        ticker = Executors.newSingleThreadScheduledExecutor(daemon("download-progress"));
        long period = Math.max(10, client.settings().progressInterval().toMillis());
        ticker.scheduleAtFixedRate(this::tick, 0, period, TimeUnit.MILLISECONDS);
        if (order.isEmpty()) {
            complete();
            return;
        }
        for (int i : order) workers.submit(() -> runFile(states.get(i), plan.files().get(i)));
    }

    private void runFile(FileState s, PlannedFile f) {
        try {
            if (control.state() != Control.State.CANCELLED) {
                new FileTransfer(this, s, f).transfer();
                phase(s, Phase.DONE, "");
            }
        } catch (HubException e) {
            fail(s, e);
        } catch (CancellationException e) {
            phase(s, Phase.CANCELLED, "");
        } catch (RuntimeException e) {
            fail(s, new HubException(HubException.Kind.PROTOCOL, "Internal error while downloading " + f.file().path()
                    + ": " + e, "Please report this.", null, e));
        }
        if (finished.incrementAndGet() == states.size()) complete();
    }

    private void fail(FileState s, HubException e) {
        s.error = e;
        phase(s, Phase.FAILED, e.getMessage());
        synchronized (this) {
            if (firstError == null) firstError = e;
        }
    }

    /** The listener hears the end before {@link Download#await()} returns. */
    private void complete() {
        synchronized (reporting) {
            tick();
            ended = true;  // a tick running on the ticker thread now finished first; later ones report nothing
        }
        ticker.shutdown();
        workers.shutdown();
        if (control.state() == Control.State.CANCELLED) {
            safely(listener::onCancelled);
            result.completeExceptionally(new CancellationException("download cancelled"));
        } else if (firstError != null) {
            long failed = states.stream().filter(s -> s.phase == Phase.FAILED).count();
            if (failed > 1) firstError.addSuppressed(new Exception(failed + " files failed"));
            HubException e = firstError;
            safely(() -> listener.onFailed(e));
            result.completeExceptionally(e);
        } else {
            List<Path> files = states.stream().map(s -> local.file(s.file.path())).toList();
            DownloadResult r = new DownloadResult(local.dir(), plan.listing().repoId(), plan.listing().commit(), files,
                    fetched.get(), Duration.ofNanos(System.nanoTime() - startNanos));
            safely(() -> listener.onFinished(r));
            result.complete(r);
        }
    }

    /** Phase changes are reported at once; byte counts by the ticker. */
    void phase(FileState s, Phase phase, String detail) {
        s.phase = phase;
        s.detail = detail == null ? "" : detail;
        if (phase != Phase.DOWNLOADING) s.speed.reset();
        FileProgress p = s.snapshot();
        synchronized (s) {
            s.lastReportedBytes = p.bytesDone();
        }
        safely(() -> listener.onFile(p));
    }

    private void tick() {
        synchronized (reporting) {
            if (!ended) report();
        }
    }

    private void report() {
        long now = System.nanoTime();
        for (FileState s : states) {
            if (s.phase != Phase.DOWNLOADING) continue;
            s.speed.sample(now, s.bytes());
            FileProgress p = s.snapshot();
            boolean changed;
            synchronized (s) {
                changed = p.bytesDone() != s.lastReportedBytes;
                s.lastReportedBytes = p.bytesDone();
            }
            if (changed) safely(() -> listener.onFile(p));
        }
        speed.sample(now, fetched.get());
        Progress p = progress();
        safely(() -> listener.onProgress(p));
    }

    Progress progress() {
        long done = states.stream().mapToLong(FileState::bytes).sum();
        int filesDone = (int) states.stream().filter(s -> s.phase == Phase.DONE).count();
        double bps = control.state() == Control.State.RUNNING ? speed.bytesPerSecond() : 0;
        return new Progress(filesDone, states.size(), done, plan.totalBytes(), fetched.get(), bps,
                SpeedMeter.eta(plan.totalBytes() - done, bps), control.state() == Control.State.PAUSED);
    }

    List<FileProgress> files() {
        return states.stream().map(FileState::snapshot).toList();
    }

    private void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            // A listener bug must not break the download.
        }
    }

    void pause() {
        if (control.pause()) {
            for (FileState s : states) if (!s.phase.isFinal() && s.phase != Phase.QUEUED) phase(s, Phase.PAUSED, "");
            speed.reset();
            tick();
        }
    }

    void resume() {
        if (control.resume()) tick();
    }

    void cancel() {
        if (control.cancel()) tick();
    }

    CompletableFuture<DownloadResult> result() {
        return result;
    }

    // ---- what FileTransfer needs ----

    HubHttp http() {
        return client.http();
    }

    boolean answeredOnce() {
        return answered;
    }

    void markAnswered() {
        answered = true;
    }

    LocalFolder local() {
        return local;
    }

    Control control() {
        return control;
    }

    String repoId() {
        return plan.listing().repoId();
    }

    String commit() {
        return plan.listing().commit();
    }

    String endpoint() {
        return client.endpoint();
    }

    boolean hashWhileDownloading() {
        return client.settings().hashWhileDownloading();
    }

    Duration stallTimeout() {
        return client.settings().stallTimeout();
    }

    Duration progressInterval() {
        return client.settings().progressInterval();
    }

    HttpUrl resolveUrl(RepoFile f) {
        HttpUrl.Builder b = client.http().endpoint.newBuilder().addPathSegments(repoId()).addPathSegment("resolve")
                .addPathSegment(commit());
        for (String segment : f.path().split("/")) b.addPathSegment(segment);
        return b.build();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
