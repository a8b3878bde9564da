package org.mambaplayground.downloader;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.mambaplayground.downloader.testing.TestHub;

/**
 * Loopback throughput of the downloader against curl fetching the same file from the same test hub.
 * Run with tools/bench-download.sh [MiB] [rounds]. Both write the file to disk; ours also verifies sha256
 * (streamed, so it is in the timing) and goes through the hub's 302 to the CDN, as does curl -L.
 */
public final class DownloadBenchmark {

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Boolean hashThread = args.length > 2 ? Boolean.valueOf(args[2]) : null;  // default: the client's choice
        Path work = Files.createTempDirectory("download-bench");
        try {
            Path source = work.resolve("source.bin");
            writeRandom(source, mib << 20);
            try (TestHub hub = TestHub.start()) {
                hub.repo("bench/model").lfsFile("model.safetensors", source);
                String url = hub.endpoint() + "/bench/model/resolve/main/model.safetensors";
                double bestCurl = 0;
                double bestOurs = 0;
                double bestCurlVerified = 0;
                java.util.List<Double> ratios = new java.util.ArrayList<>();
                for (int round = 1; round <= rounds; round++) {
                    Path curlOut = work.resolve("curl.bin");
                    long t0 = System.nanoTime();
                    Process curl = new ProcessBuilder("curl", "-sS", "-L", "-o", curlOut.toString(), url).inheritIO().start();
                    if (!curl.waitFor(10, TimeUnit.MINUTES) || curl.exitValue() != 0) throw new IOException("curl failed");
                    long curlNanos = System.nanoTime() - t0;
                    double curlRate = rate(Files.size(curlOut), curlNanos);
                    // What a careful user does after curl: check the sha256 (our figure includes that check).
                    long t2 = System.nanoTime();
                    Process sum = new ProcessBuilder("sha256sum", curlOut.toString()).redirectErrorStream(true).start();
                    sum.getInputStream().readAllBytes();
                    if (sum.waitFor() != 0) throw new IOException("sha256sum failed");
                    double curlVerifiedRate = rate(Files.size(curlOut), curlNanos + System.nanoTime() - t2);
                    Files.delete(curlOut);

                    Path dir = work.resolve("ours");
                    HubClient.Builder builder = HubClient.builder().environment(java.util.Map.of()).endpoint(hub.endpoint())
                            .hfHome(work.resolve("hf"));
                    if (hashThread != null) builder.hashOnOwnThread(hashThread);
                    try (HubClient client = builder.build()) {
                        RepoListing listing = client.list("bench/model", "main");
                        DownloadPlan plan = client.plan(listing, FilePatterns.ALL, dir);
                        long t1 = System.nanoTime();
                        client.start(plan, null).await();
                        double ourRate = rate(plan.totalBytes(), System.nanoTime() - t1);
                        System.out.printf("round %d: curl %.0f MiB/s (curl + sha256sum %.0f MiB/s), downloader with sha256"
                                + " %.0f MiB/s (ratio to curl %.2f)%n", round, curlRate, curlVerifiedRate, ourRate, ourRate / curlRate);
                        bestCurlVerified = Math.max(bestCurlVerified, curlVerifiedRate);
                        ratios.add(ourRate / curlRate);
                        bestCurl = Math.max(bestCurl, curlRate);
                        bestOurs = Math.max(bestOurs, ourRate);
                    }
                    deleteTree(dir);
                }
                java.util.Collections.sort(ratios);
                System.out.printf("best of %d, %d MiB file: curl %.0f MiB/s, curl + sha256sum %.0f MiB/s, downloader (with"
                        + " sha256) %.0f MiB/s; ratio of bests to curl %.2f, median ratio per round %.2f%n", rounds, mib,
                        bestCurl, bestCurlVerified, bestOurs, bestOurs / bestCurl, ratios.get(ratios.size() / 2));
            }
        } finally {
            deleteTree(work);
        }
    }

    private static double rate(long bytes, long nanos) {
        return bytes / (1024.0 * 1024.0) / (nanos / 1e9);
    }

    private static void writeRandom(Path file, long size) throws IOException {
        SplittableRandom random = new SplittableRandom(1);
        ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += buf.capacity()) {
                buf.clear();
                while (buf.hasRemaining()) buf.putLong(random.nextLong());
                out.write(buf.array(), 0, (int) Math.min(buf.capacity(), size - written));
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
        }
    }
}
