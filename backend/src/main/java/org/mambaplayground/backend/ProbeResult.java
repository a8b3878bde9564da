package org.mambaplayground.backend;

/**
 * What a latency probe measured.
 *
 * @param stats          the first repeat's figures (its prefill and time to first token; prompt tokens as really
 *                       read) with the median ms per token of all repeats
 * @param millisPerToken each repeat's ms per token, in order (fewer than asked when cancelled part way, or when a
 *                       sliding window no longer held the prompt's end)
 */
public record ProbeResult(ReplyStats stats, double[] millisPerToken) {
    public ProbeResult {
        millisPerToken = millisPerToken.clone();
    }

    @Override public double[] millisPerToken() { return millisPerToken.clone(); }

    /** Repeats that ran. */
    public int repeats() { return millisPerToken.length; }
}
