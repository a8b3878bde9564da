package org.mambaplayground.engine.generate;

/** Measured figures of one generation. */
public record GenerationStats(
        int promptTokens,
        int generatedTokens,
        double prefillMillis,
        double timeToFirstTokenMillis,
        double millisPerToken,
        long stateBytes,
        int contextTokens,
        FinishReason finishReason) {

    public double prefillTokensPerSecond() { return prefillMillis <= 0 ? 0 : promptTokens * 1000.0 / prefillMillis; }

    public double tokensPerSecond() { return millisPerToken <= 0 ? 0 : 1000.0 / millisPerToken; }
}
