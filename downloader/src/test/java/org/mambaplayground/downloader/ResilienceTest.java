package org.mambaplayground.downloader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mambaplayground.downloader.testing.TestHub;
import org.mambaplayground.downloader.testing.TestRepo;

/** Dropped connections, stalls, corruption, pause, resume and cancel against the loopback hub. */
class ResilienceTest {

    static final String REPO = "mistralai/Tiny-Mamba";
    static final String WEIGHTS = "consolidated.safetensors";

    @TempDir
    Path tmp;
    TestHub hub;
    TestRepo repo;
    byte[] weights = HubFixture.randomBytes(7, 8_000_000);
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        hub = TestHub.start();
        repo = hub.repo(REPO).file("params.json", "{\"dim\": 64}").lfsFile(WEIGHTS, weights);
        dir = tmp.resolve("Tiny-Mamba");
    }

    @AfterEach
    void tearDown() {
        hub.close();
    }

    private HubClient client() {
        return HubFixture.client(hub, tmp.resolve("hf")).build();
    }

    @ParameterizedTest(name = "hash while downloading: {0}")
    @ValueSource(booleans = {false, true})
    void connectionDroppedAtRandomOffsetsResumesExactlyWhereItStopped(boolean hashWhileDownloading) throws Exception {
        Random random = new Random(42);
        TreeSet<Long> drops = new TreeSet<>();
        while (drops.size() < 5) drops.add(1 + (long) random.nextInt(weights.length - 2));
        repo.dropConnectionAt(WEIGHTS, drops.stream().mapToLong(Long::longValue).toArray());
        List<String> retries = downloadWeightsNotingRetries(HubFixture.client(hub, tmp.resolve("hf")).hashWhileDownloading(hashWhileDownloading));
        assertThat(Files.readAllBytes(dir.resolve(WEIGHTS))).isEqualTo(weights);
        List<TestHub.Recorded> cdn = hub.requests("cdn");
        List<Long> rangeStarts = new ArrayList<>();
        for (TestHub.Recorded r : cdn) rangeStarts.add(Long.parseLong(r.header("Range").replaceAll("bytes=(\\d+)-.*", "$1")));
        List<Long> expectedStarts = new ArrayList<>(List.of(0L));
        expectedStarts.addAll(drops);
        assertThat(rangeStarts).as("each retry asks for the first byte it does not have").isEqualTo(expectedStarts);
        assertThat(hub.fileBytesSent()).as("no byte served twice").isEqualTo(weights.length);
        assertThat(cdn).allSatisfy(r -> assertThat(r.header("Authorization")).isNull());
        assertThat(retries).hasSize(5).allSatisfy(d -> assertThat(d).contains("connection lost"));
    }

    @Test
    void aStalledConnectionIsDroppedAndResumed() throws Exception {
        repo.stallAt(WEIGHTS, 3_000_000, 2_500);
        List<String> retries = downloadWeightsNotingRetries(HubFixture.client(hub, tmp.resolve("hf")).stallTimeout(Duration.ofMillis(700)));
        assertThat(Files.readAllBytes(dir.resolve(WEIGHTS))).isEqualTo(weights);
        assertThat(retries).anySatisfy(d -> assertThat(d).contains("stalled"));
        assertThat(hub.requests("cdn")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(hub.requests("cdn").get(1).header("Range")).isEqualTo("bytes=3000000-");
    }

    @ParameterizedTest(name = "hash while downloading: {0}")
    @ValueSource(booleans = {false, true})
    void aCorruptedByteIsCaughtBySha256AndThePartIsDeleted(boolean hashWhileDownloading) throws Exception {
        repo.corruptByteAt(WEIGHTS, 4_321_000);
        try (HubClient client = HubFixture.client(hub, tmp.resolve("hf")).hashWhileDownloading(hashWhileDownloading).build()) {
            RepoListing listing = client.list(REPO, "main");
            Download d = client.start(client.plan(listing, FilePatterns.ALL, dir), null);
            assertThatThrownBy(d::await).isInstanceOfSatisfying(HubException.class, e -> {
                assertThat(e.kind()).isEqualTo(HubException.Kind.CHECKSUM_MISMATCH);
                assertThat(e.getMessage()).contains(WEIGHTS).contains(TestRepo.sha256Hex(weights)).contains("partial file was deleted");
            });
            assertThat(dir.resolve(WEIGHTS)).doesNotExist();
            assertThat(dir.resolve("params.json")).exists();  // the other file completed
            try (var files = Files.walk(dir)) {
                assertThat(files.filter(p -> p.toString().endsWith(".part"))).isEmpty();
            }
            DownloadPlan again = client.plan(listing, FilePatterns.ALL, dir);
            assertThat(again.bytesToFetch()).isEqualTo(weights.length);
        }
    }

    @ParameterizedTest(name = "hash while downloading: {0}")
    @ValueSource(booleans = {false, true})
    void pauseStopsTheTransferAndResumeContinuesWithoutRefetching(boolean hashWhileDownloading) throws Exception {
        hub.throttle(4_000_000);
        try (HubClient client = HubFixture.client(hub, tmp.resolve("hf")).hashWhileDownloading(hashWhileDownloading).build()) {
            DownloadPlan plan = client.plan(client.list(REPO, "main"), FilePatterns.include(WEIGHTS), dir);
            Download d = client.start(plan, null);
            waitFor(() -> d.progress().bytesDone() > 1_000_000);
            d.pause();
            assertThat(d.isPaused()).isTrue();
            Thread.sleep(300);
            long atPause = hub.fileBytesSent();
            long onDisk = d.progress().bytesDone();
            Thread.sleep(700);
            assertThat(hub.fileBytesSent()).as("nothing flows while paused").isEqualTo(atPause);
            assertThat(d.progress().bytesDone()).isEqualTo(onDisk);
            assertThat(d.files().getFirst().phase()).isEqualTo(Phase.PAUSED);
            hub.throttle(0);
            d.resume();
            DownloadResult r = d.await();
            assertThat(Files.readAllBytes(dir.resolve(WEIGHTS))).isEqualTo(weights);
            assertThat(r.bytesFetched()).isEqualTo(weights.length);
            List<TestHub.Recorded> cdn = hub.requests("cdn");
            assertThat(cdn.getLast().header("Range")).isEqualTo("bytes=" + onDisk + "-");
        }
    }

    @Test
    void cancelKeepsThePartAndANewStartResumesIt() throws Exception {
        hub.throttle(4_000_000);
        try (HubClient client = client()) {
            RepoListing listing = client.list(REPO, "main");
            List<Boolean> cancelled = new CopyOnWriteArrayList<>();
            Download d = client.start(client.plan(listing, FilePatterns.include(WEIGHTS), dir), new DownloadListener() {
                @Override
                public void onCancelled() {
                    cancelled.add(true);
                }
            });
            waitFor(() -> d.progress().bytesDone() > 1_500_000);
            d.cancel();
            assertThatThrownBy(d::await).isInstanceOf(CancellationException.class);
            assertThat(cancelled).containsExactly(true);
            assertThat(dir.resolve(WEIGHTS)).doesNotExist();

            DownloadPlan resumed = client.plan(listing, FilePatterns.include(WEIGHTS), dir);
            DownloadPlan.PlannedFile f = resumed.files().getFirst();
            assertThat(f.status()).isEqualTo(DownloadPlan.Status.PARTIAL);
            assertThat(f.bytesPresent()).isGreaterThan(1_500_000);
            hub.throttle(0);
            client.start(resumed, null).await();
            assertThat(Files.readAllBytes(dir.resolve(WEIGHTS))).isEqualTo(weights);
            assertThat(hub.requests("cdn").getLast().header("Range")).isEqualTo("bytes=" + f.bytesPresent() + "-");
            assertThat(hub.fileBytesSent()).isLessThanOrEqualTo(weights.length + 4_000_000L / 20);
        }
    }

    @Test
    void twoDownloadsOfTheSameFileTakeTurnsThroughTheLock() throws Exception {
        hub.throttle(6_000_000);
        try (HubClient a = client(); HubClient b = client()) {
            RepoListing listing = a.list(REPO, "main");
            Download first = a.start(a.plan(listing, FilePatterns.include(WEIGHTS), dir), null);
            waitFor(() -> first.progress().bytesDone() > 0);
            List<Phase> phases = new CopyOnWriteArrayList<>();
            Download second = b.start(b.plan(listing, FilePatterns.include(WEIGHTS), dir), new DownloadListener() {
                @Override
                public void onFile(FileProgress f) {
                    phases.add(f.phase());
                }
            });
            first.await();
            second.await();
            assertThat(phases).contains(Phase.WAITING_FOR_LOCK).last().isEqualTo(Phase.DONE);
            assertThat(Files.readAllBytes(dir.resolve(WEIGHTS))).isEqualTo(weights);
            assertThat(hub.fileBytesSent()).as("the second found the file complete").isEqualTo(weights.length);
        }
    }

    @Test
    void anExpiredCdnUrlIsRefreshedThroughTheHub() throws Exception {
        repo.dropConnectionAt(WEIGHTS, 2_000_000);
        hub.expireCdnUrlsOnDrop(true);
        try (HubClient client = client()) {
            client.start(client.plan(client.list(REPO, "main"), FilePatterns.include(WEIGHTS), dir), null).await();
        }
        assertThat(Files.readAllBytes(dir.resolve(WEIGHTS))).isEqualTo(weights);
        assertThat(hub.requests("cdn")).extracting(r -> r.header("Range") + " " + r.status())
                .containsExactly("bytes=0- 206", "bytes=2000000- 403", "bytes=2000000- 206");
        assertThat(hub.requests("hub").stream().filter(r -> r.target.contains("/resolve/"))).hasSize(2);
        assertThat(hub.fileBytesSent()).isEqualTo(weights.length);
    }

    @Test
    void aServerThatIgnoresRangeIsDetectedAndTheFileRestartsCleanly() throws Exception {
        repo.dropConnectionAt(WEIGHTS, 1_000_000);
        hub.ignoreRange(true);
        try (HubClient client = client()) {
            client.start(client.plan(client.list(REPO, "main"), FilePatterns.include(WEIGHTS), dir), null).await();
        }
        assertThat(Files.readAllBytes(dir.resolve(WEIGHTS))).isEqualTo(weights);
        assertThat(hub.requests("cdn")).extracting(TestHub.Recorded::status).containsExactly(200, 200);
        assertThat(hub.fileBytesSent()).isEqualTo(weights.length + 1_000_000L);
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("condition not met in 10 s");
            Thread.sleep(5);
        }
    }

    /** Downloads the weights into {@code dir} with a client from {@code builder}; returns the detail of every retry. */
    private List<String> downloadWeightsNotingRetries(HubClient.Builder builder) throws Exception {
        List<String> retries = new CopyOnWriteArrayList<>();
        try (HubClient client = builder.build()) {
            DownloadPlan plan = client.plan(client.list(REPO, "main"), FilePatterns.include(WEIGHTS), dir);
            client.start(plan, new DownloadListener() {
                @Override
                public void onFile(FileProgress f) {
                    if (f.phase() == Phase.RETRYING) retries.add(f.detail());
                }
            }).await();
        }
        return retries;
    }
}
