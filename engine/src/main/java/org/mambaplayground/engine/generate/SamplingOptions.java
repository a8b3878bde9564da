package org.mambaplayground.engine.generate;

/** temperature 0 means greedy; topP 1 means no nucleus cut. */
public record SamplingOptions(float temperature, float topP, long seed, int maxTokens) {
    public static SamplingOptions greedy(int maxTokens) { return new SamplingOptions(0f, 1f, 0L, maxTokens); }
}
