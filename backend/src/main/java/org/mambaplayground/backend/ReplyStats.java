package org.mambaplayground.backend;

import java.util.OptionalLong;
import org.mambaplayground.engine.generate.FinishReason;
import org.mambaplayground.engine.generate.GenerationStats;

/**
 * The measured figures of one answer (or of one latency probe), and where they were measured.
 *
 * @param promptTokens           prompt tokens read for this answer (a chat turn in the engine reads only its new
 *                               tokens; a remote server reports the whole prompt in {@code usage}); -1 when unknown
 * @param completionTokens       tokens generated
 * @param prefillMillis          time to read the prompt; at the client it cannot be told apart from the time to the
 *                               first token and is the same figure
 * @param timeToFirstTokenMillis from the request to the first token (at the client: to the first streamed piece)
 * @param millisPerToken         mean time per generated token after the first (a probe: the median over its repeats);
 *                               0 when fewer than two tokens came
 * @param contextTokens          tokens in the context when the answer ended
 * @param stateBytes             bytes the inference state really held at the end; empty when not measured (remote)
 * @param finishReason           why the answer ended
 * @param measuredAt             in the engine, or at the client with the network included
 * @param tokenSource            where the token counts come from
 */
public record ReplyStats(
        int promptTokens,
        int completionTokens,
        double prefillMillis,
        double timeToFirstTokenMillis,
        double millisPerToken,
        int contextTokens,
        OptionalLong stateBytes,
        FinishReason finishReason,
        MeasuredAt measuredAt,
        TokenSource tokenSource) {

    /** Where token counts come from. */
    public enum TokenSource {
        /** The engine counted the tokens it read and wrote. */
        ENGINE,
        /** The server's {@code usage} report. */
        USAGE,
        /** Counted from the stream's chunks (a server that sends no usage): one token per content chunk. */
        STREAM_CHUNKS
    }

    /** The engine's figures of one generation. */
    public static ReplyStats of(GenerationStats s) {
        return new ReplyStats(s.promptTokens(), s.generatedTokens(), s.prefillMillis(), s.timeToFirstTokenMillis(),
                s.millisPerToken(), s.contextTokens(), OptionalLong.of(s.stateBytes()), s.finishReason(),
                MeasuredAt.ENGINE, TokenSource.ENGINE);
    }

    /** The same figures with another ms per token (a probe's median). */
    public ReplyStats withMillisPerToken(double median) {
        return new ReplyStats(promptTokens, completionTokens, prefillMillis, timeToFirstTokenMillis, median,
                contextTokens, stateBytes, finishReason, measuredAt, tokenSource);
    }

    public double tokensPerSecond() { return millisPerToken <= 0 ? 0 : 1000.0 / millisPerToken; }

    public double prefillTokensPerSecond() { return prefillMillis <= 0 || promptTokens <= 0 ? 0 : promptTokens * 1000.0 / prefillMillis; }

    /** True when these figures include the network (a remote model measured at the client). */
    public boolean remote() { return measuredAt == MeasuredAt.CLIENT; }
}
