package org.mambaplayground.engine.tensor;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A small fixed pool of daemon worker threads, one per core, shared by all kernels. The calling thread
 * works too, and chunks are handed out one at a time so a core slowed by other processes takes fewer.
 * The thread count is {@code -Dmamba.threads=N} or the number of available processors.
 */
public final class Parallel {
    private static final int THREADS = Math.max(1, Integer.getInteger("mamba.threads", Runtime.getRuntime().availableProcessors()));
    /** Chunks per thread: enough to balance uneven cores, few enough to keep hand-out cheap. */
    private static final int CHUNKS_PER_THREAD = 4;
    private static final ExecutorService POOL = THREADS > 1 ? Executors.newFixedThreadPool(THREADS - 1, Worker::new) : null;

    private static final class Worker extends Thread {
        Worker(Runnable r) {
            super(r, "mamba-kernel");
            setDaemon(true);
        }
    }

    private Parallel() {}

    /** Work on the half-open range {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    /** Number of threads kernels use (workers plus the caller). */
    public static int threads() { return THREADS; }

    /**
     * Runs {@code body} over {@code [0, n)} split into chunks of at least {@code grain} items, on the pool
     * and the calling thread; returns when all chunks are done. Exceptions from any chunk are rethrown.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        forRange(n, grain, THREADS, body);
    }

    /** As {@link #forRange(int, int, RangeBody)} but with at most {@code maxThreads} threads. */
    public static void forRange(int n, int grain, int maxThreads, RangeBody body) {
        if (n <= 0) return;
        int threads = Math.min(THREADS, Math.max(1, maxThreads));
        int chunks = (int) Math.min((n + (long) grain - 1) / Math.max(1, grain), (long) threads * CHUNKS_PER_THREAD);
        // A call from inside a chunk runs inline: waiting on the pool from a pool thread could deadlock.
        if (chunks <= 1 || threads == 1 || Thread.currentThread() instanceof Worker) {
            body.run(0, n);
            return;
        }
        int chunkSize = (n + chunks - 1) / chunks;
        int chunkCount = (n + chunkSize - 1) / chunkSize;
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int i; (i = next.getAndIncrement()) < chunkCount; ) {
                int start = i * chunkSize;
                body.run(start, Math.min(n, start + chunkSize));
            }
        };
        int helpers = Math.min(threads - 1, chunkCount - 1);
        // Each helper is claimed once: by a pool thread that runs it, or by the caller once its own work is
        // done, when the helper is still queued behind another caller's work (then it is simply dropped).
        AtomicBoolean[] claimed = new AtomicBoolean[helpers];
        CountDownLatch finished = new CountDownLatch(helpers);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int h = 0; h < helpers; h++) {
            AtomicBoolean claim = claimed[h] = new AtomicBoolean();
            POOL.execute(() -> {
                if (!claim.compareAndSet(false, true)) return;
                try {
                    worker.run();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    next.set(chunkCount); // stop the others early
                } finally {
                    finished.countDown();
                }
            });
        }
        try {
            worker.run();
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
            next.set(chunkCount);
        }
        for (AtomicBoolean claim : claimed) {
            if (claim.compareAndSet(false, true)) finished.countDown();
        }
        boolean interrupted = false;
        while (true) {
            try {
                finished.await(); // helpers read the caller's arrays: wait for them even if interrupted
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) throw re;
        if (t instanceof Error err) throw err;
        if (t != null) throw new RuntimeException(t);
    }
}
