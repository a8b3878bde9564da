package org.mambaplayground.engine.generate;

import java.util.Arrays;
import org.mambaplayground.engine.model.InferenceState;
import org.mambaplayground.engine.model.Model;
import org.mambaplayground.engine.tokenizer.StreamingDecoder;
import org.mambaplayground.engine.tokenizer.Tokenizer;

/**
 * Runs one generation on a state: the prompt in prefill chunks (progress and cancellation between
 * chunks), then token-by-token decode with a {@link Sampler}, streaming text through the tokenizer's
 * {@link StreamingDecoder} and measuring {@link GenerationStats}. Not thread-safe: one call at a time
 * per state.
 */
public final class Generator {
    /** The smallest prefill chunk a model gets: cancellation and progress are checked between chunks. */
    public static final int DEFAULT_PREFILL_CHUNK = 128;
    /** The largest: beyond it a batch only grows the activations, not the kernels' reuse of each weight. */
    static final int MAX_PREFILL_CHUNK = 1024;
    /**
     * Multiply-adds one prefill chunk may hold, about two seconds of a 2-core machine's matrix throughput: a
     * small model's prompt goes in chunks large enough for the prefill kernel's weight panels (used from 192
     * tokens), while a 7B or 12B model keeps 128-token chunks, so Stop still acts within one chunk.
     */
    static final long CHUNK_MULTIPLY_ADDS = 250_000_000_000L;

    private final Model model;
    private final Tokenizer tokenizer;
    private final int prefillChunk;

    public Generator(Model model, Tokenizer tokenizer) { this(model, tokenizer, prefillChunk(model.spec().parametersPerToken())); }

    /**
     * The prefill chunk for a model of {@code parametersPerToken}: {@link #CHUNK_MULTIPLY_ADDS} worth of tokens,
     * a multiple of 64 between {@link #DEFAULT_PREFILL_CHUNK} and {@link #MAX_PREFILL_CHUNK}. Chosen from the
     * model, never from timings, so the same prompt is always cut the same way (and gives the same logits).
     */
    static int prefillChunk(long parametersPerToken) {
        long tokens = CHUNK_MULTIPLY_ADDS / Math.max(1, parametersPerToken);
        return (int) Math.clamp(tokens / 64 * 64, DEFAULT_PREFILL_CHUNK, MAX_PREFILL_CHUNK);
    }

    /** Tokens per prefill call (progress and cancellation are checked between calls). */
    public int prefillChunk() { return prefillChunk; }

    public Generator(Model model, Tokenizer tokenizer, int prefillChunk) {
        if (prefillChunk < 1) throw new IllegalArgumentException("prefill chunk must be >= 1, got " + prefillChunk);
        this.model = model;
        this.tokenizer = tokenizer;
        this.prefillChunk = prefillChunk;
    }

    public Model model() { return model; }

    public Tokenizer tokenizer() { return tokenizer; }

    /**
     * Feeds {@code prompt} (at least one token) after what {@code state} holds, then generates up to
     * {@code options.maxTokens()} tokens. Ends with {@link FinishReason#STOP} on a stop token,
     * {@link FinishReason#LENGTH} at max tokens or at the model's context limit, and
     * {@link FinishReason#CANCELLED} when {@code cancel} is set (checked between prefill chunks and
     * before every token). Text flushed from the decoder at the end arrives as {@code onToken(-1, text)}.
     *
     * @throws IllegalArgumentException when the prompt is empty or does not fit the model's context
     */
    public GenerationResult generate(InferenceState state, int[] prompt, SamplingOptions options, int[] stopTokens,
                                     CancellationToken cancel, GenerationListener listener) {
        return generate(state, prompt, null, options, stopTokens, cancel, listener);
    }

