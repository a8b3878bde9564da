package org.mambaplayground.engine.tensor;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A small fixed set of daemon worker threads, one per core, shared by all kernels. The calling thread
 * works too, and chunks are handed out one at a time so a core slowed by other processes takes fewer.
 * The thread count is {@code -Dmamba.threads=N} or the number of available processors.
 *
 * <p>A worker that runs out of work spins for {@link #SPIN_NANOS} before it parks, and a caller waiting for its
 * helpers spins as long before it blocks: a decoded token is some sixty short matrix-vector products in a row, and
 * waking a parked thread for each (tens of microseconds on a virtual machine) left a worker idle for a third of
 * the decode, the caller doing the chunks it had not yet claimed.
 */
public final class Parallel {
    private static final int THREADS = Math.max(1, Integer.getInteger("mamba.threads", Runtime.getRuntime().availableProcessors()));
    /** Chunks per thread: enough to balance uneven cores, few enough to keep hand-out cheap. */
    private static final int CHUNKS_PER_THREAD = 4;
    /**
     * Chunks per thread of {@link #forRangeFinely}: with 16 rather than 4, the 1 GB transformer's decode on 2 threads
     * ran 1.00-1.14x as fast in Q4_0 (median 1.04x of six alternating pairs) and 0.96-1.10x in BF16 (1.03x), where
     * the prefill kernel lost a little with them (docs/measurements/prefill-stop18.txt).
     */
    static final int FINE_CHUNKS_PER_THREAD = 16;
    /** How long an idle worker (or a waiting caller) keeps spinning before it parks: longer than the gaps in a decode. */
    private static final long SPIN_NANOS = Long.getLong("mamba.spinMicros", 200) * 1000;
    private static final ConcurrentLinkedQueue<Runnable> QUEUE = new ConcurrentLinkedQueue<>();
    private static final Worker[] WORKERS = new Worker[THREADS - 1];

    static {
        for (int i = 0; i < WORKERS.length; i++) (WORKERS[i] = new Worker()).start();
    }

    private static final class Worker extends Thread {
        /** Set before the last look at the queue and the park, so that a submitter seeing it unparks this worker. */
        volatile boolean parked;

        Worker() {
            super("mamba-kernel");
            setDaemon(true);
        }

        @Override
        public void run() {
            while (true) {
                Runnable task = QUEUE.poll();
                if (task == null) {
                    long until = System.nanoTime() + SPIN_NANOS;
                    while ((task = QUEUE.poll()) == null && System.nanoTime() - until < 0) Thread.onSpinWait();
                }
                if (task == null) {
                    parked = true;
                    task = QUEUE.poll();
                    if (task == null) LockSupport.park(this);
                    parked = false;
                }
                if (task != null) task.run(); // tasks catch their own failures
            }
        }
    }

    /** Queues a task for the workers, waking a parked one (an idle spinning one takes it by itself). */
    private static void submit(Runnable task) {
        QUEUE.offer(task);
        for (Worker w : WORKERS) {
            if (w.parked) {
                LockSupport.unpark(w);
                return;
            }
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
        forRange(n, grain, maxThreads, CHUNKS_PER_THREAD, body);
    }

    /**
     * As {@link #forRange(int, int, RangeBody)} in {@link #FINE_CHUNKS_PER_THREAD} chunks a thread: for a loop of
     * many short, memory-bound items, such as a decoded token's matrix-vector products, whose threads would
     * otherwise wait at the end for the last of four large chunks.
     */
    public static void forRangeFinely(int n, int grain, RangeBody body) {
        forRange(n, grain, THREADS, FINE_CHUNKS_PER_THREAD, body);
    }

    private static void forRange(int n, int grain, int maxThreads, int chunksPerThread, RangeBody body) {
        if (n <= 0) return;
        int threads = Math.min(THREADS, Math.max(1, maxThreads));
        int chunks = (int) Math.min((n + (long) grain - 1) / Math.max(1, grain), (long) threads * chunksPerThread);
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
            submit(() -> {
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
        long until = System.nanoTime() + SPIN_NANOS;
        while (finished.getCount() > 0 && System.nanoTime() - until < 0) Thread.onSpinWait();
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
