package org.mambaplayground.downloader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.downloader.HubException.Kind;
import org.mambaplayground.downloader.testing.TestHub;
import org.mambaplayground.downloader.testing.TestRepo;

/** Every error the user can act on, as the hub signals it. */
class ErrorsTest {

    @TempDir
    Path tmp;
    TestHub hub;
    byte[] weights = HubFixture.randomBytes(3, 500_000);

    @BeforeEach
    void setUp() throws Exception {
        hub = TestHub.start().acceptTokens("hf_other");
        hub.repo("mistralai/Gated-Mamba").gated(true).file("README.md", "licence").lfsFile("model.safetensors", weights)
                .grant("hf_accepted");
        hub.repo("mistralai/Open").file("params.json", "{}").lfsFile("model.safetensors", weights);
    }

    @AfterEach
    void tearDown() {
        hub.close();
    }

    private HubClient.Builder client() {
        return HubFixture.client(hub, tmp.resolve("hf"));
    }

    private static HubException failure(ThrowingRunnable r) {
        try {
            r.run();
        } catch (HubException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected a HubException, got " + e, e);
        }
        throw new AssertionError("expected a HubException");
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void gatedRepositoryWithoutTokenSaysToAcceptTheLicenceAndGiveAToken() throws Exception {
        try (HubClient c = client().token(null).build()) {
            RepoListing listing = c.list("mistralai/Gated-Mamba", "main");  // listing is public, files are not
            assertThat(listing.isGated()).isTrue();
            assertThat(listing.files().get(1).sha256()).as("masked by the hub").isNull();
            HubException e = failure(() -> c.start(c.plan(listing, FilePatterns.ALL, tmp.resolve("g")), null).await());
            assertThat(e.kind()).isEqualTo(Kind.GATED);
            assertThat(e.getMessage()).contains("gated").contains("401").contains("model.safetensors");
            assertThat(e.hint()).contains(hub.endpoint() + "/mistralai/Gated-Mamba").contains("accept the licence").contains("token");
        }
    }

    @Test
    void gatedRepositoryWithATokenThatHasNoAccessSaysSo() throws Exception {
        try (HubClient c = client().token("hf_other").build()) {
            RepoListing listing = c.list("mistralai/Gated-Mamba", "main");
            HubException e = failure(() -> c.start(c.plan(listing, FilePatterns.include("*.safetensors"), tmp.resolve("g")), null).await());
            assertThat(e.kind()).isEqualTo(Kind.GATED);
            assertThat(e.getMessage()).contains("403").contains("not in the authorized list");
            assertThat(e.hint()).contains("no access yet");
        }
    }

    @Test
    void gatedRepositoryWithAnAcceptedTokenDownloadsAndVerifiesWithTheLinkedEtag() throws Exception {
        try (HubClient c = client().token("hf_accepted").build()) {
            RepoListing listing = c.list("mistralai/Gated-Mamba", "main");
            c.start(c.plan(listing, FilePatterns.ALL, tmp.resolve("g")), null).await();
            assertThat(Files.readAllBytes(tmp.resolve("g/model.safetensors"))).isEqualTo(weights);
            assertThat(hub.requests("cdn")).allSatisfy(r -> assertThat(r.header("Authorization")).isNull());
        }
    }

    @Test
    void accessCheckTellsAWizardBeforeItStarts() throws Exception {
        try (HubClient anonymous = client().token(null).build(); HubClient other = client().token("hf_other").build();
             HubClient accepted = client().token("hf_accepted").build()) {
            assertThat(failure(() -> anonymous.checkAccess("mistralai/Gated-Mamba")).kind()).isEqualTo(Kind.GATED);
            HubException e = failure(() -> other.checkAccess("mistralai/Gated-Mamba"));
            assertThat(e.kind()).isEqualTo(Kind.GATED);
            assertThat(e.hint()).contains("accept the licence");
            accepted.checkAccess("mistralai/Gated-Mamba");
            anonymous.checkAccess("mistralai/Open");
            assertThat(failure(() -> anonymous.checkAccess("mistralai/Nope")).kind()).isEqualTo(Kind.REPO_NOT_FOUND);
        }
    }

    @Test
    void aListingWithAPathOutsideTheRepositoryIsRefused() {
        hub.repo("evil/repo").file("../../.bashrc", "rm -rf ~");
        try (HubClient c = client().build()) {
            HubException e = failure(() -> c.list("evil/repo", "main"));
            assertThat(e.kind()).isEqualTo(Kind.PROTOCOL);
            assertThat(e.getMessage()).contains("unsafe file path").contains("../../.bashrc");
        }
    }

    @Test
    void aWrongTokenIsReportedAsSuch() {
        try (HubClient c = client().token("hf_typo").build()) {
            HubException e = failure(() -> c.list("mistralai/Open", "main"));
            assertThat(e.kind()).isEqualTo(Kind.INVALID_TOKEN);
            assertThat(e.hint()).contains("/settings/tokens");
        }
    }

    @Test
    void missingRepositoryRevisionAndFile() throws Exception {
        try (HubClient c = client().token(null).build()) {
            HubException repo = failure(() -> c.list("mistralai/Nope", "main"));
            assertThat(repo.kind()).isEqualTo(Kind.REPO_NOT_FOUND);
            assertThat(repo.getMessage()).contains("mistralai/Nope");
            assertThat(repo.hint()).contains("private").contains("token");

            HubException rev = failure(() -> c.list("mistralai/Open", "v9"));
            assertThat(rev.kind()).isEqualTo(Kind.REVISION_NOT_FOUND);

            RepoListing listing = c.list("mistralai/Open", "main");
            hub.repo("mistralai/Open").remove("params.json");
            HubException file = failure(() -> c.start(c.plan(listing, FilePatterns.include("params.json"), tmp.resolve("o")), null).await());
            assertThat(file.kind()).isEqualTo(Kind.FILE_NOT_FOUND);
            assertThat(file.getMessage()).contains("params.json");

            HubException bad = failure(() -> c.list("not a repo", "main"));
            assertThat(bad.kind()).isEqualTo(Kind.BAD_INPUT);
            HubException none = failure(() -> c.plan(listing, FilePatterns.include("*.gguf"), tmp.resolve("o")));
            assertThat(none.kind()).isEqualTo(Kind.BAD_INPUT);
        }
    }

    @Test
    void rateLimitedResolvesWaitAsTheHubSaysThenContinue() throws Exception {
        hub.rateLimitNextResolves(2, 1);
        List<String> waits = new CopyOnWriteArrayList<>();
        try (HubClient c = client().build()) {
            long t0 = System.nanoTime();
            c.start(c.plan(c.list("mistralai/Open", "main"), FilePatterns.include("*.safetensors"), tmp.resolve("o")),
                    new DownloadListener() {
                        @Override
                        public void onFile(FileProgress f) {
                            if (f.phase() == Phase.RETRYING) waits.add(f.detail());
                        }
                    }).await();
            assertThat(System.nanoTime() - t0).as("waited Retry-After twice").isGreaterThan(1_900_000_000L);
        }
        assertThat(waits).hasSize(2).allSatisfy(w -> assertThat(w).contains("rate limited").contains("1 s"));
        assertThat(Files.readAllBytes(tmp.resolve("o/model.safetensors"))).isEqualTo(weights);
    }

    @Test
    void aRateLimitLongerThanWeAcceptIsReportedWithTheWait() throws Exception {
        hub.rateLimitNextResolves(1, 3600);
        try (HubClient c = client().build()) {
            RepoListing listing = c.list("mistralai/Open", "main");
            HubException e = failure(() -> c.start(c.plan(listing, FilePatterns.include("*.safetensors"), tmp.resolve("o")), null).await());
            assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
            assertThat(e.getMessage()).contains("3600 s");
        }
    }

    @Test
    void refusesAPlanThatDoesNotFitOnTheDiskBeforeFetchingAnything() throws Exception {
        long petabyte = 1L << 50;
        hub.repo("mistralai/Huge").file("params.json", "{}").virtualLfsFile("consolidated.safetensors", petabyte, "ab".repeat(32));
        try (HubClient c = client().build()) {
            DownloadPlan plan = c.plan(c.list("mistralai/Huge", "main"), FilePatterns.ALL, tmp.resolve("huge"));
            assertThat(plan.fitsOnDisk()).isFalse();
            assertThat(plan.freeBytes()).isPositive().isLessThan(petabyte);
            hub.clearRequests();
            HubException e = failure(() -> c.start(plan, null));
            assertThat(e.kind()).isEqualTo(Kind.NOT_ENOUGH_SPACE);
            assertThat(e.getMessage()).contains("1.0 PiB to download").contains(Bytes.format(plan.freeBytes()) + " free");
            assertThat(hub.requests()).isEmpty();
            assertThat(tmp.resolve("huge")).doesNotExist();
        }
    }

    @Test
    void aFullDiskWhileWritingIsReportedAsSuchAndResumable() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(Path.of("/dev/full")), "needs Linux /dev/full");
        Path dir = tmp.resolve("o");
        try (HubClient c = client().build()) {
            RepoListing listing = c.list("mistralai/Open", "main");
            RepoFile weightsFile = listing.files().get(1);
            // The part file is /dev/full: every write fails with ENOSPC, as on a full disk.
            Path part = dir.resolve(".cache/huggingface/download/model.safetensors." + weightsFile.etag() + ".part");
            Files.createDirectories(part.getParent());
            Files.createSymbolicLink(part, Path.of("/dev/full"));
            HubException e = failure(() -> c.start(c.plan(listing, FilePatterns.include("*.safetensors"), dir), null).await());
            assertThat(e.kind()).isEqualTo(Kind.DISK_FULL);
            assertThat(e.getMessage()).contains("model.safetensors").contains(dir.toString());
            assertThat(e.hint()).contains("resumes");
            Files.delete(part);
        }
    }

    @Test
    void aRefusedPortIsReportedAtOnceWithTheDefaultRetries() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (HubClient c = HubClient.builder().environment(java.util.Map.of()).endpoint("http://127.0.0.1:" + closedPort)
                .hfHome(tmp.resolve("hf")).build()) {
            long start = System.nanoTime();
            HubException e = failure(() -> c.list("mistralai/Open", "main"));
            assertThat((System.nanoTime() - start) / 1e9).as("seconds to report it").isLessThan(2);
            assertThat(e.kind()).isEqualTo(Kind.NETWORK);
            assertThat(e.getMessage()).contains("cannot connect to 127.0.0.1").contains("refused");
            assertThat(e.hint()).contains("Check your connection");
        }
    }

    @Test
    void anUnknownHostIsReportedAtOnceWithTheDefaultRetries() throws Exception {
        // .invalid never resolves (RFC 6761); an offline machine fails every name the same way.
        try (HubClient c = HubClient.builder().environment(java.util.Map.of()).endpoint("http://hub.invalid")
                .hfHome(tmp.resolve("hf")).build()) {
            long start = System.nanoTime();
            HubException e = failure(() -> c.list("mistralai/Open", "main"));
            assertThat((System.nanoTime() - start) / 1e9).as("seconds to report it").isLessThan(2);
            assertThat(e.kind()).isEqualTo(Kind.NETWORK);
            assertThat(e.getMessage()).contains("unknown host hub.invalid");
        }
    }

    @Test
    void aListingWaitingOnRetriesStopsWhenAborted() throws Exception {
        hub.failNextListings(1000, 503);
        try (HubClient c = client().retryPolicy(RetryPolicy.DEFAULT).build()) {
            var failure = new java.util.concurrent.CompletableFuture<Throwable>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    c.list("mistralai/Open", "main");
                    failure.complete(null);
                } catch (Throwable e) {
                    failure.complete(e);
                }
            });
            Thread.sleep(300); // in its first back-off now
            long start = System.nanoTime();
            c.abort();
            assertThat(failure.get(2, java.util.concurrent.TimeUnit.SECONDS))
                    .isInstanceOf(java.util.concurrent.CancellationException.class);
            assertThat((System.nanoTime() - start) / 1e9).isLessThan(1);
            t.join();
        }
    }

    @Test
    void offlineModeAnswersFromTheCacheAndRefusesToFetch() throws Exception {
        Path dir = tmp.resolve("o");
        try (HubClient online = client().build()) {
            online.start(online.plan(online.list("mistralai/Open", "main"), FilePatterns.ALL, dir), null).await();
        }
        hub.close();
        try (HubClient offline = client().offline(true).build()) {
            RepoListing listing = offline.list("mistralai/Open", "main");
            assertThat(listing.commit()).isEqualTo(hub.repo("mistralai/Open").commit());
            DownloadPlan plan = offline.plan(listing, FilePatterns.ALL, dir);
            assertThat(plan.isComplete()).isTrue();
            offline.start(plan, null).await();
            Files.delete(dir.resolve("params.json"));
            HubException e = failure(() -> offline.start(offline.plan(listing, FilePatterns.ALL, dir), null));
            assertThat(e.kind()).isEqualTo(Kind.OFFLINE);
            HubException unknown = failure(() -> offline.list("mistralai/Gated-Mamba", "main"));
            assertThat(unknown.kind()).isEqualTo(Kind.OFFLINE);
            assertThat(unknown.hint()).contains("HF_HUB_OFFLINE");

            Path ref = tmp.resolve("hf/hub/models--mistralai--Open/refs/main");
            Files.writeString(ref, "../../../elsewhere");
            HubException corrupt = failure(() -> offline.list("mistralai/Open", "main"));
            assertThat(corrupt.kind()).isEqualTo(Kind.OFFLINE);
            assertThat(corrupt.getMessage()).contains("unreadable").contains(ref.toString()).contains("does not hold a commit hash");
        }
    }

    @Test
    void aFileAlreadyInTheFolderOrInTheHuggingFaceCacheIsVerifiedNotFetched() throws Exception {
        TestRepo open = hub.repo("mistralai/Open");
        Path dir = tmp.resolve("o");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("params.json"), "{}");  // copied by hand: no metadata
        Path snapshot = tmp.resolve("hf/hub/models--mistralai--Open/snapshots/" + open.commit());
        Files.createDirectories(snapshot);
        Files.write(snapshot.resolve("model.safetensors"), weights);  // left by huggingface_hub
        try (HubClient c = client().build()) {
            DownloadPlan plan = c.plan(c.list("mistralai/Open", "main"), FilePatterns.ALL, dir);
            assertThat(plan.files()).extracting(DownloadPlan.PlannedFile::status)
                    .containsExactly(DownloadPlan.Status.UNVERIFIED, DownloadPlan.Status.MISSING);
            assertThat(plan.files().get(1).source()).isEqualTo(snapshot.resolve("model.safetensors"));
            hub.clearRequests();
            DownloadResult r = c.start(plan, null).await();
            assertThat(r.bytesFetched()).isZero();
            assertThat(hub.fileBytesSent()).isZero();
            assertThat(Files.readAllBytes(dir.resolve("model.safetensors"))).isEqualTo(weights);
            assertThat(c.plan(c.list("mistralai/Open", "main"), FilePatterns.ALL, dir).isComplete()).isTrue();
        }
    }

    @Test
    void environmentVariablesMeanWhatTheyMeanToHuggingFaceHub() throws Exception {
        Path home = tmp.resolve("hfhome");
        Files.createDirectories(home);
        Files.writeString(home.resolve("token"), "hf_accepted\n");
        var env = java.util.Map.of("HF_ENDPOINT", hub.endpoint() + "/", "HF_HOME", home.toString(), "HF_HUB_OFFLINE", "0");
        try (HubClient c = HubClient.builder().environment(env).build()) {
            assertThat(c.endpoint()).isEqualTo(hub.endpoint());
            assertThat(c.hasToken()).isTrue();
            assertThat(c.hubCache()).isEqualTo(home.resolve("hub"));
            c.list("mistralai/Gated-Mamba", "main");
            assertThat(hub.requests().getLast().header("Authorization")).isEqualTo("Bearer hf_accepted");
        }
        var withToken = java.util.Map.of("HF_ENDPOINT", hub.endpoint(), "HF_HOME", home.toString(), "HF_TOKEN", "hf_other",
                "HF_HUB_OFFLINE", "true");
        try (HubClient c = HubClient.builder().environment(withToken).build()) {
            assertThat(c.isOffline()).isTrue();
        }
        try (HubClient c = HubClient.builder().environment(withToken).offline(false).build()) {
            c.list("mistralai/Open", "main");
            assertThat(hub.requests().getLast().header("Authorization")).isEqualTo("Bearer hf_other");
        }
        assertThatThrownBy(() -> HubClient.builder().environment(java.util.Map.of("HF_ENDPOINT", "not a url")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HF_ENDPOINT");
    }
}
