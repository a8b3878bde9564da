package org.mambaplayground.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.generate.GenerationResult;
import org.mambaplayground.engine.generate.Generator;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.tokenizer.ChatMessage;

/** The same API over the other architecture: a transformer folder with the tekken tokenizer and a 256-token context. */
class TransformerServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;

    @Test
    void servesATransformerAndHonoursItsContextLength() throws Exception {
        Path folder = TestModels.writeTransformer(dir);
        try (LoadedModel served = TestModels.load(folder); LoadedModel reference = TestModels.load(folder)) {
            ApiServer server = ApiServer.start(ServerConfig.defaults().withPort(0), served);
            try {
                HttpClient http = HttpClient.newHttpClient();
                URI chat = URI.create(server.address() + "/v1/chat/completions");
                HttpResponse<String> ok = http.send(HttpRequest.newBuilder(chat).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\": \"tiny-nemo\", \"max_tokens\": 7, \"temperature\": 0, \"messages\": [{\"role\": \"user\", \"content\": \"Bonjour\"}]}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
                int[] prompt = reference.chatFormat().encodeDialog(List.of(ChatMessage.user("Bonjour")));
                GenerationResult expected = new Generator(reference.model(), reference.tokenizer()).generate(reference.model().newState(),
                        prompt, SamplingOptions.greedy(7), reference.chatFormat().stopTokens(), null, null);
                JsonNode body = JSON.readTree(ok.body());
                assertThat(body.at("/choices/0/message/content").asText()).isEqualTo(expected.text());
                assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(prompt.length);

                // the conversation continued: the KV cache rewinds to the longest common prefix of what it read
                // (the prompt and the answer's first 6 tokens) and the new prompt, and reads only the rest
                java.util.concurrent.BlockingQueue<ServedRequest> log = new java.util.concurrent.LinkedBlockingQueue<>();
                server.addObserver(log::add);
                String answer = body.at("/choices/0/message/content").asText();
                var turns = JSON.createArrayNode();
                turns.addObject().put("role", "user").put("content", "Bonjour");
                turns.addObject().put("role", "assistant").put("content", answer);
                turns.addObject().put("role", "user").put("content", "Et ensuite ?");
                HttpResponse<String> next = http.send(HttpRequest.newBuilder(chat).POST(HttpRequest.BodyPublishers.ofString(
                        JSON.writeValueAsString(JSON.createObjectNode().put("max_tokens", 3).put("temperature", 0).set("messages", turns))))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
                int[] continued = reference.chatFormat().encodeDialog(List.of(ChatMessage.user("Bonjour"),
                        ChatMessage.assistant(answer), ChatMessage.user("Et ensuite ?")));
                int[] read = java.util.stream.IntStream.concat(java.util.Arrays.stream(prompt),
                        java.util.Arrays.stream(expected.tokens(), 0, 6)).toArray();
                int common = java.util.Arrays.mismatch(read, continued);
                assertThat(common).isGreaterThanOrEqualTo(prompt.length);
                assertThat(log.poll(5, java.util.concurrent.TimeUnit.SECONDS).stats().promptTokens()).isEqualTo(continued.length - common);
                assertThat(JSON.readTree(next.body()).at("/choices/0/message/content").asText()).isEqualTo(new Generator(reference.model(),
                        reference.tokenizer()).generate(reference.model().newState(), continued, SamplingOptions.greedy(3),
                        reference.chatFormat().stopTokens(), null, null).text());

                // 256 tokens of context: a default completion length is cut to fit, an explicit one that does not fit is refused
                String longText = "mot ".repeat(120);
                int promptTokens = reference.chatFormat().encodeDialog(List.of(ChatMessage.user(longText))).length;
                assertThat(promptTokens).isBetween(100, 250);
                HttpResponse<String> refused = http.send(HttpRequest.newBuilder(chat).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"max_tokens\": 200, \"messages\": [{\"role\": \"user\", \"content\": \"" + longText + "\"}]}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).isEqualTo(400);
                JsonNode error = JSON.readTree(refused.body()).get("error");
                assertThat(error.get("code").asText()).isEqualTo("context_length_exceeded");
                assertThat(error.get("message").asText()).contains("256");
                HttpResponse<String> fitted = http.send(HttpRequest.newBuilder(chat).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"temperature\": 0, \"messages\": [{\"role\": \"user\", \"content\": \"" + longText + "\"}]}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(fitted.statusCode()).as(fitted.body()).isEqualTo(200);
                assertThat(JSON.readTree(fitted.body()).at("/usage/total_tokens").asInt()).isLessThanOrEqualTo(256);
            } finally {
                server.stop();
            }
        }
    }
}
