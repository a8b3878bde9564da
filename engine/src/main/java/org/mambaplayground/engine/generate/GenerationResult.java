package org.mambaplayground.engine.generate;

/**
 * What one generation produced: the text, the generated token ids (stop token left out) and its figures.
 * The state it ran on has consumed the prompt and every generated token but the last one sampled;
 * {@code nextLogits} are the logits after what it consumed (those the last token was sampled from; null when
 * cancelled before the prompt was read), so a caller can go on from the state without feeding anything again.
 */
public record GenerationResult(String text, int[] tokens, GenerationStats stats, float[] nextLogits) {
    public FinishReason finishReason() { return stats.finishReason(); }
}
