package org.mambaplayground.engine.generate;

/**
 * What one generation produced: the text, the generated token ids (stop token left out) and its figures.
 * The state it ran on has consumed the prompt and every generated token but the last one sampled.
 */
public record GenerationResult(String text, int[] tokens, GenerationStats stats) {
    public FinishReason finishReason() { return stats.finishReason(); }
}
