package org.mambaplayground.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mambaplayground.engine.generate.FinishReason;

/** The JSON bodies, field by field as the OpenAI API reference shapes them. */
final class ResponseShapes {
    private final ObjectMapper json;

    ResponseShapes(ObjectMapper json) { this.json = json; }

    ObjectNode error(String message, String type, String param, String code) {
        ObjectNode root = json.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return root;
    }

    ObjectNode model(String id, long created) {
        ObjectNode m = json.createObjectNode();
        m.put("id", id);
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "mamba-playground");
        return m;
    }

    ObjectNode modelList(Iterable<ObjectNode> models) {
        ObjectNode root = json.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        models.forEach(data::add);
        return root;
    }

    /** {@code text_completion} (whole answer, or one streamed chunk with {@code usage} left out). */
    ObjectNode completion(String id, long created, String model) {
        ObjectNode root = envelope("text_completion", id, created, model);
        root.putArray("choices");
        return root;
    }

    /** The fields every completion body and chunk starts with. */
    private ObjectNode envelope(String object, String id, long created, String model) {
        ObjectNode root = json.createObjectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        root.putNull("system_fingerprint");
        return root;
    }

    void addCompletionChoice(ObjectNode completion, int index, String text, FinishReason finish) {
        ObjectNode choice = ((ArrayNode) completion.get("choices")).addObject();
        choice.put("text", text);
        choice.put("index", index);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(finish));
    }

    /** {@code chat.completion} (non-streaming). */
    ObjectNode chatCompletion(String id, long created, String model) {
        ObjectNode root = envelope("chat.completion", id, created, model);
        root.putArray("choices");
        return root;
    }

    void addChatChoice(ObjectNode completion, int index, String content, FinishReason finish) {
        ObjectNode choice = ((ArrayNode) completion.get("choices")).addObject();
        choice.put("index", index);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", content);
        message.putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(finish));
    }

    /**
     * One {@code chat.completion.chunk}: {@code role} set on the first, {@code content} on text chunks,
     * {@code finish} on the last. With include_usage every chunk carries {@code "usage": null}.
     */
    ObjectNode chatChunk(String id, long created, String model, String role, String content, FinishReason finish,
                         boolean includeUsage) {
        ObjectNode root = envelope("chat.completion.chunk", id, created, model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (role != null) delta.put("role", role);
        if (content != null) delta.put("content", content);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(finish));
        if (includeUsage) root.putNull("usage");
        return root;
    }

    /** The last chunk of a stream with include_usage: no choices, the usage of the whole request. */
    ObjectNode usageChunk(String id, long created, String model, boolean chat, int promptTokens, int completionTokens) {
        ObjectNode root = envelope(chat ? "chat.completion.chunk" : "text_completion", id, created, model);
        root.putArray("choices");
        root.set("usage", usage(promptTokens, completionTokens));
        return root;
    }

    ObjectNode usage(int promptTokens, int completionTokens) {
        ObjectNode usage = json.createObjectNode();
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens);
        usage.put("total_tokens", promptTokens + completionTokens);
        return usage;
    }

    /** OpenAI's finish reasons: "stop" (stop token or stop string), "length"; null while running. */
    static String finishReason(FinishReason finish) {
        if (finish == null) return null;
        return switch (finish) {
            case STOP -> "stop";
            case LENGTH -> "length";
            case CANCELLED -> "stop";
        };
    }
}
