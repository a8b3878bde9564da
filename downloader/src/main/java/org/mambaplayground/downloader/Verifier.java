package org.mambaplayground.downloader;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;

/**
 * A checksum computed while the bytes stream by. With {@link #async()} it hashes on its own thread, so
 * reading the socket, writing the disk and hashing overlap (sha256 costs about as much CPU as the transfer).
 * Stream buffers are direct, so the file write needs no extra copy.
 */
final class Verifier implements AutoCloseable {

    private static final int CHUNK = 64 << 10;  // stays in the CPU cache between the write and the hash
    private static final int IN_FLIGHT = 32;
    private static final ByteBuffer STOP = ByteBuffer.allocate(0);

    final String algorithm;
    final String expected;
    private final java.security.MessageDigest digest;
    private String actual;

    private BlockingQueue<ByteBuffer> free;
    private BlockingQueue<ByteBuffer> full;
    private Thread hasher;
    private ByteBuffer single;  // the one buffer reused when hashing inline

    Verifier(String algorithm, java.security.MessageDigest digest, String expected) {
        this.algorithm = algorithm;
        this.digest = digest;
        this.expected = expected.toLowerCase();
    }

    /** Hash on a background thread from now on. */
    Verifier async() {
        free = new ArrayBlockingQueue<>(IN_FLIGHT);
        full = new ArrayBlockingQueue<>(IN_FLIGHT + 1);
        for (int i = 0; i < IN_FLIGHT; i++) free.add(ByteBuffer.allocateDirect(CHUNK));
        hasher = Thread.ofPlatform().daemon().name("download-sha256").start(this::hashLoop);
        return this;
    }

    /** Hashes bytes right away (before {@link #async()}: the part already on disk, adopted files, copies). */
    void update(byte[] b, int off, int n) {
        if (hasher != null) throw new IllegalStateException("use buffer() and hash() once async");
        digest.update(b, off, n);
    }

    /** An empty buffer to read into; give it back with {@link #hash} or {@link #release}. Waits while the hasher is behind. */
    ByteBuffer buffer() {
        if (hasher == null) {
            if (single == null) single = ByteBuffer.allocateDirect(CHUNK);
            return single.clear();
        }
        try {
            return free.take().clear();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
    }

    /** Hashes the buffer's remaining bytes; the buffer is not to be touched afterwards. */
    void hash(ByteBuffer buf) {
        if (hasher == null) {
            digest.update(buf);
            return;
        }
        try {
            full.put(buf);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
    }

    void release(ByteBuffer buf) {
        if (hasher != null) free.offer(buf);
    }

    private void hashLoop() {
        try {
            while (true) {
                ByteBuffer chunk = full.take();
                if (chunk == STOP) return;
                digest.update(chunk);
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
