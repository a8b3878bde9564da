package org.mambaplayground.downloader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.SocketFactory;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import org.mambaplayground.downloader.DownloadPlan.PlannedFile;
import org.mambaplayground.downloader.DownloadPlan.Status;
import org.mambaplayground.downloader.HubException.Kind;

/**
 * A client for the Hugging Face hub: list a repository at a revision, plan a download into a folder,
 * start it. The equivalent of {@code huggingface_hub.snapshot_download(repo_id, allow_patterns, revision,
 * token, local_dir)}, with resume across runs, sha256 verification and typed errors.
 *
 * <pre>{@code
 * HubClient hub = HubClient.fromEnvironment();            // HF_ENDPOINT, HF_TOKEN, HF_HOME, HF_HUB_OFFLINE
 * RepoListing listing = hub.list("mistralai/Mamba-Codestral-7B-v0.1", "main");
 * DownloadPlan plan = hub.plan(listing, FilePatterns.include("params.json", "consolidated.safetensors",
 *         "tokenizer.model.v3"), HubClient.defaultDir(listing.repoId()));
 * Download d = hub.start(plan, listener);                 // throws NOT_ENOUGH_SPACE before fetching a byte
 * d.pause(); d.resume(); d.cancel();
 * DownloadResult r = d.await();
 * }</pre>
 */
public final class HubClient implements AutoCloseable {

    private final HubSettings settings;
    private final HubHttp http;
    private final Listings listings;
    private final boolean ownsHttpClient;
    /** Listings and access checks in flight, so that {@link #abort()} can stop them. */
    private final Set<Control> asking = ConcurrentHashMap.newKeySet();
    private volatile boolean aborted;

