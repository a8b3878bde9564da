package org.mambaplayground.server;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.GenerationListener;
import org.mambaplayground.engine.generate.GenerationResult;
import org.mambaplayground.engine.generate.Generator;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.load.LoadedModel;

/**
 * The one thread that runs generations for one model, with a bounded queue in front of it: requests
 * run one after another, never two on the model at once. Its {@link PromptCache} keeps what earlier requests
 * read, so a chat client that resends the conversation only has the new turn processed.
 */
public final class ModelWorker implements AutoCloseable {
    /** What a refused client is told to wait: a guess, as generations vary from milliseconds to minutes. */
    static final int RETRY_AFTER_SECONDS = 2;
    private final LoadedModel model;
    private final Generator generator;
    private final PromptCache cache;
    private final ThreadPoolExecutor executor;
    private final GenerationGuard guard;

    public ModelWorker(LoadedModel model, int queueCapacity) { this(model, queueCapacity, GenerationGuard.NONE); }

    /** @param guard admits each generation (an embedding app's one-at-a-time gate) */
    public ModelWorker(LoadedModel model, int queueCapacity, GenerationGuard guard) {
        this.model = model;
        this.guard = guard;
        this.generator = new Generator(model.model(), model.tokenizer());
        this.cache = new PromptCache(generator);
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queueCapacity),
                runnable -> {
                    Thread t = new Thread(runnable, "model-worker-" + model.name());
                    t.setDaemon(true);
                    return t;
                });
    }

    public LoadedModel model() { return model; }

    /** Requests waiting for the worker (not counting the one running). */
    public int queued() { return executor.getQueue().size(); }

    /** Queues a job; a full queue is refused with 429 rather than waiting without end. */
    public <T> Future<T> submit(Callable<T> job) {
        try {
            return executor.submit(job);
        } catch (RejectedExecutionException e) {
            if (executor.isShutdown()) throw new ApiException(503, "server_error", "The server is shutting down.", null, null);
            throw new ApiException(429, "rate_limit_error", "Too many requests are waiting for model '" + model.name()
                    + "' (" + executor.getQueue().remainingCapacity() + " free places in the queue); try again shortly.", null, "queue_full")
                    .withHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
        }
    }

    /** Takes a job that has not started out of the queue (its client left); false if it runs or ran. */
    boolean withdraw(Future<?> job) {
        boolean removed = job instanceof Runnable r && executor.remove(r);
        job.cancel(false);
        return removed;
    }

    /** Runs one generation on the worker's state. Call only from a job running on this worker. */
    GenerationResult generate(int[] prompt, SamplingOptions options, int[] stopTokens, CancellationToken cancel,
                              GenerationListener listener) {
        try (GenerationGuard.Admission admitted = guard.enter(cancel)) {
            if (admitted == null) throw new ApiException(503, "server_error", "The request was cancelled while waiting for the model.", null, null);
            return cache.generate(prompt, options, stopTokens, cancel, listener);
        }
    }

    /** Stops taking work, cancels what waits, and lets the running job end (its caller cancels it). */
    @Override
    public void close() {
        // queued requests are cancelled, so their callers answer at once instead of waiting forever
        executor.shutdownNow().forEach(job -> {
            if (job instanceof Future<?> f) f.cancel(false);
        });
    }
}
