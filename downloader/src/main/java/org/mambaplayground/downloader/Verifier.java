package org.mambaplayground.downloader;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * The checksum of a part file, computed from the file itself. While the download writes, a background thread
 * trails the writer at the lowest OS priority ({@link LowPriority}): on a normal connection it keeps up on idle
 * CPU, so the verifying phase is instant; when the network outruns it (a fast mirror on a small machine, or
 * the CPU busy with a model) it steps aside, and {@link #finish} hashes what is left in the verifying phase,
 * at normal priority.
 * Reading back from the page cache costs a memory copy, far less than the hash itself.
 */
final class Verifier implements AutoCloseable {

    /** Small enough to stay in the CPU cache between the read and the hash. */
    private static final int CHUNK = 256 << 10;
    /**
     * The trailer gives up once the download has written this much more than it could hash since it started: the
     * network then outruns the hash on the CPU the transfer leaves free, and competing for that CPU slowed the
     * transfer (tools/bench-download.sh on 2 cores); {@link #finish} hashes the rest.
     */
    private static final long GIVE_UP_LAG = 64L << 20;
    /** How long the trailer sleeps when it has caught up: polling spares the writer a wake-up call per buffer. */
    private static final long POLL_NANOS = 20_000_000L;

    final String algorithm;
    final String expected;
    private final MessageDigest digest;
    private final ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
    private FileChannel in;
    /** Bytes hashed so far; written only by the thread that hashes (the trailer, then the finisher). */
    private volatile long hashed;
    /** Bytes the download has written: how far the trailer may read. */
    private volatile long written;
    private volatile boolean stopping;
    private Thread trailer;
    private volatile IOException trailerFailure;
    private String actual;

    Verifier(String algorithm, MessageDigest digest, String expected) {
        this.algorithm = algorithm;
        this.digest = digest;
        this.expected = expected.toLowerCase();
    }

    /** Starts hashing {@code part} in the background, up to what {@link #written} announces. */
    Verifier trail(Path part, long alreadyWritten) throws IOException {
        open(part);
        written = alreadyWritten;
        trailer = Thread.ofPlatform().daemon().name("download-" + algorithm.replace(' ', '-')).start(() -> trailLoop(alreadyWritten));
        return this;
    }

    /** The download has written bytes [0, upTo) of the part file. */
    void written(long upTo) {
        written = upTo;
    }

    long hashed() {
        return hashed;
    }

    /**
     * Hashes the rest of the first {@code length} bytes of {@code file} on this thread, after stopping the trailer,
     * and returns the hex digest. {@code progress} hears the bytes hashed so far; {@code checkpoint} may throw to cancel.
     */
    String finish(Path file, long length, LongConsumer progress, Runnable checkpoint) throws IOException {
        stopTrailer();
        if (in == null) open(file);
        while (hashed < length) {
            checkpoint.run();
            hashChunk(length);
            progress.accept(hashed);
        }
        actual = HexFormat.of().formatHex(digest.digest());
        return actual;
    }

    String actual() {
        if (actual == null) throw new IllegalStateException("not finished");
        return actual;
    }

    boolean matches() {
        return actual().equals(expected);
    }

    private void open(Path file) throws IOException {
        in = FileChannel.open(file, StandardOpenOption.READ);
    }

    private void trailLoop(long startedAt) {
        LowPriority.applyToCurrentThread();
        try {
            while (!stopping) {
                long limit = written;
                if ((limit - startedAt) - hashed > GIVE_UP_LAG) return;
                if (hashed < limit) hashChunk(limit);
                else LockSupport.parkNanos(POLL_NANOS);
            }
        } catch (IOException e) {
            trailerFailure = e;
        }
    }

    /** Hashes up to one chunk, not past {@code limit}. */
    private void hashChunk(long limit) throws IOException {
        buffer.clear().limit((int) Math.min(CHUNK, limit - hashed));
        int n = in.read(buffer, hashed);
        if (n < 0) throw new EOFException("the part file ends at " + hashed + " bytes, before " + limit);
        digest.update(buffer.array(), 0, n);
        hashed += n;
    }

    /** Waits for the trailer to leave; afterwards this thread owns the digest. */
    private void stopTrailer() throws IOException {
        if (trailer == null) return;
        stopping = true;
        LockSupport.unpark(trailer);
        try {
            trailer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.util.concurrent.CancellationException("interrupted");
        }
        trailer = null;
        if (trailerFailure != null) throw trailerFailure;
    }

    /** Stops the trailer and closes the file; call before truncating or deleting the part file. */
    @Override
    public void close() {
        try {
            stopTrailer();
        } catch (IOException ignored) {
            // Closing anyway.
        }
        try {
            if (in != null) in.close();
        } catch (IOException ignored) {
            // Read-only channel.
        }
    }
}
