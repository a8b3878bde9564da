package org.mambaplayground.backend;

/**
 * One point of a latency sweep.
 *
 * @param promptTokens tokens of the prompt (a remote backend sends a text of about that many; the result says how
 *                     many the server read)
 * @param decodeTokens tokens decoded after the prompt in each repeat
 * @param repeats      decodes of the answer; the result's ms per token is their median
 */
public record ProbeRequest(int promptTokens, int decodeTokens, int repeats) {
    public ProbeRequest {
        if (promptTokens < 2) throw new IllegalArgumentException("a probe prompt needs at least 2 tokens, not " + promptTokens);
        if (decodeTokens < 2) throw new IllegalArgumentException("a probe decodes at least 2 tokens (one interval), not " + decodeTokens);
        if (repeats < 1) throw new IllegalArgumentException("a probe needs at least one repeat, not " + repeats);
    }
}
