package org.mambaplayground.downloader;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.mambaplayground.downloader.testing.TestHub;

/** Clients pointed at a {@link TestHub}, with short back-offs so failure paths run fast. */
final class HubFixture {

    static final RetryPolicy FAST_RETRY = new RetryPolicy(5, Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(5));

    private HubFixture() {}

    static HubClient.Builder client(TestHub hub, Path hfHome) {
        return HubClient.builder()
                .environment(Map.of())
                .endpoint(hub.endpoint())
                .hfHome(hfHome)
                .retryPolicy(FAST_RETRY)
                .stallTimeout(Duration.ofSeconds(2))
                .progressInterval(Duration.ofMillis(20));
    }

    static byte[] randomBytes(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
