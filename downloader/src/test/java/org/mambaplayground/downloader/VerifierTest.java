package org.mambaplayground.downloader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checksum that trails the part file: compared with coreutils' sha256sum, an independent implementation. */
class VerifierTest {

    @TempDir
    Path tmp;

    @Test
    void trailsTheWriterInTheBackgroundThenFinishesTheRest() throws Exception {
        Path part = tmp.resolve("weights.part");
        byte[] content = new byte[5 * (1 << 20) + 123];
        new Random(7).nextBytes(content);
        String reference = sha256sum(content);
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             Verifier v = new Verifier("sha256", MessageDigest.getInstance("SHA-256"), reference.toUpperCase())) {
            v.trail(part, 0);
            int half = content.length / 2;
            out.write(ByteBuffer.wrap(content, 0, half), 0);
            v.written(half);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (v.hashed() < half && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(v.hashed()).as("the background thread caught up with the writer").isEqualTo(half);

            out.write(ByteBuffer.wrap(content, half, content.length - half), half);
            v.written(content.length);  // the rest is left to finish(), whatever the trailer reaches meanwhile
            AtomicLong lastProgress = new AtomicLong();
            String actual = v.finish(part, content.length, lastProgress::set, () -> {});
            assertThat(actual).isEqualTo(reference);
            assertThat(v.matches()).as("expected is compared case-insensitively").isTrue();
            assertThat(lastProgress.get()).isIn(0L, (long) content.length);
        }
    }

    @Test
    void stepsAsideWhenTheDownloadRunsFarAheadAndFinishHashesItAll() throws Exception {
        Path part = tmp.resolve("fast.part");
        long size = 100L << 20;  // more than the 64 MiB the trailer may fall behind
        try (var f = new java.io.RandomAccessFile(part.toFile(), "rw")) {
            f.setLength(size);  // sparse: zeros, written in an instant, like a network far faster than the hash
        }
        try (Verifier v = new Verifier("sha256", MessageDigest.getInstance("SHA-256"), "x").trail(part, 0)) {
            v.written(size);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (threadsNamed("download-sha256") > 0 && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(threadsNamed("download-sha256")).as("the trailer gave up").isZero();
            assertThat(v.hashed()).isZero();
            assertThat(v.finish(part, size, n -> {}, () -> {})).isEqualTo(sha256sum(part));
        }
    }

    @Test
    void withoutTrailingFinishHashesTheWholeFile() throws Exception {
        Path file = tmp.resolve("params.json");
        byte[] content = "{\"dim\": 4096}\n".repeat(50_000).getBytes(StandardCharsets.US_ASCII);
        Files.write(file, content);
        try (Verifier v = new Verifier("sha256", MessageDigest.getInstance("SHA-256"), "00" + "0".repeat(62))) {
            assertThat(v.finish(file, content.length, n -> {}, () -> {})).isEqualTo(sha256sum(content));
            assertThat(v.matches()).isFalse();
        }
    }

    @Test
    void aFileShorterThanAnnouncedFailsClearly() throws Exception {
        Path part = tmp.resolve("short.part");
        Files.write(part, new byte[1000]);
        try (Verifier v = new Verifier("sha256", MessageDigest.getInstance("SHA-256"), "x")) {
            assertThatThrownBy(() -> v.finish(part, 5000, n -> {}, () -> {}))
                    .isInstanceOf(EOFException.class).hasMessageContaining("ends at 1000 bytes");
        }
    }

    @Test
    void closingStopsTheBackgroundThread() throws Exception {
        Path part = tmp.resolve("idle.part");
        Files.write(part, new byte[10]);
        Verifier v = new Verifier("sha256", MessageDigest.getInstance("SHA-256"), "x").trail(part, 10);
        assertThat(threadsNamed("download-sha256")).isPositive();
        v.close();
        assertThat(threadsNamed("download-sha256")).isZero();
    }

    @Test
    void theBackgroundThreadRunsOnlyOnIdleCpu() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name").equals("Linux"));
        String[] stat = new String[1];
        boolean[] lowered = new boolean[1];
        Thread t = Thread.ofPlatform().start(() -> {
            lowered[0] = LowPriority.applyToCurrentThread();
            try {
                stat[0] = Files.readString(Path.of("/proc/thread-self/stat"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        t.join();
        assertThat(lowered[0]).isTrue();
        String[] fields = stat[0].substring(stat[0].lastIndexOf(')') + 2).split(" ");  // fields from the 3rd on
        assertThat(fields[19 - 3]).as("nice").isEqualTo("19");
        assertThat(fields[41 - 3]).as("policy (5 = SCHED_IDLE)").isEqualTo("5");
        String mine = Files.readString(Path.of("/proc/thread-self/stat"));
        assertThat(mine.substring(mine.lastIndexOf(')') + 2).split(" ")[41 - 3]).as("other threads unchanged").isEqualTo("0");
    }

    private static long threadsNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name) && t.isAlive()).count();
    }

    private String sha256sum(byte[] content) throws IOException, InterruptedException {
        Path f = Files.createTempFile(tmp, "ref", ".bin");
        Files.write(f, content);
        return sha256sum(f);
    }

    private static String sha256sum(Path f) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sha256sum", f.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(p.waitFor()).as(out).isZero();
        return out.substring(0, 64);
    }
}
