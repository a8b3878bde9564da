package org.mambaplayground.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * The human part of an error body. Servers shape them differently: OpenAI and vLLM {@code {"error": {"message"}}}
 * or {@code {"object": "error", "message"}}, Mistral {@code {"object": "error", "message", "type", "code"}},
 * {@code {"message": "Unauthorized"}} or FastAPI's {@code {"detail": "..."}} / {@code {"detail": [{"loc", "msg"}]}}.
 */
final class ErrorBodies {
    private static final int MAX_TEXT = 300;
    private final ObjectMapper json;

    ErrorBodies(ObjectMapper json) { this.json = json; }

    /** The body's message, or its first characters when it is not JSON; "" when empty. */
    String message(String body) {
        if (body == null || body.isBlank()) return "";
        JsonNode root = parse(body);
        if (root == null) return clip(body);
        String found = message(root);
        return found == null ? clip(body) : clip(found);
    }

    /** The error's type or code ("invalid_model", "model_not_found", "1500"), or "" when none. */
    String type(String body) {
        JsonNode root = parse(body);
        if (root == null) return "";
        JsonNode error = root.has("error") && root.get("error").isObject() ? root.get("error") : root;
        String type = error.path("type").asText("");
        String code = error.path("code").asText("");
        return (type + " " + code).strip();
    }

    /** An error event inside a stream: {@code {"error": ...}} or {@code {"object": "error"}}. */
    static boolean isError(JsonNode event) {
        return event.has("error") && !event.get("error").isNull() || "error".equals(event.path("object").asText());
    }

    String message(JsonNode root) {
        JsonNode error = root.get("error");
        if (error != null && error.isObject()) return text(error.get("message"));
        if (error != null && error.isTextual()) return error.asText();
        String message = text(root.get("message"));
        if (message != null) return message;
        return text(root.get("detail"));
    }

    /** A message field: a string, a FastAPI list of {loc, msg}, or a nested object holding one of those. */
    private String text(JsonNode node) {
        if (node == null || node.isNull()) return null;
        if (node.isTextual()) return node.asText();
        if (node.isArray()) {
            List<String> parts = new ArrayList<>();
            for (JsonNode item : node) {
                String msg = item.path("msg").asText(item.isTextual() ? item.asText() : "");
                List<String> loc = new ArrayList<>();
                item.path("loc").forEach(l -> loc.add(l.asText()));
                parts.add(loc.isEmpty() ? msg : String.join(".", loc) + ": " + msg);
            }
            return String.join("; ", parts);
        }
        if (node.isObject()) {
            String inner = message(node);
            return inner != null ? inner : node.toString();
        }
        return node.asText();
    }

    private JsonNode parse(String body) {
        try {
            JsonNode root = json.readTree(body);
            return root != null && root.isObject() ? root : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static String clip(String text) {
        String line = text.replaceAll("\\s+", " ").strip();
        return line.length() <= MAX_TEXT ? line : line.substring(0, MAX_TEXT) + "...";
    }
}
