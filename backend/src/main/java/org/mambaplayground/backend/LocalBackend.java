package org.mambaplayground.backend;

import java.util.Optional;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.ChatSession;
import org.mambaplayground.engine.generate.GenerationListener;
import org.mambaplayground.engine.generate.Generator;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.generate.WarmUp;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.model.ModelSpec;

/**
 * A model loaded in this process's engine. Every figure is the engine's own ({@link MeasuredAt#ENGINE}); the state
 * memory is what the state really holds. Whoever loaded the model keeps it open while this backend is in use.
 */
public final class LocalBackend implements ModelBackend {
    /** Tokens of the compare warm-up's untimed answer: enough to compile the decode step, short for a large model. */
    static final int WARM_UP_ANSWER_TOKENS = 4;
    /** Untimed answers at most: each round repeats while the prefill still gets markedly faster. */
    static final int WARM_UP_MAX_ROUNDS = 3;
    private static final double SETTLED = 0.8;
    private static final String FILLER = "The state of a selective state space model has a fixed size, "
            + "while a transformer keeps a key and a value for every token it has read. ";

    private final LoadedModel loaded;
    private final String label;
    private volatile boolean warm;

    public LocalBackend(LoadedModel loaded) { this(loaded, loaded.name()); }

    /** @param label the name with how it was loaded, e.g. "codestral-mamba-demo · Q8_0" */
    public LocalBackend(LoadedModel loaded, String label) {
        this.loaded = loaded;
        this.label = label;
    }

    /**
     * The engine's session behind a conversation a local backend opened, null for any other: for tests and
     * diagnostics of what the engine read.
     */
    public static ChatSession engineSession(Conversation conversation) {
        return conversation instanceof LocalConversation local ? local.session() : null;
    }

    /** The engine's model behind this backend. */
    public LoadedModel loaded() { return loaded; }

    @Override public String name() { return loaded.name(); }

    @Override public String label() { return label; }

    @Override public MeasuredAt measuredAt() { return MeasuredAt.ENGINE; }

    @Override public Optional<ModelSpec> spec() { return Optional.of(loaded.model().spec()); }

    /** Allocates the model's inference state (up to hundreds of MB for a long KV cache): call it off the UI thread. */
    @Override
    public Conversation open(boolean instruct) {
        return new LocalConversation(new ChatSession(loaded.model(), loaded.tokenizer(), loaded.chatFormat(), instruct));
    }

    /**
     * BOS and a filler text cut to exactly the requested length, read on a fresh state; the answer is then decoded
     * again from the state the prompt left (a Mamba2 state is copied, a KV cache rewinds).
     */
    @Override
    public ProbeResult probe(ProbeRequest request, CancellationToken cancel, ProbeListener listener) {
        ProbeListener events = listener == null ? new ProbeListener() {} : listener;
        GenerationListener prefill = new GenerationListener() {
            @Override public void onPrefillProgress(int done, int total) { events.onPrefill(done, total); }
        };
        DecodeRepeats.Measured measured = DecodeRepeats.measure(new Generator(loaded.model(), loaded.tokenizer()),
                probePrompt(request.promptTokens()), request.repeats(), request.decodeTokens(), cancel, prefill, events::onRepeat);
        return measured == null ? null : new ProbeResult(ReplyStats.of(measured.stats()), measured.millisPerToken());
    }

    /**
     * Runs the engine's kernel warm-up, then untimed answers to {@code prompt} in the timed run's exact path (its
     * prompt length and chat format) until the prefill stops getting faster. Once per backend; a cancelled warm-up
     * does not count.
     */
    @Override
    public boolean warmUp(String prompt, boolean instruct, CancellationToken cancel) {
        if (warm) return false;
        WarmUp.run(loaded.model(), cancel);
        if (cancel.isCancelled()) return false;
        double previous = Double.MAX_VALUE;
        for (int round = 0; round < WARM_UP_MAX_ROUNDS; round++) {
            double prefill = new ChatSession(loaded.model(), loaded.tokenizer(), loaded.chatFormat(), instruct)
                    .send(prompt, SamplingOptions.greedy(WARM_UP_ANSWER_TOKENS), cancel, null).stats().prefillMillis();
            if (cancel.isCancelled()) return false;
            if (prefill > previous * SETTLED) break; // no faster than the round before: compiled
            previous = prefill;
        }
        warm = true;
        return true;
    }

    /** BOS followed by the filler text repeated, cut to {@code length} tokens. */
    int[] probePrompt(int length) {
        int[] filler = loaded.tokenizer().encode(FILLER);
        if (filler.length == 0) throw new BackendException(BackendException.Kind.FAILED,
                loaded.name() + ": the tokenizer encoded the sweep text to no tokens");
        int[] prompt = new int[length];
        prompt[0] = loaded.tokenizer().bos();
        for (int i = 1; i < length; i++) prompt[i] = filler[(i - 1) % filler.length];
        return prompt;
    }

    @Override
    public String toString() { return label; }
}
