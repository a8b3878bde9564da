package org.mambaplayground.backend;

import java.util.Optional;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.model.ModelSpec;

/**
 * A source of answers the playground's views use without knowing where it runs: a model loaded in this
 * process's engine ({@link LocalBackend}) or a model behind a remote endpoint (vLLM, llama.cpp's server, Ollama,
 * LM Studio, another playground, Mistral's API). Chat opens {@link Conversation}s on it, the sweep runs
 * {@link #probe latency probes}; every figure comes back in a {@link ReplyStats} that says where it was measured.
 *
 * <p>Methods that generate block the calling thread (never call them on the UI thread) and stop at the next
 * token, chunk or stream event once their {@link CancellationToken} is set; a remote backend closes its stream then.
 * Failures are {@link BackendException}s with a one-line message fit for the user.
 */
public interface ModelBackend {
    /** The model's name, as the metrics and charts group its points: e.g. "codestral-mamba-demo", "open-mistral-nemo". */
    String name();

    /** The name with where it runs, for headers: e.g. "codestral-mamba-demo · Q8_0", "open-mistral-nemo · api.mistral.ai". */
    String label();

    /** Where this backend's figures are measured: in the engine, or at the client (network included). */
    MeasuredAt measuredAt();

    /**
     * The architecture when known. Locally it is the loaded model's own configuration; for a remote model it is
     * the configuration of the catalog entry its id maps to (the state-memory figures drawn from it are then the
     * analytic curve, never a measurement: see {@link #measuredAt()}), and empty when the id maps to none.
     */
    Optional<ModelSpec> spec();

    /**
     * Opens an empty conversation: {@code instruct} lays turns out in the model's chat format (instruct models), otherwise
     * the conversation is one text continued by the model and the user in turn (base models, completions). May
     * allocate the model's state (hundreds of MB for a long KV cache): call it off the UI thread.
     */
    Conversation open(boolean instruct);

    /**
     * Measures latency at one prompt length: a prompt of about {@code request.promptTokens()} tokens is read once,
     * then {@code request.decodeTokens()} tokens are decoded {@code request.repeats()} times; the result's ms per
     * token is the median of the repeats. Nothing is recorded anywhere.
     *
     * @return the figures, or null when cancelled before the first repeat ended
     */
    ProbeResult probe(ProbeRequest request, CancellationToken cancel, ProbeListener listener);

    /**
     * An untimed, unrecorded run of {@code prompt}, so that the first timed run measures the model and not the
     * JIT compiling the kernels (or a cold connection). Does nothing when it already ran on this backend.
     *
     * @return true when it ran to the end now
     */
    default boolean warmUp(String prompt, boolean instruct, CancellationToken cancel) { return false; }
}
