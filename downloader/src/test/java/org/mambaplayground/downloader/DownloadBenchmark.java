package org.mambaplayground.downloader;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.mambaplayground.downloader.testing.TestHub;

/**
 * Loopback throughput of the downloader against curl fetching the same file from the same test hub.
 * Run with tools/bench-download.sh [MiB] [rounds] [hash while downloading]. Both follow the hub's 302 to the CDN
 * and write the file to disk. Two comparisons per round:
 * <ul>
 *   <li>transfer: curl until it exits vs the downloader until the last byte is on disk and synced (its
 *       verifying phase begins);
 *   <li>with verification: curl, then {@code openssl dgst -sha256}, vs the downloader until the file is verified, synced
 *       to disk and in place (curl does not sync).
 * </ul>
 */
public final class DownloadBenchmark {

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("serve")) {
            serve(Path.of(args[1]));
            return;
        }
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Boolean hashWhileDownloading = args.length > 2 ? Boolean.valueOf(args[2]) : null;  // default: the client's
        Path work = Files.createTempDirectory("download-bench");
        try {
            Path source = work.resolve("source.bin");
            writeRandom(source, mib << 20);
            try (Server hub = Server.start(source)) {
                List<Double> transferRatios = new ArrayList<>();
                List<Double> verifiedRatios = new ArrayList<>();
                for (int round = 0; round <= rounds; round++) {
                    // Alternate who goes first, so neither always meets the other's leftovers (page cache, writeback).
                    Timing curl = null;
                    if (round % 2 == 0) curl = curl(hub, work);
                    Timing ours = ours(hub, work, hashWhileDownloading);
                    if (curl == null) curl = curl(hub, work);
                    double transferRatio = (double) curl.transferNanos / ours.transferNanos;
                    double verifiedRatio = (double) curl.verifiedNanos / ours.verifiedNanos;
                    System.out.printf("%s: transfer: curl %.0f MiB/s, downloader %.0f MiB/s (%.2f of curl);"
                                    + " with sha256: curl + openssl sha256 %.0f MiB/s, downloader %.0f MiB/s (%.2f);"
                                    + " CPU during transfer: curl %.2f s, downloader %.2f s%n",
                            round == 0 ? "warm-up (not counted)" : "round " + round,
                            rate(mib, curl.transferNanos), rate(mib, ours.transferNanos), transferRatio,
                            rate(mib, curl.verifiedNanos), rate(mib, ours.verifiedNanos), verifiedRatio,
                            curl.transferCpuNanos / 1e9, ours.transferCpuNanos / 1e9);
                    if (round == 0) continue;
                    transferRatios.add(transferRatio);
                    verifiedRatios.add(verifiedRatio);
                }
                System.out.printf("%d MiB, %d rounds, median: transfer %.2f of curl; with sha256 %.2f of curl + openssl sha256%n",
                        mib, rounds, median(transferRatios), median(verifiedRatios));
            }
        } finally {
            deleteTree(work);
        }
    }

    /** Wall time until the file is on disk, and until it is also checked; CPU used until it is on disk. */
    private record Timing(long transferNanos, long verifiedNanos, long transferCpuNanos) {}

    private static Timing curl(Server hub, Path work) throws IOException, InterruptedException {
        Path out = work.resolve("curl.bin");
        Path times = work.resolve("curl.time");
        String url = hub.endpoint() + "/bench/model/resolve/main/model.safetensors";
        syncDisks();
        long t0 = System.nanoTime();
        Process curl = new ProcessBuilder("/usr/bin/time", "-o", times.toString(), "-f", "%U %S",
                "curl", "-sS", "-L", "-o", out.toString(), url).inheritIO().start();
        if (!curl.waitFor(10, TimeUnit.MINUTES) || curl.exitValue() != 0) throw new IOException("curl failed");
        long transfer = System.nanoTime() - t0;
        long t1 = System.nanoTime();
        // OpenSSL's sha256 uses the CPU's SHA instructions (about 4x coreutils' sha256sum here), as does Java's.
        Process sum = new ProcessBuilder("openssl", "dgst", "-sha256", out.toString()).redirectErrorStream(true).start();
        sum.getInputStream().readAllBytes();
        if (sum.waitFor() != 0) throw new IOException("openssl dgst -sha256 failed");
        long verified = transfer + System.nanoTime() - t1;
        Files.delete(out);
        String[] userSys = Files.readString(times).trim().split("\\s+");
        long cpu = (long) ((Double.parseDouble(userSys[0]) + Double.parseDouble(userSys[1])) * 1e9);
        return new Timing(transfer, verified, cpu);
    }

    private static Timing ours(Server hub, Path work, Boolean hashWhileDownloading) throws Exception {
        Path dir = work.resolve("ours");
        HubClient.Builder builder = HubClient.builder().environment(Map.of()).endpoint(hub.endpoint()).hfHome(work.resolve("hf"));
        if (hashWhileDownloading != null) builder.hashWhileDownloading(hashWhileDownloading);
        try (HubClient client = builder.build()) {
            DownloadPlan plan = client.plan(client.list("bench/model", "main"), FilePatterns.ALL, dir);
            AtomicLong verifyingAt = new AtomicLong();
            AtomicLong cpuAtVerifying = new AtomicLong();
            DownloadListener listener = new DownloadListener() {
                @Override
                public void onFile(FileProgress f) {
                    if (f.phase() == Phase.VERIFYING && verifyingAt.compareAndSet(0, System.nanoTime())) cpuAtVerifying.set(cpu());
                }
            };
            syncDisks();
            long t0 = System.nanoTime();
            long cpu0 = cpu();
            client.start(plan, listener).await();
            long verified = System.nanoTime() - t0;
            return new Timing(verifyingAt.get() - t0, verified, cpuAtVerifying.get() - cpu0);
        } finally {
            deleteTree(dir);
        }
    }

    /**
     * The test hub in a process of its own, as curl sees it: the server's threads, JIT and garbage collector
     * then share nothing with the downloader but the two cores.
     */
    private record Server(Process process, String endpoint) implements AutoCloseable {
        static Server start(Path file) throws IOException {
            String java = ProcessHandle.current().info().command().orElse("java");
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), DownloadBenchmark.class.getName(),
                    "serve", file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String endpoint = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
            if (endpoint == null) throw new IOException("the test hub process did not start");
            return new Server(p, endpoint);
        }

        @Override
        public void close() throws IOException {
            process.getOutputStream().close();  // the server stops when its input ends
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void serve(Path file) throws IOException {
        try (TestHub hub = TestHub.start()) {
            hub.repo("bench/model").lfsFile("model.safetensors", file);
            System.out.println(hub.endpoint());
            System.out.flush();
            System.in.transferTo(OutputStream.nullOutputStream());
        }
    }

    /** Each run starts with no dirty pages, so neither pays for the other's writeback. */
    private static void syncDisks() throws IOException, InterruptedException {
        new ProcessBuilder("sync").inheritIO().start().waitFor();
    }

    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double median(List<Double> xs) {
        List<Double> sorted = xs.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double rate(long mib, long nanos) {
        return mib / (nanos / 1e9);
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
