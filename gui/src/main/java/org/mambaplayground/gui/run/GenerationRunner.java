package org.mambaplayground.gui.run;

import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import javafx.application.Platform;
import org.mambaplayground.backend.ModelBackend;
import org.mambaplayground.backend.ProbeListener;
import org.mambaplayground.backend.ProbeRequest;
import org.mambaplayground.backend.ProbeResult;
import org.mambaplayground.backend.Reply;
import org.mambaplayground.backend.ReplyListener;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.chat.StreamBatcher;
import org.mambaplayground.gui.metrics.GenerationGate;
import org.mambaplayground.gui.metrics.MetricsStore;

/**
 * Runs the app's generations (a chat answer, one side of a comparison, one point of a sweep) one way, whatever
 * the backend: it holds the model for the length of the run, waits at the {@link GenerationGate} so no two
 * generations share the cores, batches the stream onto the FX thread ({@link StreamBatcher}) and records the
 * figures in the {@link MetricsStore} with where they were measured.
 */
public final class GenerationRunner {
    /** What runs once the model is held and the gate passed: one answer, streamed into {@code listener}. */
    @FunctionalInterface
    public interface Generation {
        Reply run(ReplyListener listener);
    }

    /**
     * How a run ended: the reply (null when there was none), or a one-line failure for the user (null when it
     * answered; "Stopped before it started." when cancelled while waiting).
     */
    public record Outcome(Reply reply, String failure) {
        public boolean answered() { return reply != null; }
    }

    static final String STOPPED_WAITING = "Stopped before it started.";

    private final Executor executor;
    private final GenerationGate gate;
    private final MetricsStore metrics;
    private final Function<ModelBackend, Hold> holder;

    /** @param holder keeps a backend's model open (the app passes its reference counting) */
    public GenerationRunner(Executor executor, GenerationGate gate, MetricsStore metrics, Function<ModelBackend, Hold> holder) {
        this.executor = executor;
        this.gate = gate;
        this.metrics = metrics;
        this.holder = holder;
    }

    /** The application's runner: its background executor, shared gate and metrics, and the model manager's holds. */
    public static GenerationRunner of(AppContext ctx) {
        // taken first: a shared service created inside another's creation is a recursive update of the registry
        GenerationGate gate = ctx.shared(GenerationGate.class, GenerationGate::new);
        MetricsStore metrics = ctx.shared(MetricsStore.class, MetricsStore::new);
        return ctx.shared(GenerationRunner.class, () -> new GenerationRunner(ctx.background(), gate, metrics, ctx.models()::hold));
    }

    public MetricsStore metrics() { return metrics; }

    public GenerationGate gate() { return gate; }

    /** Takes a hold on {@code backend}'s model now (on the FX thread, before the active model can change). */
    public Hold hold(ModelBackend backend) { return holder.apply(backend); }

    /**
     * Starts {@code generation} on the background executor; the model is held from now (call on the FX thread)
     * until it ends. {@code sink} gets the stream on the FX thread, then {@code done} the outcome there.
     *
     * @param source      what the recorded point is: "chat", "compare"
     * @param whenWaiting called on the FX thread if another generation holds the gate
     */
    public void start(ModelBackend backend, String source, CancellationToken cancel, Runnable whenWaiting,
                      StreamBatcher.Sink sink, Generation generation, Consumer<Outcome> done) {
        Hold held = hold(backend);
        executor.execute(() -> {
            Outcome outcome;
            try {
                outcome = runHeld(backend, source, cancel, () -> Platform.runLater(whenWaiting), sink, generation);
            } finally {
                held.close();
            }
            Outcome ended = outcome;
            Platform.runLater(() -> done.accept(ended));
        });
    }

    /**
     * Runs {@code work} (a sweep: many probes) on the background executor with {@code backend}'s model held from now
     * (call on the FX thread) until it returns.
     */
    public void startHeld(ModelBackend backend, Runnable work) {
        Hold held = hold(backend);
        executor.execute(() -> {
            try {
                work.run();
            } finally {
                held.close();
            }
        });
    }

    /**
     * The same on the calling background thread, which must already hold the model (a comparison loads and holds
     * each side itself). {@code whenWaiting} is called on this thread.
     */
    public Outcome run(ModelBackend backend, String source, CancellationToken cancel, Runnable whenWaiting,
                       StreamBatcher.Sink sink, Generation generation) {
        return runHeld(backend, source, cancel, whenWaiting, sink, generation);
    }

    /**
     * One latency probe behind the gate, on the calling background thread (which holds the model); recorded as a
     * "sweep" point unless {@code record} is false (a warm-up).
     *
     * @return the figures, or null when cancelled while waiting or before the first repeat ended
     */
    public ProbeResult probe(ModelBackend backend, ProbeRequest request, CancellationToken cancel, Runnable whenWaiting,
                             ProbeListener listener, boolean record) {
        ProbeResult result;
        try (GenerationGate.Pass pass = gate.enter(cancel, whenWaiting)) {
            if (pass == null) return null;
            result = backend.probe(request, cancel, listener);
        }
        if (result != null && record && !cancel.isCancelled()) {
            metrics.record(backend.name(), backend.spec().orElse(null), "sweep", result.stats(), result.repeats());
        }
        return result;
    }

    private Outcome runHeld(ModelBackend backend, String source, CancellationToken cancel, Runnable whenWaiting,
                            StreamBatcher.Sink sink, Generation generation) {
        try (GenerationGate.Pass pass = gate.enter(cancel, whenWaiting)) {
            if (pass == null) return new Outcome(null, STOPPED_WAITING);
            StreamBatcher batcher = new StreamBatcher(sink);
            Reply reply;
            try {
                reply = generation.run(batcher);
            } finally {
                batcher.flush(); // a failed stream has no finish event: show what arrived before the failure
            }
            metrics.record(backend.name(), backend.spec().orElse(null), source, reply.stats(), 1);
            return new Outcome(reply, null);
        } catch (RuntimeException | Error e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new Outcome(null, "Generation failed: " + message);
        }
    }
}
