package org.mambaplayground.gui.metrics;

import java.time.Instant;
import org.mambaplayground.engine.generate.GenerationStats;
import org.mambaplayground.engine.model.Architecture;

/**
 * One measured generation, as the engine reported it: nothing here is computed by the GUI but the median of
 * a sweep's repeated decodes.
 *
 * @param source        what produced it: "chat", "sweep" or "compare"
 * @param promptTokens  tokens prefilled by this generation (a chat turn only prefills its new tail)
 * @param contextTokens tokens the state held at the end (the x of the state-memory chart)
 * @param stateBytes    bytes the inference state really held at the end
 * @param decodeRepeats decodes of the answer whose median {@code millisPerToken} is (1 but for a sweep)
 */
public record MetricPoint(
        Instant time,
        String model,
        Architecture architecture,
        String source,
        int promptTokens,
        int generatedTokens,
        int contextTokens,
        double prefillMillis,
        double timeToFirstTokenMillis,
        double millisPerToken,
        long stateBytes,
        int decodeRepeats) {

    /** One generation's figures (no repeats). */
    public MetricPoint(Instant time, String model, Architecture architecture, String source, int promptTokens,
                       int generatedTokens, int contextTokens, double prefillMillis, double timeToFirstTokenMillis,
                       double millisPerToken, long stateBytes) {
        this(time, model, architecture, source, promptTokens, generatedTokens, contextTokens, prefillMillis,
                timeToFirstTokenMillis, millisPerToken, stateBytes, 1);
    }

    public static MetricPoint of(String model, Architecture architecture, String source, GenerationStats stats) {
        return of(model, architecture, source, stats, 1);
    }

    public static MetricPoint of(String model, Architecture architecture, String source, GenerationStats stats, int decodeRepeats) {
        return new MetricPoint(Instant.now(), model, architecture, source, stats.promptTokens(),
                stats.generatedTokens(), stats.contextTokens(), stats.prefillMillis(),
                stats.timeToFirstTokenMillis(), stats.millisPerToken(), stats.stateBytes(), decodeRepeats);
    }

    /** Tokens in the context when the answer started: the x of the ms-per-token chart. */
    public int contextBeforeAnswer() { return Math.max(0, contextTokens - generatedTokens); }

    /** A per-token latency exists only when at least one decode step ran. */
    public boolean hasDecodeLatency() { return millisPerToken > 0; }
}