    private HubClient(HubSettings settings, OkHttpClient base) {
        this.settings = settings;
        HttpUrl endpoint = HttpUrl.parse(settings.endpoint() + "/");
        if (endpoint == null) throw new IllegalArgumentException("the hub endpoint (HF_ENDPOINT) is not an http(s) URL: " + settings.endpoint());
        this.ownsHttpClient = base == null;
        OkHttpClient.Builder b = (base == null ? new OkHttpClient.Builder().connectionPool(new ConnectionPool()) : base.newBuilder())
                .followRedirects(false)
                .followSslRedirects(false)
                .retryOnConnectionFailure(true)
                .connectTimeout(settings.connectTimeout())
                .protocols(List.of(Protocol.HTTP_1_1))  // one connection per file, as huggingface_hub; no HTTP/2 framing
                .writeTimeout(settings.connectTimeout());
        // No byte for stallTimeout = stalled: reconnect and resume. Our sockets enforce it themselves; a caller's
        // own socket factory (a proxy tunnel, say) is kept, and then OkHttp's read timeout does it.
        if (base == null || base.socketFactory() == SocketFactory.getDefault()) {
            b.socketFactory(new LargeReadSockets(settings.stallTimeout())).readTimeout(Duration.ZERO);
        } else {
            b.readTimeout(settings.stallTimeout());
        }
        this.http = new HubHttp(b.build(), endpoint, settings.token(), settings.retry(), settings.userAgent(),
                settings.giveToken());
        this.listings = new Listings(http, settings.hubCache());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A client configured from HF_ENDPOINT, HF_TOKEN, HF_HOME, HF_HUB_CACHE and HF_HUB_OFFLINE. */
    public static HubClient fromEnvironment() {
        return builder().build();
    }

    /** ~/mistral_models, the folder the seed scripts' users know. */
    public static Path defaultModelsRoot() {
        return Path.of(System.getProperty("user.home"), "mistral_models");
    }

    /** ~/mistral_models/{name} for owner/name. */
    public static Path defaultDir(String repoId) {
        return defaultModelsRoot().resolve(RepoIds.folderName(repoId));
    }

    public String endpoint() {
        return settings.endpoint();
    }

    public boolean hasToken() {
        return settings.token() != null;
    }

    /** Where a token is saved and read from: $HF_TOKEN_PATH, else $HF_HOME/token (huggingface_hub's file). */
    public Path tokenFile() {
        return settings.tokenFile();
    }

    /**
     * Saves {@code token} in {@link #tokenFile()} (mode 0600) as `hf auth login` does, so the next client, the
     * command line and huggingface_hub use it when no HF_TOKEN is set.
     */
    public void saveToken(String token) throws HubException {
        TokenFile.write(settings.tokenFile(), token);
    }

    public boolean isOffline() {
        return settings.offline();
    }

    /** huggingface_hub's cache ($HF_HUB_CACHE or $HF_HOME/hub): listings are kept there and its files reused. */
    public Path hubCache() {
        return settings.hubCache();
    }

    HubSettings settings() {
        return settings;
    }

    HubHttp http() {
        return http;
    }

    /**
     * Resolves {@code revision} (branch, tag or commit; null means main) to a commit and lists its files with
     * sizes and sha256. Offline, answers from the cached listing.
     */
    public RepoListing list(String repoId, String revision) throws HubException {
        String id = RepoIds.checkRepoId(repoId);
        String rev = RepoIds.checkRevision(revision);
        if (settings.offline()) return listings.offline(id, rev);
        Control control = asking();
        try {
            return listings.online(id, rev, control);
        } finally {
            asking.remove(control);
        }
    }

    /**
     * Stops the listings and access checks in flight on this client (from any thread): their requests are
     * aborted and they throw {@link java.util.concurrent.CancellationException}. Downloads have their own cancel.
     */
    public void abort() {
        aborted = true;
        asking.forEach(Control::cancel);
    }

    private Control asking() {
        Control control = new Control();
        asking.add(control);
        if (aborted) control.cancel();
        return control;
    }

    /**
     * Asks the hub whether the files of {@code repoId} can be read with this client's token (or anonymously):
     * returns normally if so, else throws GATED (with what to do), INVALID_TOKEN or REPO_NOT_FOUND. A cheap
     * pre-flight for a wizard before a large download; listing alone succeeds even for gated repositories.
     */
    public void checkAccess(String repoId) throws HubException {
        if (settings.offline()) return;
        Control control = asking();
        try {
            listings.checkAccess(RepoIds.checkRepoId(repoId), control);
        } finally {
            asking.remove(control);
        }
    }

    /**
     * Decides what to fetch: the files matching {@code patterns}, minus what is already complete in
     * {@code targetDir}; counts the bytes present, the bytes to fetch and the free space.
     */
    public DownloadPlan plan(RepoListing listing, FilePatterns patterns, Path targetDir) throws HubException {
        FilePatterns p = patterns == null ? FilePatterns.ALL : patterns;
        List<RepoFile> selected = listing.select(p);
        if (selected.isEmpty()) {
            throw new HubException(Kind.BAD_INPUT, "No file of " + listing.repoId() + " matches " + p,
                    "Check the patterns against the repository's files (" + listing.files().size() + " files).");
        }
        LocalFolder local = new LocalFolder(targetDir);
        List<PlannedFile> files = new ArrayList<>();
        for (RepoFile f : selected) {
            Path target = local.file(f.path());
            if (local.isComplete(f)) {
                files.add(new PlannedFile(f, Status.COMPLETE, f.size(), null));
                continue;
            }
            long part = local.partSize(f);
            if (part > 0 && part <= f.size()) {
                files.add(new PlannedFile(f, Status.PARTIAL, part, null));
            } else if (sizeOf(target) == f.size()) {
                files.add(new PlannedFile(f, Status.UNVERIFIED, f.size(), null));
            } else {
                files.add(new PlannedFile(f, Status.MISSING, 0, listings.cachedCopy(listing.repoId(), listing.commit(), f)));
            }
        }
        return new DownloadPlan(listing, p, local.dir(), files, freeSpace(local.dir()));
    }

    /**
     * Starts the plan on background threads. Refuses at once when the plan does not fit on the disk
     * (NOT_ENOUGH_SPACE), or when offline and files are missing (OFFLINE).
     */
    public Download start(DownloadPlan plan, DownloadListener listener) throws HubException {
        plan.checkDiskSpace();
        if (settings.offline() && plan.bytesToFetch() > 0) {
            throw new HubException(Kind.OFFLINE, "Offline mode is on and " + Bytes.format(plan.bytesToFetch()) + " of "
                    + plan.listing().repoId() + " are not on disk yet", "Unset HF_HUB_OFFLINE to download them.");
        }
        DownloadRun run = new DownloadRun(this, plan, listener);
        run.start();
        return new Download(run, plan);
    }

    private static long sizeOf(Path p) {
        try {
            return Files.isRegularFile(p) ? Files.size(p) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Usable bytes on the file system that holds dir (or its nearest existing parent). */
    static long freeSpace(Path dir) throws HubException {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) p = p.getParent();
        try {
            return Files.getFileStore(p == null ? Path.of(".").toAbsolutePath() : p).getUsableSpace();
        } catch (IOException e) {
            throw new HubException(Kind.LOCAL_IO, "Cannot read the free space of " + dir + ": " + e.getMessage(),
                    "Choose another folder.", null, e);
        }
    }

    @Override
    public void close() {
        if (ownsHttpClient) {
            http.client.dispatcher().executorService().shutdown();
            http.client.connectionPool().evictAll();
        }
    }

    /** Settings; anything not set comes from the environment (or {@link #environment(Map)}). */
    public static final class Builder {
        private Map<String, String> env = System.getenv();
        private String endpoint;
        private String token;
        private boolean tokenSet;
        private Boolean offline;
        private Path hfHome;
        private OkHttpClient okHttp;
        private RetryPolicy retry = RetryPolicy.DEFAULT;
        private Duration connectTimeout = Duration.ofSeconds(15);
        private Duration stallTimeout = Duration.ofSeconds(30);
        private int parallelFiles = 4;
        private Duration progressInterval = Duration.ofMillis(200);
        private String userAgent = "mamba-playground/0.1; hf_hub_java/0.1";
        private boolean hashWhileDownloading = true;
        private String giveToken = "--token or HF_TOKEN";

        /** The variables to read instead of the process environment (tests, or a settings page). */
        public Builder environment(Map<String, String> env) {
            this.env = Map.copyOf(env);
            return this;
        }

        /** The hub or a mirror, e.g. https://huggingface.co; default HF_ENDPOINT. */
        public Builder endpoint(String endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        /** A token the user entered; null or blank means "none, not even HF_TOKEN". Default: HF_TOKEN etc. */
        public Builder token(String token) {
            this.token = HubSettings.clean(token);
            this.tokenSet = true;
            return this;
        }

        public Builder offline(boolean offline) {
            this.offline = offline;
            return this;
        }

        /** Default HF_HOME, else $XDG_CACHE_HOME/huggingface or ~/.cache/huggingface. */
        public Builder hfHome(Path hfHome) {
            this.hfHome = hfHome;
            return this;
        }

        /** A client to share connection pools and proxies with; redirects and timeouts are set on a copy. */
        public Builder okHttpClient(OkHttpClient client) {
            this.okHttp = client;
            return this;
        }

        public Builder retryPolicy(RetryPolicy retry) {
            this.retry = retry;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = d;
            return this;
        }

        /** No byte for this long means the connection stalled: drop it and resume. Default 30 s. */
        public Builder stallTimeout(Duration d) {
            this.stallTimeout = d;
            return this;
        }

        /** Files downloaded at the same time; default 4. */
        public Builder parallelFiles(int n) {
            this.parallelFiles = Math.max(1, n);
            return this;
        }

        /** How often progress is reported; default 200 ms. */
        public Builder progressInterval(Duration d) {
            this.progressInterval = d;
            return this;
        }

        /**
         * Hash each file in the background while it downloads, on spare CPU only (default on); off, the whole
         * file is hashed in the verifying phase after its last byte. tools/bench-download.sh compares both.
         */
        public Builder hashWhileDownloading(boolean on) {
            this.hashWhileDownloading = on;
            return this;
        }

        /** How the user gives a token, as the hints should say it; default "--token or HF_TOKEN" (a command line). */
        public Builder tokenHint(String howToGiveToken) {
            this.giveToken = howToGiveToken;
            return this;
        }

        public Builder userAgent(String userAgent) {
            this.userAgent = userAgent;
            return this;
        }

        public HubClient build() {
            Path home = hfHome != null ? hfHome : HubSettings.hfHome(env);
            String ep = endpoint != null ? endpoint.replaceAll("/+$", "") : HubSettings.endpoint(env);
            String tok = tokenSet ? token : HubSettings.token(env, home);
            boolean off = offline != null ? offline : HubSettings.offline(env);
            Path cache = hfHome != null ? home.resolve("hub") : HubSettings.hubCache(env, home);
            HubSettings s = new HubSettings(ep, tok, TokenFile.location(env, home), home, cache, off, connectTimeout, stallTimeout, retry, parallelFiles,
                    progressInterval, userAgent, hashWhileDownloading, giveToken);
            return new HubClient(s, okHttp);
        }
    }
}
