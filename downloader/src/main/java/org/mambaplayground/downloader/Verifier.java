package org.mambaplayground.downloader;

import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;

/**
 * A checksum computed while the bytes stream by. With {@link #async()} it hashes on its own thread, so
 * reading the socket, writing the disk and hashing overlap (sha256 costs about as much CPU as the transfer).
 */
final class Verifier implements AutoCloseable {

    private static final int CHUNK = 64 << 10;
    private static final int IN_FLIGHT = 32;
    private static final byte[] STOP = new byte[0];

    final String algorithm;
    final String expected;
    private final java.security.MessageDigest digest;
    private String actual;

    private BlockingQueue<byte[]> free;
    private BlockingQueue<byte[]> full;
    private BlockingQueue<Integer> lengths;
    private Thread hasher;
    private byte[] single;  // the one buffer reused when hashing inline

    Verifier(String algorithm, java.security.MessageDigest digest, String expected) {
        this.algorithm = algorithm;
        this.digest = digest;
        this.expected = expected.toLowerCase();
    }

    /** Hash on a background thread from now on. */
    Verifier async() {
        free = new ArrayBlockingQueue<>(IN_FLIGHT);
        full = new ArrayBlockingQueue<>(IN_FLIGHT + 1);
        lengths = new ArrayBlockingQueue<>(IN_FLIGHT + 1);
        for (int i = 0; i < IN_FLIGHT; i++) free.add(new byte[CHUNK]);
        hasher = Thread.ofPlatform().daemon().name("download-sha256").start(this::hashLoop);
        return this;
    }

    void update(byte[] b, int off, int n) {
        if (hasher != null) throw new IllegalStateException("use buffer() and hash() once async");
        digest.update(b, off, n);
    }

    /** A buffer to read into; give it back with {@link #hash} or {@link #release}. Waits while the hasher is behind. */
    byte[] buffer() {
        if (hasher == null) {
            if (single == null) single = new byte[CHUNK];
            return single;
        }
        try {
            return free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
    }

    /** Hashes the first n bytes of a buffer from {@link #buffer()}; the buffer is not to be touched afterwards. */
    void hash(byte[] buf, int n) {
        if (hasher == null) {
            digest.update(buf, 0, n);
            return;
        }
        try {
            lengths.put(n);
            full.put(buf);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
    }

    void release(byte[] buf) {
        if (hasher != null) free.offer(buf);
    }

    private void hashLoop() {
        try {
            while (true) {
                byte[] chunk = full.take();
                if (chunk == STOP) return;
                digest.update(chunk, 0, lengths.take());
                free.put(chunk);
            }
        } catch (InterruptedException e) {
            // close() gave up waiting
        }
    }

    /** Waits for the background thread to hash everything submitted. */
    private void drain() {
        if (hasher == null) return;
        try {
            lengths.put(0);
            full.put(STOP);
            hasher.join();
        } catch (InterruptedException e) {
            hasher.interrupt();
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
        hasher = null;
    }

    String actual() {
        if (actual == null) {
            drain();
            actual = HexFormat.of().formatHex(digest.digest());
        }
        return actual;
    }

    boolean matches() {
        return actual().equals(expected);
    }

    @Override
    public void close() {
        if (hasher != null) {
            hasher.interrupt();
            hasher = null;
        }
    }
}
