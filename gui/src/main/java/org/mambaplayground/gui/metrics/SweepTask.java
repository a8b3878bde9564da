package org.mambaplayground.gui.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javafx.concurrent.Task;
import org.mambaplayground.backend.ModelBackend;
import org.mambaplayground.backend.ProbeListener;
import org.mambaplayground.backend.ProbeRequest;
import org.mambaplayground.backend.ProbeResult;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.gui.run.GenerationRunner;

/**
 * Runs the backend's latency probe at growing prompt lengths and records each point: the latency-vs-prompt-length
 * and memory-vs-context curves of that model. Each prompt is read once and its answer decoded
 * {@link #DECODE_REPEATS} times; the point's ms per token is their median (the backend's arithmetic, not the
 * GUI's). An unrecorded warm-up probe comes first. Cancelling stops at the next prefill chunk, token or event.
 */
public final class SweepTask extends Task<Integer> {
    /** Tokens generated in each decode repeat after a prompt. */
    public static final int DECODE_TOKENS = 8;
    /** Decodes of the same answer per prompt: the point's ms per token is their median. */
    public static final int DECODE_REPEATS = 3;

    private final ModelBackend backend;
    private final int[] lengths;
    private final GenerationRunner runner;
    private final CancellationToken cancel = new CancellationToken();

    /** @param runner each prompt waits at its gate for the app's other generations, so its timing is the model's alone */
    public SweepTask(ModelBackend backend, int[] lengths, GenerationRunner runner) {
        if (lengths.length == 0) throw new IllegalArgumentException("a sweep needs at least one prompt length");
        this.backend = backend;
        this.lengths = lengths.clone();
        this.runner = runner;
        updateTitle("Sweep " + backend.name());
    }

    /** Prompt lengths 8, 16, 32 ... up to {@code maxTokens}, kept inside the model's context. */
    public static int[] doublingLengths(int maxTokens, long modelMaxContext) {
        long limit = modelMaxContext > 0 ? Math.min(maxTokens, modelMaxContext - DECODE_TOKENS - 1) : maxTokens;
        List<Integer> out = new ArrayList<>();
        for (int n = 8; n <= limit; n *= 2) out.add(n);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    public int[] lengths() { return lengths.clone(); }

    @Override
    protected Integer call() {
        warmUp();
        int done = 0;
        for (int i = 0; i < lengths.length && !isCancelled(); i++) {
            int length = lengths[i];
            int step = i;
            updateMessage("Prompt of " + length + " tokens (" + (i + 1) + " of " + lengths.length + ")");
            ProbeListener progress = new ProbeListener() {
                @Override public void onPrefill(int prefilled, int total) {
                    updateProgress(step + 0.8 * prefilled / Math.max(1, total), lengths.length);
                    updateMessage("Prompt of " + length + " tokens: processing " + prefilled + "/" + total);
                }

                @Override public void onRepeat(int repeats) { // decode progress is the last fifth of each step
                    updateProgress(step + 0.8 + 0.2 * repeats / DECODE_REPEATS, lengths.length);
                    updateMessage("Prompt of " + length + " tokens: decoded " + repeats + " of " + DECODE_REPEATS + " times");
                }
            };
            ProbeResult measured = runner.probe(backend, new ProbeRequest(length, DECODE_TOKENS, DECODE_REPEATS), cancel,
                    () -> updateMessage("Prompt of " + length + " tokens: waiting for the chat or comparison to finish"),
                    progress, true);
            if (measured == null || cancel.isCancelled() || isCancelled()) break;
            done++;
            updateProgress(i + 1, lengths.length);
        }
        updateMessage(isCancelled() ? "Sweep cancelled after " + done + " lengths" : "Sweep done: " + done + " lengths");
        return done;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        cancel.cancel(); // reach the backend at once: it checks the token at each prefill chunk, token or event
        return super.cancel(false);
    }

    /**
     * One unrecorded probe of the shortest prompt first: the JIT compiles the kernels and the worker threads start
     * (or a remote connection opens), so that cost does not land on the first plotted point.
     */
    private void warmUp() {
        updateMessage("Warming up (not plotted)");
        runner.probe(backend, new ProbeRequest(lengths[0], DECODE_TOKENS, 1), cancel,
                () -> updateMessage("Waiting for the chat or comparison to finish"), null, false);
    }

    @Override
    public String toString() { return "SweepTask" + Arrays.toString(lengths); }
}
