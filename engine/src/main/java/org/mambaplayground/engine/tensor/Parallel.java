package org.mambaplayground.engine.tensor;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small fixed pool of daemon worker threads, one per core, shared by all kernels. The calling thread
 * works too, and chunks are handed out one at a time so a core slowed by other processes takes fewer.
 * The thread count is {@code -Dmamba.threads=N} or the number of available processors.
 */
public final class Parallel {
    private static final int THREADS = Math.max(1, Integer.getInteger("mamba.threads", Runtime.getRuntime().availableProcessors()));
    /** Chunks per thread: enough to balance uneven cores, few enough to keep hand-out cheap. */
    private static final int CHUNKS_PER_THREAD = 4;
    private static final ExecutorService POOL = THREADS > 1 ? Executors.newFixedThreadPool(THREADS - 1, r -> {
        Thread t = new Thread(r, "mamba-kernel");
        t.setDaemon(true);
        return t;
    }) : null;

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
        if (chunks <= 1 || threads == 1) {
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
        Future<?>[] futures = new Future<?>[helpers];
        for (int h = 0; h < helpers; h++) futures[h] = POOL.submit(worker);
        RuntimeException failure = null;
        try {
            worker.run();
        } catch (RuntimeException | Error e) {
            next.set(chunkCount); // stop the helpers early
            if (e instanceof Error err) throw err;
            failure = (RuntimeException) e;
        }
        boolean interrupted = false;
        for (Future<?> f : futures) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the helpers are reading our arrays: wait for them regardless
                } catch (ExecutionException e) {
                    if (failure == null) {
                        Throwable cause = e.getCause();
                        if (cause instanceof Error err) throw err;
                        failure = cause instanceof RuntimeException re ? re : new RuntimeException(cause);
                    }
                    break;
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (failure != null) throw failure;
    }
}
