package org.mambaplayground.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.generate.FinishReason;
import org.mambaplayground.engine.generate.GenerationResult;
import org.mambaplayground.engine.generate.Generator;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.tokenizer.ChatMessage;

/**
 * The API over a real model folder (written to disk by SyntheticModelWriter, opened by ModelLoader), on
 * loopback, through the JDK's HTTP client and raw sockets. Expected texts come from running the engine's
 * Generator directly on a second copy of the model.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PROMPT = "The quick brown fox";

    @TempDir static Path dir;
    static LoadedModel served;
    static LoadedModel reference;
    static ApiServer server;
    static HttpClient http;
    static final BlockingQueue<ServedRequest> log = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() throws Exception {
        Path folder = TestModels.writeMamba(dir);
        served = TestModels.load(folder);
        reference = TestModels.load(folder);
        ServerConfig config = ServerConfig.defaults().withPort(0).withContextLimit(ENDLESS_CONTEXT).withMaxTokens(8);
        server = ApiServer.start(config, served);
        server.addObserver(log::add);
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop();
        if (served != null) served.close();
        if (reference != null) reference.close();
    }

    @BeforeEach
    void clearLog() { log.clear(); }

    // ---- helpers ---------------------------------------------------------------------------------------

    static URI uri(String path) { return URI.create(server.address() + path); }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> response) throws Exception { return JSON.readTree(response.body()); }

    static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) names.add(it.next());
        return names;
    }

    /** Splits an SSE body into its JSON events, checking the framing: only "data: ...\n\n" events, [DONE] last. */
    static List<JsonNode> events(String body) throws Exception {
        assertThat(body).endsWith("data: [DONE]\n\n");
        String[] parts = body.substring(0, body.length() - "data: [DONE]\n\n".length()).split("\n\n", -1);
        assertThat(parts[parts.length - 1]).isEmpty(); // the text before [DONE] ends with a blank line
        List<JsonNode> events = new ArrayList<>();
        for (int i = 0; i < parts.length - 1; i++) {
            assertThat(parts[i]).startsWith("data: ").doesNotContain("\n");
            events.add(JSON.readTree(parts[i].substring("data: ".length())));
        }
        return events;
    }

    /** What the engine itself generates for these tokens (fresh state, greedy). */
    static GenerationResult direct(int[] prompt, int maxTokens) {
        Generator g = new Generator(reference.model(), reference.tokenizer());
        return g.generate(reference.model().newState(), prompt, SamplingOptions.greedy(maxTokens),
                reference.chatFormat().stopTokens(), null, null);
    }

    static void assertError(HttpResponse<String> response, int status, String type, String param, String code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = json(response);
        assertThat(fields(body)).containsExactly("error");
        JsonNode error = body.get("error");
        assertThat(fields(error)).containsExactly("message", "type", "param", "code");
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.get("type").asText()).isEqualTo(type);
        if (param == null) assertThat(error.get("param").isNull()).isTrue();
        else assertThat(error.get("param").asText()).isEqualTo(param);
        if (code == null) assertThat(error.get("code").isNull()).isTrue();
        else assertThat(error.get("code").asText()).isEqualTo(code);
    }

    static void assertCreatedIsNow(JsonNode node) {
        long now = Instant.now().getEpochSecond();
        assertThat(node.get("created").isIntegralNumber()).isTrue();
        assertThat(node.get("created").asLong()).isBetween(now - 120, now + 1);
    }

    // ---- models ----------------------------------------------------------------------------------------

    @Test
    void listsTheModel() throws Exception {
        HttpResponse<String> response = get("/v1/models");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(fields(body)).containsExactly("object", "data");
        assertThat(body.get("object").asText()).isEqualTo("list");
        assertThat(body.get("data")).hasSize(1);
        JsonNode model = body.get("data").get(0);
        assertThat(fields(model)).containsExactly("id", "object", "created", "owned_by");
        assertThat(model.get("id").asText()).isEqualTo(served.name());
        assertThat(model.get("object").asText()).isEqualTo("model");
        assertCreatedIsNow(model);

        JsonNode one = json(get("/v1/models/" + served.name()));
        assertThat(one).isEqualTo(model);
        assertError(get("/v1/models/no-such-model"), 404, "invalid_request_error", "model", "model_not_found");
    }

    // ---- completions -----------------------------------------------------------------------------------

    @Test
    void completionMatchesTheEngineFieldByField() throws Exception {
        int[] prompt = served.chatFormat().encodeCompletion(PROMPT);
        GenerationResult expected = direct(prompt, 6);
        HttpResponse<String> response = post("/v1/completions", """
                {"model": "%s", "prompt": "%s", "max_tokens": 6, "temperature": 0}""".formatted(served.name(), PROMPT));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = json(response);
        assertThat(fields(body)).containsExactly("id", "object", "created", "model", "system_fingerprint", "choices", "usage");
        assertThat(body.get("id").asText()).matches("cmpl-[A-Za-z0-9]{24}");
        assertThat(body.get("object").asText()).isEqualTo("text_completion");
        assertCreatedIsNow(body);
        assertThat(body.get("model").asText()).isEqualTo(served.name());
        assertThat(body.get("choices")).hasSize(1);
        JsonNode choice = body.get("choices").get(0);
        assertThat(fields(choice)).containsExactly("text", "index", "logprobs", "finish_reason");
        assertThat(choice.get("text").asText()).isEqualTo(expected.text());
        assertThat(choice.get("index").asInt()).isZero();
        assertThat(choice.get("logprobs").isNull()).isTrue();
        assertThat(choice.get("finish_reason").asText()).isEqualTo(expected.finishReason() == FinishReason.LENGTH ? "length" : "stop");
        JsonNode usage = body.get("usage");
        assertThat(fields(usage)).containsExactly("prompt_tokens", "completion_tokens", "total_tokens");
        assertThat(usage.get("prompt_tokens").asInt()).isEqualTo(prompt.length);
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(expected.tokens().length);
        assertThat(usage.get("total_tokens").asInt()).isEqualTo(prompt.length + expected.tokens().length);
    }

    @Test
    void finishReasonIsLengthAtMaxTokens() throws Exception {
        JsonNode body = json(post("/v1/completions", "{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": 1, \"temperature\": 0}"));
        int[] prompt = served.chatFormat().encodeCompletion(PROMPT);
        assertThat(direct(prompt, 1).finishReason()).isEqualTo(FinishReason.LENGTH); // the fixture's premise
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(1);
    }

    @Test
    void stopStringEndsWithFinishReasonStop() throws Exception {
        int[] prompt = served.chatFormat().encodeCompletion(PROMPT);
        String full = direct(prompt, 8).text();
        assertThat(full.length()).isGreaterThan(3);
        String stop = full.substring(2, 4);
        JsonNode body = json(post("/v1/completions", JSON.writeValueAsString(JSON.createObjectNode()
                .put("prompt", PROMPT).put("max_tokens", 8).put("temperature", 0).put("stop", stop))));
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(body.at("/choices/0/text").asText()).isEqualTo(full.substring(0, full.indexOf(stop)));
    }

    @Test
    void streamedCompletionIsTheSameTextInOpenAIChunks() throws Exception {
        String whole = json(post("/v1/completions", "{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": 6, \"temperature\": 0}"))
                .at("/choices/0/text").asText();
        HttpResponse<String> response = post("/v1/completions",
                "{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": 6, \"temperature\": 0, \"stream\": true}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream; charset=utf-8");
        List<JsonNode> events = events(response.body());
        assertThat(events).hasSizeGreaterThanOrEqualTo(2);
        StringBuilder text = new StringBuilder();
        String id = events.getFirst().get("id").asText();
        assertThat(id).startsWith("cmpl-");
        for (int i = 0; i < events.size(); i++) {
            JsonNode chunk = events.get(i);
            assertThat(fields(chunk)).containsExactly("id", "object", "created", "model", "system_fingerprint", "choices");
            assertThat(chunk.get("id").asText()).isEqualTo(id);
            assertThat(chunk.get("object").asText()).isEqualTo("text_completion");
            assertCreatedIsNow(chunk);
            JsonNode choice = chunk.get("choices").get(0);
            assertThat(fields(choice)).containsExactly("text", "index", "logprobs", "finish_reason");
            text.append(choice.get("text").asText());
            boolean last = i == events.size() - 1;
            assertThat(choice.get("finish_reason").isNull()).isEqualTo(!last);
        }
        assertThat(text).hasToString(whole);
    }

    @Test
    void legacyEnginePathsAnswerLikeCompletions() throws Exception {
        String body = "{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": 4, \"temperature\": 0}";
        String expected = json(post("/v1/completions", body)).at("/choices/0/text").asText();
        for (String path : List.of("/v1/engines/completions", "/v1/engines/" + served.name() + "/completions")) {
            HttpResponse<String> response = post(path, body);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            JsonNode json = json(response);
            assertThat(json.get("object").asText()).isEqualTo("text_completion");
            assertThat(json.at("/choices/0/text").asText()).as(path).isEqualTo(expected);
        }
        List<JsonNode> streamed = events(post("/v1/engines/completions",
                "{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": 4, \"temperature\": 0, \"stream\": true}").body());
        assertThat(streamed.getLast().at("/choices/0/finish_reason").isTextual()).isTrue();
        assertError(post("/v1/engines/gpt-3/completions", body), 404, "invalid_request_error", "model", "model_not_found");
    }

    @Test
    void tokenPromptsAndEchoAndSeededSampling() throws Exception {
        int[] prompt = served.chatFormat().encodeCompletion(PROMPT);
        JsonNode byTokens = json(post("/v1/completions", JSON.writeValueAsString(JSON.createObjectNode()
                .put("max_tokens", 5).put("temperature", 0).set("prompt", JSON.valueToTree(prompt)))));
        assertThat(byTokens.at("/choices/0/text").asText()).isEqualTo(direct(prompt, 5).text());
        JsonNode echoed = json(post("/v1/completions", "{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": 5, \"temperature\": 0, \"echo\": true}"));
        assertThat(echoed.at("/choices/0/text").asText()).isEqualTo(PROMPT + direct(prompt, 5).text());
        String seeded = "{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": 8, \"temperature\": 1.5, \"seed\": 42}";
        assertThat(json(post("/v1/completions", seeded)).at("/choices/0/text").asText())
                .isEqualTo(json(post("/v1/completions", seeded)).at("/choices/0/text").asText());
    }

    @Test
    void severalPromptsGiveOneChoiceEachAndEchoStreamsToo() throws Exception {
        JsonNode body = json(post("/v1/completions", "{\"prompt\": [\"" + PROMPT + "\", \"Hello\"], \"max_tokens\": 4, \"temperature\": 0}"));
        assertThat(body.get("choices")).hasSize(2);
        int[] a = served.chatFormat().encodeCompletion(PROMPT), b = served.chatFormat().encodeCompletion("Hello");
        GenerationResult ra = direct(a, 4), rb = direct(b, 4);
        assertThat(body.at("/choices/0/index").asInt()).isZero();
        assertThat(body.at("/choices/0/text").asText()).isEqualTo(ra.text());
        assertThat(body.at("/choices/1/index").asInt()).isEqualTo(1);
        assertThat(body.at("/choices/1/text").asText()).isEqualTo(rb.text());
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(a.length + b.length);
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(ra.tokens().length + rb.tokens().length);

        List<JsonNode> events = events(post("/v1/completions",
                "{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": 4, \"temperature\": 0, \"echo\": true, \"stream\": true}").body());
        StringBuilder text = new StringBuilder();
        for (JsonNode e : events) text.append(e.at("/choices/0/text").asText());
        assertThat(events.getFirst().at("/choices/0/text").asText()).isEqualTo(PROMPT);
        assertThat(text).hasToString(PROMPT + ra.text());
    }

    // ---- chat ------------------------------------------------------------------------------------------

    @Test
    void chatCompletionFieldByField() throws Exception {
        int[] prompt = served.chatFormat().encodeDialog(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hello")));
        GenerationResult expected = direct(prompt, 6);
        HttpResponse<String> response = post("/v1/chat/completions", """
                {"model": "%s", "max_tokens": 6, "temperature": 0,
                 "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}]}"""
                .formatted(served.name()));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(fields(body)).containsExactly("id", "object", "created", "model", "system_fingerprint", "choices", "usage");
        assertThat(body.get("id").asText()).matches("chatcmpl-[A-Za-z0-9]{24}");
        assertThat(body.get("object").asText()).isEqualTo("chat.completion");
        assertCreatedIsNow(body);
        assertThat(body.get("model").asText()).isEqualTo(served.name());
        JsonNode choice = body.get("choices").get(0);
        assertThat(fields(choice)).containsExactly("index", "message", "logprobs", "finish_reason");
        assertThat(fields(choice.get("message"))).containsExactly("role", "content", "refusal");
        assertThat(choice.at("/message/role").asText()).isEqualTo("assistant");
        assertThat(choice.at("/message/content").asText()).isEqualTo(expected.text());
        assertThat(choice.at("/message/refusal").isNull()).isTrue();
        assertThat(choice.get("finish_reason").asText()).isEqualTo(expected.finishReason() == FinishReason.LENGTH ? "length" : "stop");
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(prompt.length);
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(expected.tokens().length);
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(prompt.length + expected.tokens().length);
    }

    @Test
    void streamedChatSendsRoleThenContentThenFinishThenUsage() throws Exception {
        String messages = "[{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"Hello\"}]}]";
        String whole = json(post("/v1/chat/completions", "{\"max_tokens\": 6, \"temperature\": 0, \"messages\": " + messages + "}"))
                .at("/choices/0/message/content").asText();
        HttpResponse<String> response = post("/v1/chat/completions", "{\"max_tokens\": 6, \"temperature\": 0, \"stream\": true, "
                + "\"stream_options\": {\"include_usage\": true}, \"messages\": " + messages + "}");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream; charset=utf-8");
        List<JsonNode> events = events(response.body());
        String id = events.getFirst().get("id").asText();
        assertThat(id).startsWith("chatcmpl-");
        StringBuilder content = new StringBuilder();
        for (int i = 0; i < events.size() - 1; i++) {
            JsonNode chunk = events.get(i);
            assertThat(fields(chunk)).containsExactly("id", "object", "created", "model", "system_fingerprint", "choices", "usage");
            assertThat(chunk.get("id").asText()).isEqualTo(id);
            assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(chunk.get("usage").isNull()).isTrue();
            JsonNode choice = chunk.get("choices").get(0);
            assertThat(fields(choice)).containsExactly("index", "delta", "logprobs", "finish_reason");
            JsonNode delta = choice.get("delta");
            if (i == 0) {
                assertThat(fields(delta)).containsExactly("role", "content");
                assertThat(delta.get("role").asText()).isEqualTo("assistant");
            } else if (i == events.size() - 2) {
                assertThat(fields(delta)).isEmpty();
                assertThat(choice.get("finish_reason").asText()).isIn("stop", "length");
            } else {
                assertThat(fields(delta)).containsExactly("content");
                assertThat(choice.get("finish_reason").isNull()).isTrue();
            }
            if (delta.has("content")) content.append(delta.get("content").asText());
        }
        assertThat(content).hasToString(whole);
        JsonNode usage = events.getLast();
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.at("/usage/total_tokens").asInt())
                .isEqualTo(usage.at("/usage/prompt_tokens").asInt() + usage.at("/usage/completion_tokens").asInt());
    }

    @Test
    void secondTurnReusesTheStateAndStillMatchesAFreshRun() throws Exception {
        String first = json(post("/v1/chat/completions", "{\"max_tokens\": 5, \"temperature\": 0, \"messages\": "
                + "[{\"role\": \"user\", \"content\": \"Hi\"}]}")).at("/choices/0/message/content").asText();
        var turns = JSON.createArrayNode();
        turns.addObject().put("role", "user").put("content", "Hi");
        turns.addObject().put("role", "assistant").put("content", first);
        turns.addObject().put("role", "user").put("content", "And then?");
        log.clear();
        HttpResponse<String> second = post("/v1/chat/completions", JSON.writeValueAsString(
                JSON.createObjectNode().put("max_tokens", 5).put("temperature", 0).set("messages", turns)));
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        int[] prompt = served.chatFormat().encodeDialog(List.of(ChatMessage.user("Hi"), ChatMessage.assistant(first), ChatMessage.user("And then?")));
        assertThat(json(second).at("/choices/0/message/content").asText()).isEqualTo(direct(prompt, 5).text());

        // The answer comes back as text, and its tokens are not the sampled ones, so the Mamba2 state after the
        // answer does not start the new prompt; the checkpoint taken when the first prompt was read does.
        int[] firstPrompt = served.chatFormat().encodeDialog(List.of(ChatMessage.user("Hi")));
        int[] sampled = direct(firstPrompt, 5).tokens();
        assertThat(java.util.Arrays.equals(prompt, firstPrompt.length, firstPrompt.length + 4, sampled, 0, 4))
                .as("the fixture's premise: re-encoding the answer does not give back the sampled tokens").isFalse();
        ServedRequest record = log.poll(5, TimeUnit.SECONDS);
        assertThat(record.stats().promptTokens()).isEqualTo(prompt.length - firstPrompt.length);
        assertThat(json(second).at("/usage/prompt_tokens").asInt()).isEqualTo(prompt.length); // usage counts the whole prompt

        // the same request again (another sample, say) reads no token at all
        log.clear();
        post("/v1/chat/completions", JSON.writeValueAsString(
                JSON.createObjectNode().put("max_tokens", 5).put("temperature", 0).set("messages", turns)));
        assertThat(log.poll(5, TimeUnit.SECONDS).stats().promptTokens()).isZero();
    }

    @Test
    void aPromptThatExtendsThePreviousOneOnlyHasItsNewTokensProcessed() throws Exception {
        int[] first = served.chatFormat().encodeCompletion(PROMPT);
        GenerationResult answer = direct(first, 5);
        assertThat(answer.finishReason()).isEqualTo(FinishReason.LENGTH);
        post("/v1/completions", JSON.writeValueAsString(JSON.createObjectNode().put("max_tokens", 5).put("temperature", 0)
                .set("prompt", JSON.valueToTree(first))));
        // the state now holds the prompt and the first 4 answer tokens (the 5th was sampled, never fed)
        int[] extended = java.util.stream.IntStream.concat(java.util.stream.IntStream.concat(
                java.util.Arrays.stream(first), java.util.Arrays.stream(answer.tokens())),
                java.util.Arrays.stream(served.tokenizer().encode(" and so on"))).toArray();
        log.clear();
        JsonNode second = json(post("/v1/completions", JSON.writeValueAsString(JSON.createObjectNode().put("max_tokens", 5)
                .put("temperature", 0).set("prompt", JSON.valueToTree(extended)))));
        ServedRequest record = log.poll(5, TimeUnit.SECONDS);
        assertThat(record.stats().promptTokens()).isEqualTo(extended.length - (first.length + 4));
        assertThat(second.at("/usage/prompt_tokens").asInt()).isEqualTo(extended.length); // usage counts the whole prompt
        assertThat(second.at("/choices/0/text").asText()).isEqualTo(direct(extended, 5).text()); // same as from scratch
    }

    @Test
    void ignoreEosGeneratesPastTheEndOfSequenceToken() throws Exception {
        int[] prompt = served.chatFormat().encodeCompletion(PROMPT);
        GenerationResult natural = direct(prompt, 400);
        assertThat(natural.finishReason()).as("the fixture's premise: this prompt reaches </s>").isEqualTo(FinishReason.STOP);
        int n = natural.tokens().length + 5;
        JsonNode body = json(post("/v1/completions", "{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": " + n
                + ", \"temperature\": 0, \"ignore_eos\": true}"));
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(n);
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(body.at("/choices/0/text").asText()).startsWith(natural.text());
        JsonNode plain = json(post("/v1/completions", "{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": " + n + ", \"temperature\": 0}"));
        assertThat(plain.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(plain.at("/usage/completion_tokens").asInt()).isEqualTo(natural.tokens().length);
    }

    @Test
    void frequencyAndPresencePenaltiesMatchTheEnginesSampler() throws Exception {
        int[] prompt = served.chatFormat().encodeCompletion(PROMPT);
        String plain = direct(prompt, 24).text();
        for (String penalty : List.of("frequency_penalty", "presence_penalty")) {
            boolean frequency = penalty.startsWith("frequency");
            SamplingOptions options = new SamplingOptions(0f, 1f, 0L, 24, frequency ? 2f : 0f, frequency ? 0f : 2f);
            GenerationResult expected = new Generator(reference.model(), reference.tokenizer()).generate(reference.model().newState(),
                    prompt, options, reference.chatFormat().stopTokens(), null, null);
            assertThat(expected.text()).as("the fixture's premise: a penalty of 2 changes the greedy text").isNotEqualTo(plain);
            HttpResponse<String> response = post("/v1/completions", "{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": 24, \"temperature\": 0, \""
                    + penalty + "\": 2}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(json(response).at("/choices/0/text").asText()).as(penalty).isEqualTo(expected.text());
            assertError(post("/v1/completions", "{\"prompt\": \"x\", \"" + penalty + "\": 2.5}"), 400, "invalid_request_error", penalty, null);
        }
        assertThat(json(post("/v1/completions", "{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": 24, \"temperature\": 0, "
                + "\"frequency_penalty\": 0, \"presence_penalty\": 0}")).at("/choices/0/text").asText()).isEqualTo(plain);
    }

    @Test
    void anAssistantTurnWithContentNullAndNothingElseIsLeftOut() throws Exception {
        String messages = "[{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": null}, "
                + "{\"role\": \"user\", \"content\": \"Again\"}]";
        HttpResponse<String> ok = post("/v1/chat/completions", "{\"max_tokens\": 4, \"temperature\": 0, \"messages\": " + messages + "}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        int[] prompt = served.chatFormat().encodeDialog(List.of(ChatMessage.user("Hi"), ChatMessage.user("Again")));
        assertThat(json(ok).at("/choices/0/message/content").asText()).isEqualTo(direct(prompt, 4).text());
        assertError(post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", "
                + "\"content\": null, \"tool_calls\": [{\"id\": \"c1\", \"type\": \"function\"}]}, {\"role\": \"user\", \"content\": \"x\"}]}"),
                400, "invalid_request_error", "messages[1].tool_calls", null);
        assertError(post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": null}]}"),
                400, "invalid_request_error", "messages[0].content", null);
    }

    @Test
    void upToSixteenStopStrings() throws Exception {
        int[] prompt = served.chatFormat().encodeCompletion(PROMPT);
        String full = direct(prompt, 8).text();
        var stops = JSON.createArrayNode();
        for (int i = 0; i < 15; i++) stops.add("never-generated-" + i);
        stops.add(full.substring(2, 4));
        HttpResponse<String> ok = post("/v1/completions", JSON.writeValueAsString(JSON.createObjectNode()
                .put("prompt", PROMPT).put("max_tokens", 8).put("temperature", 0).set("stop", stops)));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(json(ok).at("/choices/0/text").asText()).isEqualTo(full.substring(0, full.indexOf(full.substring(2, 4))));
        stops.add("one too many");
        assertError(post("/v1/completions", JSON.writeValueAsString(JSON.createObjectNode().put("prompt", PROMPT).set("stop", stops))),
                400, "invalid_request_error", "stop", null);
    }

    @Test
    void jsonErrorsNeverShowTheParsersInternals() throws Exception {
        List<byte[]> bodies = new ArrayList<>();
        for (String body : List.of("{\"prompt\": \"x\"} trailing", "{\"prompt\": \"x\"} {}", "{\"prompt\": ", "{\"prompt\" 1}", "nope",
                "[".repeat(3000) + "]".repeat(3000), "{\"prompt\": \"x\", \"max_tokens\": " + "9".repeat(2000) + "}")) {
            bodies.add(body.getBytes(StandardCharsets.UTF_8));
        }
        bodies.add(new byte[] {'{', '"', (byte) 0xff, (byte) 0xfe, '"', ':', '1', '}'});
        for (byte[] body : bodies) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/v1/completions")).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            String shown = new String(body, 0, Math.min(body.length, 40), StandardCharsets.UTF_8);
            assertError(r, 400, "invalid_request_error", null, null);
            String message = json(r).at("/error/message").asText();
            assertThat(message).as(shown).startsWith("We could not parse the JSON body")
                    .doesNotContain("`", "com.fasterxml", "jackson", "Source:", "REJECTED", "Constraints", "JsonNode", "DeserializationFeature", "Exception");
        }
    }

    // ---- errors ----------------------------------------------------------------------------------------

    @Test
    void malformedRequestsGetOpenAIStyleErrors() throws Exception {
        assertError(post("/v1/chat/completions", "{\"messages\": [}"), 400, "invalid_request_error", null, null);
        assertError(post("/v1/completions", "not json at all"), 400, "invalid_request_error", null, null);
        assertError(post("/v1/completions", ""), 400, "invalid_request_error", null, null);
        assertError(post("/v1/completions", "[1, 2]"), 400, "invalid_request_error", null, null);
        assertError(post("/v1/completions", "{\"prompt\": \"x\"} trailing"), 400, "invalid_request_error", null, null);
        assertError(post("/v1/completions", "{\"prompt\": \"x\", \"model\": \"gpt-4\"}"), 404, "invalid_request_error", "model", "model_not_found");
        assertError(post("/v1/chat/completions", "{\"model\": \"gpt-4\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}"),
                404, "invalid_request_error", "model", "model_not_found");
        assertError(post("/v1/completions", "{\"max_tokens\": 3}"), 400, "invalid_request_error", "prompt", null);
        assertError(post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 0}"), 400, "invalid_request_error", "max_tokens", null);
        assertError(post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": -5}"), 400, "invalid_request_error", "max_tokens", null);
        assertError(post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": \"ten\"}"), 400, "invalid_request_error", "max_tokens", null);
        assertError(post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 1e20}"), 400, "invalid_request_error", "max_tokens", null);
        assertError(post("/v1/completions", "{\"prompt\": \"x\", \"temperature\": 2.5}"), 400, "invalid_request_error", "temperature", null);
        assertError(post("/v1/completions", "{\"prompt\": \"x\", \"temperature\": \"hot\"}"), 400, "invalid_request_error", "temperature", null);
        assertError(post("/v1/completions", "{\"prompt\": \"x\", \"top_p\": 1.5}"), 400, "invalid_request_error", "top_p", null);
        assertError(post("/v1/completions", "{\"prompt\": \"x\", \"n\": 3}"), 400, "invalid_request_error", "n", null);
        assertError(post("/v1/completions", "{\"prompt\": [99999]}"), 400, "invalid_request_error", "prompt", null);
        assertError(post("/v1/completions", "{\"prompt\": \"x\", \"logprobs\": 5}"), 400, "invalid_request_error", "logprobs", null);
        assertError(post("/v1/chat/completions", "{}"), 400, "invalid_request_error", "messages", null);
        assertError(post("/v1/chat/completions", "{\"messages\": []}"), 400, "invalid_request_error", "messages", null);
        assertError(post("/v1/chat/completions", "{\"messages\": [{\"role\": \"wizard\", \"content\": \"x\"}]}"),
                400, "invalid_request_error", "messages[0].role", null);
        assertError(post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\"}]}"), 400, "invalid_request_error", "messages[0].content", null);
        assertError(post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"b\"}]}"),
                400, "invalid_request_error", "messages", null);
        assertError(post("/v1/chat/completions", "{\"messages\": [{\"role\": \"assistant\", \"content\": \"b\"}, {\"role\": \"user\", \"content\": \"a\"}]}"),
                400, "invalid_request_error", "messages", null);
        assertError(post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}], \"stream\": \"yes\"}"),
                400, "invalid_request_error", "stream", null);
        // a streaming request refused before it starts gets a JSON error, not an event stream
        assertError(post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}], \"stream\": true, \"temperature\": -1}"),
                400, "invalid_request_error", "temperature", null);
        assertError(post("/v1/nothing-here", "{}"), 404, "invalid_request_error", null, "unknown_url");
        assertError(get("/v1/chat/completions"), 405, "invalid_request_error", null, "method_not_allowed");
        assertThat(log).isEmpty(); // none of these reached the model
    }

    @Test
    void oversizePromptOrCompletionIsRefused() throws Exception {
        ServerConfig small = ServerConfig.defaults().withPort(0).withContextLimit(64);
        ApiServer limited = ApiServer.start(small, served);
        try {
            String longPrompt = "word ".repeat(200);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(limited.address() + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"" + longPrompt + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertError(r, 400, "invalid_request_error", "prompt", "context_length_exceeded");
            r = http.send(HttpRequest.newBuilder(URI.create(limited.address() + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"hi\", \"max_tokens\": 100}")).build(), HttpResponse.BodyHandlers.ofString());
            assertError(r, 400, "invalid_request_error", "max_tokens", "context_length_exceeded");
            r = http.send(HttpRequest.newBuilder(URI.create(limited.address() + "/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"messages\": [{\"role\": \"user\", \"content\": \"" + longPrompt + "\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertError(r, 400, "invalid_request_error", "messages", "context_length_exceeded");
            byte[] huge = new byte[small.maxBodyBytes() + 10];
            java.util.Arrays.fill(huge, (byte) ' ');
            r = http.send(HttpRequest.newBuilder(URI.create(limited.address() + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(huge)).build(), HttpResponse.BodyHandlers.ofString());
            assertError(r, 413, "invalid_request_error", null, "request_too_large");
        } finally {
            limited.stop();
        }
    }

    @Test
    void apiKeyIsRequiredWhenConfigured() throws Exception {
        ApiServer locked = ApiServer.start(ServerConfig.defaults().withPort(0).withApiKey("sk-test-123"), served);
        try {
            URI models = URI.create(locked.address() + "/v1/models");
            assertError(http.send(HttpRequest.newBuilder(models).build(), HttpResponse.BodyHandlers.ofString()),
                    401, "invalid_request_error", null, "invalid_api_key");
            assertError(http.send(HttpRequest.newBuilder(models).header("Authorization", "Bearer wrong").build(), HttpResponse.BodyHandlers.ofString()),
                    401, "invalid_request_error", null, "invalid_api_key");
            assertError(http.send(HttpRequest.newBuilder(URI.create(locked.address() + "/v1/completions"))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"hi\"}")).build(), HttpResponse.BodyHandlers.ofString()),
                    401, "invalid_request_error", null, "invalid_api_key");
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(models).header("Authorization", "Bearer sk-test-123").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
        } finally {
            locked.stop();
        }
    }

    @Test
    void bindsLoopbackByDefault() {
        assertThat(ServerConfig.defaults().host()).isEqualTo("127.0.0.1");
        assertThat(server.address().getHost()).isEqualTo("127.0.0.1");
    }

    // ---- concurrency and disconnects -------------------------------------------------------------------

    @Test
    void twoConcurrentClientsAreBothAnsweredOneAfterTheOther() throws Exception {
        String a = "{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": 40, \"temperature\": 0}";
        String b = "{\"messages\": [{\"role\": \"user\", \"content\": \"Hello there\"}], \"max_tokens\": 40, \"temperature\": 0, \"stream\": true}";
        CompletableFuture<HttpResponse<String>> first = http.sendAsync(HttpRequest.newBuilder(uri("/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(a)).build(), HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> second = http.sendAsync(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(b)).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> ra = first.get(30, TimeUnit.SECONDS), rb = second.get(30, TimeUnit.SECONDS);
        assertThat(ra.statusCode()).isEqualTo(200);
        assertThat(rb.statusCode()).isEqualTo(200);
        assertThat(json(ra).at("/choices/0/text").asText())
                .isEqualTo(direct(served.chatFormat().encodeCompletion(PROMPT), 40).text());
        assertThat(events(rb.body()).getLast().at("/choices/0/finish_reason").isTextual()).isTrue();
        ServedRequest x = log.poll(5, TimeUnit.SECONDS), y = log.poll(5, TimeUnit.SECONDS);
        assertThat(x).isNotNull();
        assertThat(y).isNotNull();
        // serialized: one generation ended before the other began
        assertThat(x.finishedNanos()).isLessThanOrEqualTo(y.startedNanos());
    }

    @Test
    void aClientThatDisconnectsMidStreamStopsItsGeneration() throws Exception {
        int maxTokens = ENDLESS_TOKENS; // cannot all be written while the client reads only three events
        String body = "{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": " + maxTokens + ", \"temperature\": 0, \"stream\": true, \"ignore_eos\": true}";
        URI address = server.address();
        try (Socket socket = new Socket(address.getHost(), address.getPort())) {
            OutputStream out = socket.getOutputStream();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            InputStream in = socket.getInputStream();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            assertThat(reader.readLine()).startsWith("HTTP/1.1 200");
            int events = 0;
            String line;
            while (events < 3 && (line = reader.readLine()) != null) if (line.startsWith("data: {")) events++;
            assertThat(events).isEqualTo(3);
        } // closing the socket: the client is gone
        ServedRequest served = log.poll(20, TimeUnit.SECONDS);
        assertThat(served).as("the generation ended").isNotNull();
        assertThat(served.clientDisconnected()).isTrue();
        assertThat(served.stats().finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(served.stats().generatedTokens()).isLessThan(maxTokens);
        // and the worker is free for the next client
        assertThat(post("/v1/completions", "{\"prompt\": \"hi\", \"max_tokens\": 2}").statusCode()).isEqualTo(200);
    }

    @Test
    void aClientThatLeavesDuringALongPromptStopsItsPrefill() throws Exception {
        String longPrompt = "The fox ran over the hill and back again. ".repeat(1700);
        int promptTokens = served.chatFormat().encodeDialog(List.of(ChatMessage.user(longPrompt))).length;
        assertThat(promptTokens).isBetween(10_000, 29_000);
        String body = JSON.writeValueAsString(JSON.createObjectNode().put("max_tokens", 5).put("stream", true)
                .set("messages", JSON.createArrayNode().add(JSON.createObjectNode().put("role", "user").put("content", longPrompt))));
        URI address = server.address();
        try (Socket socket = new Socket(address.getHost(), address.getPort())) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + bytes.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(bytes);
            BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null && !line.startsWith("data: {")) { /* the role chunk: prefill has begun */ }
        } // gone while the prompt is being processed
        ServedRequest record = log.poll(30, TimeUnit.SECONDS);
        assertThat(record).isNotNull();
        assertThat(record.clientDisconnected()).isTrue();
        assertThat(record.stats().finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(record.stats().generatedTokens()).isZero();
        assertThat(record.stats().contextTokens()).as("prompt tokens processed before stopping").isLessThan(promptTokens);
    }

    @Test
    void aFullQueueIsRefusedWith429AndQueuedRequestsRunAfterTheCurrentOne() throws Exception {
        ApiServer small = ApiServer.start(ServerConfig.defaults().withPort(0).withQueueCapacity(1).withContextLimit(ENDLESS_CONTEXT), served);
        try {
            URI base = small.address();
            try (Socket running = startEndlessStream(base)) {
                // the worker is busy: of two more requests one may wait, the other is refused
                HttpRequest small2 = HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"hi\", \"max_tokens\": 2}")).build();
                CompletableFuture<HttpResponse<String>> b = http.sendAsync(small2, HttpResponse.BodyHandlers.ofString());
                CompletableFuture<HttpResponse<String>> c = http.sendAsync(small2, HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> refused = (HttpResponse<String>) CompletableFuture.anyOf(b, c).get(20, TimeUnit.SECONDS);
                assertError(refused, 429, "rate_limit_error", null, "queue_full");
                assertThat(refused.headers().firstValue("Retry-After")).hasValue(Integer.toString(ModelWorker.RETRY_AFTER_SECONDS));
                CompletableFuture<HttpResponse<String>> queued = b.isDone() && b.get() == refused ? c : b;
                Thread.sleep(200);
                assertThat(queued).isNotDone(); // still waiting behind the endless one
                running.close(); // the endless client leaves; its generation stops and the queued one runs
                assertThat(queued.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
        } finally {
            small.stop();
        }
    }

    @Test
    void stoppingTheServerEndsARunningGenerationPromptly() throws Exception {
        ApiServer other = ApiServer.start(ServerConfig.defaults().withPort(0).withContextLimit(ENDLESS_CONTEXT), served);
        BlockingQueue<ServedRequest> ended = new LinkedBlockingQueue<>();
        other.addObserver(ended::add);
        URI base = other.address();
        try (Socket client = startEndlessStream(base)) {
            CompletableFuture<HttpResponse<String>> waiting = http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"hi\", \"max_tokens\": 2}")).build(), HttpResponse.BodyHandlers.ofString());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (other.queuedRequests() < 1) { // stopping before it is queued would test a refused connection instead
                assertThat(System.nanoTime()).as("the second request reached the queue").isLessThan(deadline);
                Thread.sleep(10);
            }
            long start = System.nanoTime();
            other.stop();
            assertThat((System.nanoTime() - start) / 1e9).isLessThan(5);
            // the request that was waiting is told at once, not left hanging
            assertError(waiting.get(5, TimeUnit.SECONDS), 503, "server_error", null, null);
            ServedRequest record = ended.poll(10, TimeUnit.SECONDS);
            assertThat(record).isNotNull();
            assertThat(record.stats().finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(record.stats().generatedTokens()).isLessThan(ENDLESS_TOKENS);
        }
    }

    /**
     * Tokens of a streamed completion that cannot finish while its client does not read: at well over 100
     * bytes an event they are far more than the loopback socket buffers hold (a few MB on Linux), so the
     * server blocks on a write however fast the model is. 20,000 tokens fitted, and such a request could end
     * early on a quick machine.
     */
    static final int ENDLESS_TOKENS = 1_000_000;
    static final int ENDLESS_CONTEXT = ENDLESS_TOKENS + 100;

    /** Starts an {@link #ENDLESS_TOKENS} stream on a raw socket and returns it once the first event arrived. */
    static Socket startEndlessStream(URI base) throws java.io.IOException {
        Socket socket = new Socket(base.getHost(), base.getPort());
        try {
            return sendEndlessRequest(socket);
        } catch (java.io.IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static Socket sendEndlessRequest(Socket socket) throws java.io.IOException {
        byte[] bytes = ("{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": " + ENDLESS_TOKENS
                + ", \"temperature\": 0, \"stream\": true, \"ignore_eos\": true}").getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + bytes.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(bytes);
        BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null && !line.startsWith("data: {")) { /* until it generates */ }
        if (line == null) throw new java.io.IOException("the server closed the endless stream before its first event");
        return socket;
    }
}
