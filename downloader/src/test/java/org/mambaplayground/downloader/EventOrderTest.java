package org.mambaplayground.downloader;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.downloader.testing.TestHub;

/** The end of a download is the last thing a listener hears, and a pause pressed at once holds. */
class EventOrderTest {

    @TempDir
    Path tmp;
    TestHub hub;
    byte[] weights = HubFixture.randomBytes(5, 400_000);

    @BeforeEach
    void setUp() throws Exception {
        hub = TestHub.start().throttle(2_000_000);
        hub.repo("mistralai/Tiny").file("params.json", "{}").lfsFile("consolidated.safetensors", weights);
    }

    @AfterEach
    void tearDown() {
        hub.close();
    }

    @Test
    void noProgressIsReportedAfterTheDownloadFinished() throws Exception {
        // A slow listener keeps the progress ticker busy most of the time, so a report is in flight at the end;
        // it must return before the end is announced.
        for (int round = 0; round < 5; round++) {
            List<String> events = new CopyOnWriteArrayList<>();
            Path dir = tmp.resolve("m" + round);
            try (HubClient c = HubFixture.client(hub, tmp.resolve("hf")).progressInterval(Duration.ofMillis(10)).build()) {
                c.start(c.plan(c.list("mistralai/Tiny", "main"), FilePatterns.ALL, dir), new DownloadListener() {
                    @Override
                    public void onProgress(Progress p) {
                        pause(8);
                        events.add("progress");
                    }

                    @Override
                    public void onFinished(DownloadResult r) {
                        events.add("finished");
                    }
                }).await();
            }
            Thread.sleep(100); // a late tick would land now
            assertThat(events).as("round %d", round).last().isEqualTo("finished");
            assertThat(events).filteredOn("finished"::equals).hasSize(1);
        }
    }

    @Test
    void aPauseRightAfterTheStartHoldsUntilResumed() throws Exception {
        try (HubClient c = HubFixture.client(hub, tmp.resolve("hf")).build()) {
            Download d = c.start(c.plan(c.list("mistralai/Tiny", "main"), FilePatterns.ALL, tmp.resolve("p")), null);
            d.pause();
            Thread.sleep(500);
            assertThat(d.isPaused()).isTrue();
            assertThat(d.isDone()).isFalse();
            assertThat(d.progress().bytesDone()).isLessThan(weights.length);
            d.resume();
            assertThat(d.await().files()).hasSize(2);
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
