package org.mambaplayground.engine.generate;

/**
 * temperature 0 means greedy; topP 1 means no nucleus cut. The penalties follow OpenAI's definition over
 * the tokens generated so far: {@code logit -= count * frequencyPenalty + (count > 0 ? presencePenalty : 0)}.
 */
public record SamplingOptions(float temperature, float topP, long seed, int maxTokens,
                              float frequencyPenalty, float presencePenalty) {
    public SamplingOptions(float temperature, float topP, long seed, int maxTokens) {
        this(temperature, topP, seed, maxTokens, 0f, 0f);
    }

    public static SamplingOptions greedy(int maxTokens) { return new SamplingOptions(0f, 1f, 0L, maxTokens); }
}