    /**
     * As {@link #generate(InferenceState, int[], SamplingOptions, int[], CancellationToken, GenerationListener)},
     * but the prompt may be empty when {@code logitsOfState} (the logits that predict the token after what
     * {@code state} holds, e.g. kept with a checkpoint) are given: then nothing is prefilled.
     */
    public GenerationResult generate(InferenceState state, int[] prompt, float[] logitsOfState, SamplingOptions options,
                                     int[] stopTokens, CancellationToken cancel, GenerationListener listener) {
        if (prompt.length == 0 && logitsOfState == null) throw new IllegalArgumentException("the prompt must hold at least one token");
        if (options.maxTokens() < 0) throw new IllegalArgumentException("max tokens must be >= 0, got " + options.maxTokens());
        long maxContext = model.spec().maxContext();
        if (maxContext > 0 && state.position() + (long) prompt.length > maxContext) {
            throw new IllegalArgumentException("the prompt (" + prompt.length + " tokens" + (state.position() > 0
                    ? " after " + state.position() + " already processed" : "") + ") does not fit the model's context of "
                    + maxContext + " tokens");
        }
        Sampler sampler = new Sampler(options);
        CancellationToken token = cancel == null ? new CancellationToken() : cancel;
        GenerationListener events = listener == null ? new GenerationListener() {} : listener;

        long start = System.nanoTime();
        int positionBefore = state.position();
        float[] logits = prompt.length == 0 ? logitsOfState : prefill(state, prompt, token, events);
        // a prefill stopped part way reports the tokens it really processed, not the prompt's length
        int prefilled = logits == null ? state.position() - positionBefore : prompt.length;
        long prefillEnd = System.nanoTime();
        double prefillMillis = (prefillEnd - start) / 1e6;
        if (logits != null) events.onPromptRead(state, logits); // a checkpoint taken here delays the first token, not the prefill

        StreamingDecoder decoder = tokenizer.streamingDecoder();
        StringBuilder text = new StringBuilder();
        int[] generated = new int[Math.min(options.maxTokens(), 1024)];
        int count = 0;
        double timeToFirstToken = 0;
        long firstTokenAt = 0;
        int decodeSteps = 0;
        FinishReason reason;
        if (logits == null) {
            reason = FinishReason.CANCELLED;
        } else {
            while (true) {
                if (count >= options.maxTokens()) { reason = FinishReason.LENGTH; break; }
                if (token.isCancelled()) { reason = FinishReason.CANCELLED; break; }
                int next = sampler.sample(tokenizerVocabulary(logits));
                if (count == 0) {
                    firstTokenAt = System.nanoTime();
                    timeToFirstToken = (firstTokenAt - start) / 1e6;
                }
                if (contains(stopTokens, next)) { reason = FinishReason.STOP; break; }
                if (count == generated.length) generated = Arrays.copyOf(generated, generated.length * 2);
                generated[count++] = next;
                String piece = decoder.next(next);
                text.append(piece);
                events.onToken(next, piece);
                if (count >= options.maxTokens()) { reason = FinishReason.LENGTH; break; }
                if (maxContext > 0 && state.position() >= maxContext) { reason = FinishReason.LENGTH; break; }
                if (token.isCancelled()) { reason = FinishReason.CANCELLED; break; }
                logits = model.decode(state, next);
                decodeSteps++;
            }
        }
        String rest = decoder.flush();
        if (!rest.isEmpty()) {
            text.append(rest);
            events.onToken(-1, rest);
        }
        long end = System.nanoTime();
        double millisPerToken = decodeSteps == 0 ? 0 : (end - firstTokenAt) / 1e6 / decodeSteps;
        GenerationStats stats = new GenerationStats(prefilled, count, prefillMillis, timeToFirstToken,
                millisPerToken, state.bytes(), state.position(), reason);
        events.onFinished(stats);
        return new GenerationResult(text.toString(), Arrays.copyOf(generated, count), stats, logits);
    }

    /**
     * The logits of the ids the tokenizer has pieces for. A checkpoint may pad its vocabulary beyond the tokenizer's
     * (the loader accepts that): those rows have no text, so they are never sampled.
     */
    private float[] tokenizerVocabulary(float[] logits) {
        int pieces = tokenizer.vocabularySize();
        return pieces > 0 && pieces < logits.length ? Arrays.copyOf(logits, pieces) : logits;
    }

    /** Prefills in chunks; returns the logits after the last token, or null when cancelled. */
    private float[] prefill(InferenceState state, int[] prompt, CancellationToken cancel, GenerationListener events) {
        events.onPrefillProgress(0, prompt.length);
        float[] logits = null;
        for (int from = 0; from < prompt.length; from += prefillChunk) {
            if (cancel.isCancelled()) return null;
            int to = Math.min(prompt.length, from + prefillChunk);
            logits = model.prefill(state, Arrays.copyOfRange(prompt, from, to));
            events.onPrefillProgress(to, prompt.length);
        }
        return logits;
    }

    private static boolean contains(int[] values, int value) {
        if (values == null) return false;
        for (int v : values) if (v == value) return true;
        return false;
    }
}
