package org.mambaplayground.remote;

import java.util.List;

/**
 * What one streamed request asks for. A chat request sends {@code messages}; a completion (the latency probe)
 * sends {@code prompt} instead. Null sampling fields are left to the server's defaults.
 */
public record ChatRequest(String model, List<Message> messages, String prompt, Integer maxTokens, Float temperature,
                          Float topP, Long seed) {

    public ChatRequest {
        if (model == null || model.isBlank()) throw new IllegalArgumentException("A request needs a model id");
        if ((messages == null) == (prompt == null)) throw new IllegalArgumentException("A request has either messages or a prompt");
        if (messages != null) {
            messages = List.copyOf(messages);
            if (messages.isEmpty()) throw new IllegalArgumentException("A chat request needs at least one message");
        }
        if (maxTokens != null && maxTokens < 1) throw new IllegalArgumentException("max_tokens must be >= 1, got " + maxTokens);
        if (temperature != null && !(temperature >= 0 && temperature <= 2)) throw new IllegalArgumentException("temperature must be in [0, 2], got " + temperature);
        if (topP != null && !(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
    }

    public static ChatRequest chat(String model, List<Message> messages) {
        return new ChatRequest(model, messages, null, null, null, null, null);
    }

    public static ChatRequest completion(String model, String prompt) {
        return new ChatRequest(model, null, prompt, null, null, null, null);
    }

    public boolean isChat() { return messages != null; }

    public ChatRequest withMaxTokens(Integer n) { return new ChatRequest(model, messages, prompt, n, temperature, topP, seed); }
    public ChatRequest withTemperature(Float t) { return new ChatRequest(model, messages, prompt, maxTokens, t, topP, seed); }
    public ChatRequest withTopP(Float p) { return new ChatRequest(model, messages, prompt, maxTokens, temperature, p, seed); }
    public ChatRequest withSeed(Long s) { return new ChatRequest(model, messages, prompt, maxTokens, temperature, topP, s); }
}
