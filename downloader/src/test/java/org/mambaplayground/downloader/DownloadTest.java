package org.mambaplayground.downloader;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.downloader.testing.TestHub;
import org.mambaplayground.downloader.testing.TestRepo;

class DownloadTest {

    @TempDir
    Path tmp;
    TestHub hub;
    TestRepo repo;
    byte[] weights = HubFixture.randomBytes(1, 3_000_000);
    byte[] nested = HubFixture.randomBytes(2, 70_000);

    @BeforeEach
    void setUp() throws Exception {
        hub = TestHub.start().acceptTokens("hf_good");
        repo = hub.repo("mistralai/Tiny-Mamba")
                .file("params.json", "{\"dim\": 64}")
                .file("README.md", "# Tiny")
                .lfsFile("consolidated.safetensors", weights)
                .lfsFile("extra/sub dir/x#1.bin", nested)
                .treePageSize(2);
    }

    @AfterEach
    void tearDown() {
        hub.close();
    }

    @Test
    void downloadsEverythingVerifiedWithTokenOnlyToTheHub() throws Exception {
        try (HubClient client = HubFixture.client(hub, tmp.resolve("hf")).token("hf_good").build()) {
            RepoListing listing = client.list("mistralai/Tiny-Mamba", "main");
            assertThat(listing.commit()).isEqualTo(repo.commit());
            assertThat(listing.files()).extracting(RepoFile::path)
                    .containsExactly("params.json", "README.md", "consolidated.safetensors", "extra/sub dir/x#1.bin");
            assertThat(listing.files().get(2).sha256()).isEqualTo(TestRepo.sha256Hex(weights));

            Path dir = tmp.resolve("models/Tiny-Mamba");
            // A part left by an older revision of the weights: it can never be resumed, so it is cleaned up.
            Path stale = dir.resolve(".cache/huggingface/download/consolidated.safetensors." + "ab".repeat(32) + ".part");
            Files.createDirectories(stale.getParent());
            Files.write(stale, new byte[1000]);
            DownloadPlan plan = client.plan(listing, FilePatterns.ALL, dir);
            assertThat(plan.bytesToFetch()).isEqualTo(listing.totalBytes());
            List<Phase> phases = new CopyOnWriteArrayList<>();
            List<Progress> overall = new CopyOnWriteArrayList<>();
            Download d = client.start(plan, new DownloadListener() {
                @Override
                public void onFile(FileProgress f) {
                    if (f.path().equals("consolidated.safetensors")) phases.add(f.phase());
                }

                @Override
                public void onProgress(Progress p) {
                    overall.add(p);
                }
            });
            DownloadResult r = d.await();

            assertThat(Files.readAllBytes(dir.resolve("consolidated.safetensors"))).isEqualTo(weights);
            assertThat(Files.readAllBytes(dir.resolve("extra/sub dir/x#1.bin"))).isEqualTo(nested);
            assertThat(Files.readString(dir.resolve("params.json"))).isEqualTo("{\"dim\": 64}");
            assertThat(r.bytesFetched()).isEqualTo(listing.totalBytes());
            assertThat(phases).contains(Phase.CONNECTING, Phase.DOWNLOADING, Phase.VERIFYING).last().isEqualTo(Phase.DONE);
            assertThat(overall.getLast().bytesDone()).isEqualTo(listing.totalBytes());
            assertThat(overall.getLast().filesDone()).isEqualTo(4);
            // huggingface_hub's local_dir metadata: commit, etag, timestamp
            List<String> meta = Files.readAllLines(dir.resolve(".cache/huggingface/download/consolidated.safetensors.metadata"));
            assertThat(meta.get(0)).isEqualTo(repo.commit());
            assertThat(meta.get(1)).isEqualTo(TestRepo.sha256Hex(weights));
            try (var parts = Files.walk(dir)) {
                assertThat(parts.filter(p -> p.toString().endsWith(".part"))).as("no part left, stale ones removed").isEmpty();
            }

            // The CDN got the LFS bodies, never the token; the hub got the token on every request.
            assertThat(hub.requests("cdn")).hasSize(2).allSatisfy(req -> assertThat(req.header("Authorization")).isNull());
            assertThat(hub.requests("hub")).allSatisfy(req -> assertThat(req.header("Authorization")).isEqualTo("Bearer hf_good"));

            // A second plan finds everything complete and fetches nothing.
            hub.clearRequests();
            DownloadPlan again = client.plan(client.list("mistralai/Tiny-Mamba", "main"), FilePatterns.ALL, dir);
            assertThat(again.isComplete()).isTrue();
            assertThat(again.bytesToFetch()).isZero();
            client.start(again, null).await();
            assertThat(hub.fileBytesSent()).isZero();
        }
    }
}
