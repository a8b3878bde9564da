package org.mambaplayground.gui.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javafx.concurrent.Task;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.GenerationListener;
import org.mambaplayground.engine.generate.Generator;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.load.LoadedModel;

/**
 * Runs prompts of growing length on one model, each on a fresh state, and records the engine's figures
 * for every length: the latency-vs-prompt-length and memory-vs-context curves of that model. Each prompt is
 * prefilled once and its answer decoded {@link #DECODE_REPEATS} times; the point's ms per token is their
 * median. An unrecorded warm-up run comes first. Cancelling stops at the next prefill chunk or token.
 */
public final class SweepTask extends Task<Integer> {
    /** Tokens generated in each decode repeat after a prompt. */
    public static final int DECODE_TOKENS = 8;
    /** Decodes of the same answer per prompt: the point's ms per token is their median. */
    public static final int DECODE_REPEATS = 3;
    private static final String FILLER = "The state of a selective state space model has a fixed size, "
            + "while a transformer keeps a key and a value for every token it has read. ";

    private final LoadedModel model;
    private final int[] lengths;
    private final MetricsStore store;
    private final GenerationGate gate;
    private final CancellationToken cancel = new CancellationToken();

    /** @param gate each prompt waits for the app's other generations, so its timing is the model's alone */
    public SweepTask(LoadedModel model, int[] lengths, MetricsStore store, GenerationGate gate) {
        if (lengths.length == 0) throw new IllegalArgumentException("a sweep needs at least one prompt length");
        this.model = model;
        this.lengths = lengths.clone();
        this.store = store;
        this.gate = gate;
        updateTitle("Sweep " + model.name());
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
        Generator generator = new Generator(model.model(), model.tokenizer());
        int[] filler = fillerTokens();
        warmUp(generator, filler);
        int done = 0;
        for (int i = 0; i < lengths.length && !isCancelled(); i++) {
            int length = lengths[i];
            int step = i;
            int[] prompt = prompt(filler, length);
            updateMessage("Prompt of " + length + " tokens (" + (i + 1) + " of " + lengths.length + ")");
            GenerationListener progress = new GenerationListener() {
                @Override public void onPrefillProgress(int prefilled, int total) {
                    updateProgress(step + 0.8 * prefilled / Math.max(1, total), lengths.length);
                    updateMessage("Prompt of " + length + " tokens: processing " + prefilled + "/" + total);
                }
            };
            DecodeRepeats.Measured measured;
            try (GenerationGate.Pass pass = gate.enter(cancel,
                    () -> updateMessage("Prompt of " + length + " tokens: waiting for the chat or comparison to finish"))) {
                if (pass == null) break;
                // decode progress is the last fifth of each step
                measured = DecodeRepeats.measure(generator, prompt, DECODE_REPEATS, DECODE_TOKENS, cancel, progress, repeats -> {
                    updateProgress(step + 0.8 + 0.2 * repeats / DECODE_REPEATS, lengths.length);
                    updateMessage("Prompt of " + length + " tokens: decoded " + repeats + " of " + DECODE_REPEATS + " times");
                });
            }
            if (measured == null || cancel.isCancelled() || isCancelled()) break;
            store.record(model.name(), model.model().spec(), "sweep", measured.stats(), measured.repeats().size());
            done++;
            updateProgress(i + 1, lengths.length);
        }
        updateMessage(isCancelled() ? "Sweep cancelled after " + done + " lengths" : "Sweep done: " + done + " lengths");
        return done;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        cancel.cancel(); // reach the engine at once: it checks the token at each prefill chunk and token
        return super.cancel(false);
    }

    /**
     * One unrecorded run of the shortest prompt first: the JIT compiles the kernels and the worker
     * threads start, so that cost does not land on the first plotted point.
     */
    private void warmUp(Generator generator, int[] filler) {
        updateMessage("Warming up (not plotted)");
        try (GenerationGate.Pass pass = gate.enter(cancel, () -> updateMessage("Waiting for the chat or comparison to finish"))) {
            if (pass == null) return;
            generator.generate(model.model().newState(), prompt(filler, lengths[0]), SamplingOptions.greedy(DECODE_TOKENS),
                    new int[0], cancel, null);
        }
    }

    private int[] fillerTokens() {
        int[] tokens = model.tokenizer().encode(FILLER);
        if (tokens.length == 0) throw new IllegalStateException(model.name() + ": the tokenizer encoded the sweep text to no tokens");
        return tokens;
    }

    /** BOS followed by the filler text repeated, cut to {@code length} tokens. */
    private int[] prompt(int[] filler, int length) {
        int[] prompt = new int[length];
        prompt[0] = model.tokenizer().bos();
        for (int i = 1; i < length; i++) prompt[i] = filler[(i - 1) % filler.length];
        return prompt;
    }

    @Override
    public String toString() { return "SweepTask" + Arrays.toString(lengths); }
}
