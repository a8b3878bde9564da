package org.mambaplayground.server;

import java.util.List;
import org.mambaplayground.engine.tokenizer.ChatMessage;

/**
 * A validated completion or chat request. Exactly one of {@code prompts} (completions: one entry per
 * prompt, text or token ids) and {@code messages} (chat) is set.
 *
 * @param maxTokens   null when the request named none (the server's default then applies)
 * @param temperature null when the request named none
 * @param seed        null when the request named none (a random seed then applies)
 * @param ignoreEos   the vLLM / llama.cpp extension: generate through end-of-sequence tokens up to max_tokens
 */
record CompletionRequest(
        boolean chat,
        String model,
        List<Prompt> prompts,
        List<ChatMessage> messages,
        Integer maxTokens,
        Float temperature,
        float topP,
        float frequencyPenalty,
        float presencePenalty,
        Long seed,
        List<String> stop,
        boolean stream,
        boolean includeUsage,
        boolean echo,
        boolean ignoreEos) {

    CompletionRequest withModel(String name) {
        return new CompletionRequest(chat, name, prompts, messages, maxTokens, temperature, topP, frequencyPenalty,
                presencePenalty, seed, stop, stream, includeUsage, echo, ignoreEos);
    }

    /** One completion prompt: its text, or token ids given directly. */
    record Prompt(String text, int[] tokens) {}
}
