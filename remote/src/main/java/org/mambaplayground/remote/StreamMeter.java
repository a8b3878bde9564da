package org.mambaplayground.remote;

/**
 * Times an answer at the client as its pieces arrive: TTFT from the request's start to the first content piece,
 * time per token from the first to the last piece. Token counts come from the server's {@code usage} when it
 * sends one, else from the content pieces counted here.
 */
final class StreamMeter {
    private final long start = System.nanoTime();
    private final StringBuilder text = new StringBuilder();
    private long first = -1;
    private long last = -1;
    private int chunks;
    private int promptTokens = -1;
    private int completionTokens = -1;

    void piece(String content) {
        if (content.isEmpty()) return;
        long now = System.nanoTime();
        if (first < 0) first = now;
        last = now;
        chunks++;
        text.append(content);
    }

    void usage(int prompt, int completion) {
        promptTokens = prompt;
        completionTokens = completion;
    }

    int chunks() { return chunks; }

    int characters() { return text.length(); }

    ChatResult result(String finishReason) {
        boolean fromUsage = completionTokens >= 0;
        int tokens = fromUsage ? completionTokens : chunks;
        double ttft = first < 0 ? Double.NaN : (first - start) / 1e6;
        double perToken = tokens >= 2 && last > first ? (last - first) / 1e6 / (tokens - 1) : Double.NaN;
        double total = (System.nanoTime() - start) / 1e6;
        return new ChatResult(text.toString(), finishReason,
                new RemoteStats(promptTokens, tokens, fromUsage, ttft, perToken, total, chunks));
    }
}
