package org.mambaplayground.remote;

/**
 * One answer as measured at the client, network included: times run from the moment the request was sent.
 *
 * @param promptTokens     from the server's {@code usage}; -1 when it sent none
 * @param completionTokens from {@code usage}, else the number of content chunks (see {@code tokensFromUsage})
 * @param tokensFromUsage  true when the server reported the counts; false when they are chunks counted here
 * @param ttftMillis       request sent to first content piece arrived; NaN when no content came
 * @param millisPerToken   first to last content piece over the tokens between them; NaN under two tokens
 * @param totalMillis      request sent to the stream's end (or its cut)
 * @param chunks           content pieces received
 */
public record RemoteStats(int promptTokens, int completionTokens, boolean tokensFromUsage, double ttftMillis,
                          double millisPerToken, double totalMillis, int chunks) {

    /** Tokens per second of the decode (NaN when it cannot be told). */
    public double tokensPerSecond() { return 1000.0 / millisPerToken; }
}
