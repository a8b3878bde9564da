package org.mambaplayground.gui.metrics;

import java.time.Instant;
import org.mambaplayground.backend.MeasuredAt;
import org.mambaplayground.backend.ReplyStats;
import org.mambaplayground.engine.generate.GenerationStats;
import org.mambaplayground.engine.model.Architecture;

/**
 * One measured generation, as its backend reported it (the engine, or a remote endpoint measured at the client):
 * nothing here is computed by the GUI.
 *
 * @param source        what produced it: "chat", "sweep" or "compare"
 * @param promptTokens  tokens prefilled by this generation (a chat turn only prefills its new tail)
 * @param contextTokens tokens the state held at the end (the x of the state-memory chart)
 * @param architecture  null for a remote model whose id maps to no catalog entry
 * @param stateBytes    bytes the inference state really held at the end; -1 when not measured (a remote model)
 * @param decodeRepeats decodes of the answer whose median {@code millisPerToken} is (1 but for a sweep)
 * @param measuredAt    in the engine, or at the client with the network included (a remote model)
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
        int decodeRepeats,
        MeasuredAt measuredAt) {

    /** A point measured by the engine. */
    public MetricPoint(Instant time, String model, Architecture architecture, String source, int promptTokens,
                       int generatedTokens, int contextTokens, double prefillMillis, double timeToFirstTokenMillis,
                       double millisPerToken, long stateBytes, int decodeRepeats) {
        this(time, model, architecture, source, promptTokens, generatedTokens, contextTokens, prefillMillis,
                timeToFirstTokenMillis, millisPerToken, stateBytes, decodeRepeats, MeasuredAt.ENGINE);
    }

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
        return of(model, architecture, source, ReplyStats.of(stats), decodeRepeats);
    }

    public static MetricPoint of(String model, Architecture architecture, String source, ReplyStats stats, int decodeRepeats) {
        return new MetricPoint(Instant.now(), model, architecture, source, Math.max(0, stats.promptTokens()),
                stats.completionTokens(), stats.contextTokens(), stats.prefillMillis(),
                stats.timeToFirstTokenMillis(), stats.millisPerToken(), stats.stateBytes().orElse(-1), decodeRepeats,
                stats.measuredAt());
    }

    /** Measured at the client, network included. */
    public boolean remote() { return measuredAt == MeasuredAt.CLIENT; }

    /** True when the state's real size was measured (never for a remote model). */
    public boolean hasStateBytes() { return stateBytes >= 0; }

    /** Tokens in the context when the answer started: the x of the ms-per-token chart. */
    public int contextBeforeAnswer() { return Math.max(0, contextTokens - generatedTokens); }

    /** A per-token latency exists only when at least one decode step ran. */
    public boolean hasDecodeLatency() { return millisPerToken > 0; }
}
