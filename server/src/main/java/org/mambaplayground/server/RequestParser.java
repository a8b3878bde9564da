package org.mambaplayground.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mambaplayground.engine.tokenizer.ChatMessage;

/**
 * Reads the JSON body of {@code /v1/completions} and {@code /v1/chat/completions} into a
 * {@link CompletionRequest}, refusing what is malformed or not supported with an {@link ApiException}
 * that names the parameter, as OpenAI does.
 */
final class RequestParser {
    /** Stop strings a request may give (OpenAI allows 4, vLLM and llama.cpp more; 16 costs nothing). */
    static final int MAX_STOPS = 16;

    private final ObjectMapper json;

    RequestParser(ObjectMapper json) { this.json = json; }

    JsonNode parseBody(byte[] body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JacksonException e) {
            throw ApiException.invalid("We could not parse the JSON body of your request: " + JsonErrors.describe(e)
                    + ". The body must be a JSON object.", null);
        } catch (java.io.IOException e) {
            throw ApiException.invalid("We could not read the body of your request.", null);
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw ApiException.invalid("The body of your request must be a JSON object.", null);
        }
        return root;
    }

    CompletionRequest completion(JsonNode body, String modelFromPath) {
        refuseUnsupported(body, false);
        List<CompletionRequest.Prompt> prompts = prompts(body.get("prompt"));
        Integer maxTokens = optionalInt(body, "max_tokens", 1);
        return common(body, false, modelFromPath, prompts, null, maxTokens, optionalBoolean(body, "echo"));
    }

    CompletionRequest chat(JsonNode body) {
        refuseUnsupported(body, true);
        List<ChatMessage> messages = messages(body.get("messages"));
        Integer maxTokens = optionalInt(body, "max_completion_tokens", 1);
        if (maxTokens == null) maxTokens = optionalInt(body, "max_tokens", 1);
        return common(body, true, null, null, messages, maxTokens, false);
    }

    private CompletionRequest common(JsonNode body, boolean chat, String modelFromPath,
                                     List<CompletionRequest.Prompt> prompts, List<ChatMessage> messages,
                                     Integer maxTokens, boolean echo) {
        String model = modelFromPath;
        JsonNode m = body.get("model");
        if (m != null && !m.isNull()) {
            if (!m.isTextual()) throw ApiException.invalid("'model' must be a string.", "model");
            if (model == null) model = m.asText();
        }
        Float temperature = optionalNumber(body, "temperature", 2);
        float frequencyPenalty = penalty(body, "frequency_penalty");
        float presencePenalty = penalty(body, "presence_penalty");
        Float p = optionalNumber(body, "top_p", 1);
        float topP = p != null ? p : 1f;
        Long seed = null;
        JsonNode s = body.get("seed");
        if (s != null && !s.isNull()) {
            if (!s.isIntegralNumber() || !s.canConvertToLong()) throw ApiException.invalid("'seed' must be an integer.", "seed");
            seed = s.asLong();
        }
        JsonNode n = body.get("n");
        if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.asLong() == 1)) {
            throw ApiException.invalid("Only n = 1 is supported: this server generates one choice per prompt.", "n");
        }
        boolean stream = optionalBoolean(body, "stream");
        boolean includeUsage = false;
        JsonNode so = body.get("stream_options");
        if (so != null && !so.isNull()) {
            if (!so.isObject()) throw ApiException.invalid("'stream_options' must be an object.", "stream_options");
            if (!stream) throw ApiException.invalid("'stream_options' is only allowed when 'stream' is true.", "stream_options");
            JsonNode iu = so.get("include_usage");
            if (iu != null && !iu.isNull() && !iu.isBoolean()) throw ApiException.invalid("'stream_options.include_usage' must be a boolean.", "stream_options.include_usage");
            includeUsage = iu != null && iu.asBoolean();
        }
        return new CompletionRequest(chat, model, prompts, messages, maxTokens, temperature, topP, frequencyPenalty, presencePenalty, seed,
                stops(body.get("stop")), stream, includeUsage, echo, optionalBoolean(body, "ignore_eos"));
    }

    /** Parameters that would change the output in ways this engine does not do: refused, not ignored. */
    private static void refuseUnsupported(JsonNode body, boolean chat) {
        JsonNode bias = body.get("logit_bias");
        if (bias != null && !bias.isNull() && !(bias.isObject() && bias.isEmpty())) {
            throw ApiException.invalid("'logit_bias' is not supported by this server.", "logit_bias");
        }
        JsonNode logprobs = body.get("logprobs");
        if (logprobs != null && !logprobs.isNull() && !(logprobs.isBoolean() && !logprobs.asBoolean())) {
            throw ApiException.invalid("'logprobs' is not supported by this server.", "logprobs");
        }
        JsonNode bestOf = body.get("best_of");
        if (bestOf != null && !bestOf.isNull() && !(bestOf.isIntegralNumber() && bestOf.asLong() == 1)) {
            throw ApiException.invalid("Only best_of = 1 is supported.", "best_of");
        }
        JsonNode suffix = body.get("suffix");
        if (!chat && suffix != null && !suffix.isNull() && !(suffix.isTextual() && suffix.asText().isEmpty())) {
            throw ApiException.invalid("'suffix' (insertion) is not supported by this server.", "suffix");
        }
        for (String tools : List.of("tools", "functions")) {
            JsonNode v = body.get(tools);
            if (chat && v != null && !v.isNull() && !(v.isArray() && v.isEmpty())) {
                throw ApiException.invalid("'" + tools + "' (function calling) is not supported by this server.", tools);
            }
        }
        JsonNode format = body.get("response_format");
        if (chat && format != null && !format.isNull() && !"text".equals(format.path("type").asText("text"))) {
            throw ApiException.invalid("Only response_format type 'text' is supported.", "response_format");
        }
    }

    private static List<CompletionRequest.Prompt> prompts(JsonNode prompt) {
        if (prompt == null || prompt.isNull()) throw ApiException.invalid("You must provide a 'prompt' parameter.", "prompt");
        if (prompt.isTextual()) return List.of(new CompletionRequest.Prompt(prompt.asText(), null));
        if (!prompt.isArray() || prompt.isEmpty()) {
            throw ApiException.invalid("'prompt' must be a string, an array of strings, an array of token ids or an array of such arrays.", "prompt");
        }
        if (prompt.get(0).isIntegralNumber()) return List.of(new CompletionRequest.Prompt(null, tokenIds(prompt)));
        List<CompletionRequest.Prompt> out = new ArrayList<>();
        for (JsonNode item : prompt) {
            if (item.isTextual()) out.add(new CompletionRequest.Prompt(item.asText(), null));
            else if (item.isArray() && !item.isEmpty()) out.add(new CompletionRequest.Prompt(null, tokenIds(item)));
            else throw ApiException.invalid("Every entry of 'prompt' must be a string or a non-empty array of token ids.", "prompt");
        }
        return out;
    }

    private static int[] tokenIds(JsonNode array) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode v = array.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
                throw ApiException.invalid("Token ids in 'prompt' must be non-negative integers; entry " + i + " is " + v + ".", "prompt");
            }
            ids[i] = v.asInt();
        }
        return ids;
    }

    private static List<ChatMessage> messages(JsonNode messages) {
        if (messages == null || messages.isNull()) throw ApiException.invalid("You must provide a 'messages' parameter.", "messages");
        if (!messages.isArray() || messages.isEmpty()) throw ApiException.invalid("'messages' must be a non-empty array.", "messages");
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) throw ApiException.invalid("'" + where + "' must be an object with 'role' and 'content'.", where);
            String role = m.path("role").asText("");
            ChatMessage.Role r = switch (role.toLowerCase(Locale.ROOT)) {
                case "system", "developer" -> ChatMessage.Role.SYSTEM;
                case "user" -> ChatMessage.Role.USER;
                case "assistant" -> ChatMessage.Role.ASSISTANT;
                case "" -> throw ApiException.invalid("Missing 'role' in " + where + ".", where + ".role");
                default -> throw ApiException.invalid("Unsupported role '" + role + "' in " + where
                        + ": this server takes system, developer, user and assistant messages.", where + ".role");
            };
            JsonNode content = m.get("content");
            // an assistant turn may come back as content null (OpenAI's own answers do, beside tool calls);
            // with nothing else in it, it says nothing and is left out (the model's format has no empty turns:
            // the user turns around it are joined, as mistral-common joins consecutive messages of one role)
            if (r == ChatMessage.Role.ASSISTANT && (content == null || content.isNull())) {
                for (String other : List.of("tool_calls", "function_call", "audio")) {
                    JsonNode v = m.get(other);
                    if (v != null && !v.isNull() && !(v.isArray() && v.isEmpty())) {
                        throw ApiException.invalid("'" + other + "' in " + where + " is not supported by this server.", where + "." + other);
                    }
                }
                continue;
            }
            out.add(new ChatMessage(r, content(content, where)));
        }
        if (out.getLast().role() != ChatMessage.Role.USER) {
            throw ApiException.invalid("The last message must come from the user.", "messages");
        }
        return out;
    }

    private static String content(JsonNode content, String where) {
        if (content == null || content.isNull()) throw ApiException.invalid("Missing 'content' in " + where + ".", where + ".content");
        if (content.isTextual()) return content.asText();
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw ApiException.invalid("Only text content parts ({\"type\": \"text\", \"text\": ...}) are supported in "
                            + where + ".", where + ".content");
                }
                text.append(part.get("text").asText());
            }
            return text.toString();
        }
        throw ApiException.invalid("'content' in " + where + " must be a string or an array of text parts.", where + ".content");
    }

    private static List<String> stops(JsonNode stop) {
        if (stop == null || stop.isNull()) return List.of();
        List<String> out = new ArrayList<>();
        if (stop.isTextual()) out.add(stop.asText());
        else if (stop.isArray()) {
            for (JsonNode s : stop) {
                if (!s.isTextual()) throw ApiException.invalid("Every entry of 'stop' must be a string.", "stop");
                out.add(s.asText());
            }
        } else throw ApiException.invalid("'stop' must be a string or an array of strings.", "stop");
        if (out.size() > MAX_STOPS) throw ApiException.invalid("'stop' takes at most " + MAX_STOPS + " sequences.", "stop");
        out.removeIf(String::isEmpty);
        return out;
    }

    private static Integer optionalInt(JsonNode body, String name, int min) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw ApiException.invalid("'" + name + "' must be an integer.", name);
        if (v.asInt() < min) throw ApiException.invalid(v.asInt() + " is less than the minimum of " + min + " for '" + name + "'.", name);
        return v.asInt();
    }

    /** frequency_penalty or presence_penalty: a number in [-2, 2], 0 when absent. */
    private static float penalty(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) return 0f;
        if (!v.isNumber()) throw ApiException.invalid("'" + name + "' must be a number.", name);
        double d = v.asDouble();
        if (!(d >= -2 && d <= 2)) {
            throw ApiException.invalid(d + " is out of range for '" + name + "': it must be between -2 and 2.", name);
        }
        return (float) d;
    }

    /** A number in [0, max], or null when absent. */
    private static Float optionalNumber(JsonNode body, String name, int max) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) return null;
        if (!v.isNumber()) throw ApiException.invalid("'" + name + "' must be a number.", name);
        double d = v.asDouble();
        if (!(d >= 0 && d <= max)) {
            throw ApiException.invalid(d + " is out of range for '" + name + "': it must be between 0 and " + max + ".", name);
        }
        return (float) d;
    }

    private static boolean optionalBoolean(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) return false;
        if (!v.isBoolean()) throw ApiException.invalid("'" + name + "' must be a boolean.", name);
        return v.asBoolean();
    }
}
