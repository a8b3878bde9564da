package org.mambaplayground.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.assets.DemoModels;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.server.ApiServer;
import org.mambaplayground.server.BackendServer;
import org.mambaplayground.server.GenerationGuard;
import org.mambaplayground.server.ServedRequest;
import org.mambaplayground.server.ServerConfig;

/**
 * Serving a remote model: our own {@code serve} over the Codestral Mamba demo model (with a key) is "the remote",
 * a {@link RemoteBackend} drives it, and the {@link BackendServer} relay on a loopback port answers plain HTTP
 * clients through the backend: models, a streamed and a whole chat completion, errors, and never the remote's key.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServeThroughRemoteTest {
    static final String REMOTE_KEY = "remote-secret-key-93ad1e";
    @TempDir static Path cache;
    static LoadedModel model;
    static ApiServer remote;
    static RemoteClient client;
    static BackendServer relay;
    static final BlockingQueue<ServedRequest> servedByRemote = new LinkedBlockingQueue<>();
    static final BlockingQueue<ServedRequest> servedByRelay = new LinkedBlockingQueue<>();
    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        Path folder = DemoModels.locate(cache).stream().filter(d -> d.name().equals("codestral-mamba-demo")).findFirst()
                .orElseThrow().folder();
        model = ModelLoader.load(folder, ModelLoader.Options.DEFAULT);
        remote = ApiServer.start(ServerConfig.defaults().withPort(0).withApiKey(REMOTE_KEY).withMaxTokens(16), model);
        remote.addObserver(servedByRemote::add);
        client = new RemoteClient(Endpoint.of(remote.address().toString(), EndpointKind.MAMBA_PLAYGROUND), ApiKey.of(REMOTE_KEY));
        relay = BackendServer.start(ServerConfig.defaults().withPort(0).withMaxTokens(8),
                new RemoteBackend(client, remote.modelName()), GenerationGuard.NONE);
        relay.addObserver(servedByRelay::add);
    }

    @AfterAll
    static void stop() {
        if (relay != null) relay.stop();
        if (client != null) client.close();
        if (remote != null) remote.stop();
        if (model != null) model.close();
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(relay.address() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String chatBody(boolean stream, String extra) {
        return "{\"model\": \"" + remote.modelName() + "\", \"stream\": " + stream + ", \"max_tokens\": 6, \"temperature\": 0" + extra
                + ", \"messages\": [{\"role\": \"system\", \"content\": \"You write Python.\"},"
                + " {\"role\": \"user\", \"content\": \"Reverse a string.\"},"
                + " {\"role\": \"assistant\", \"content\": \"s[::-1]\"},"
                + " {\"role\": \"user\", \"content\": \"Now a list.\"}]}";
    }

    @Test
    void listsTheRemoteModelUnderItsName() throws Exception {
        HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(relay.address() + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(models.statusCode()).isEqualTo(200);
        JsonNode data = json.readTree(models.body()).get("data");
        assertThat(data).hasSize(1);
        assertThat(data.get(0).get("id").asText()).isEqualTo(remote.modelName());
        assertThat(models.body()).doesNotContain(REMOTE_KEY).doesNotContain(Integer.toString(remote.address().getPort()));
    }

    @Test
    void streamsAChatCompletionThroughTheRemoteBackend() throws Exception {
        servedByRemote.clear();
        HttpResponse<String> response = post("/v1/chat/completions", chatBody(true, ", \"stream_options\": {\"include_usage\": true}"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        assertThat(response.body()).doesNotContain(REMOTE_KEY);

        List<JsonNode> events = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (!line.startsWith("data: ")) continue;
            if (line.equals("data: [DONE]")) break;
            events.add(json.readTree(line.substring(6)));
        }
        assertThat(response.body().strip()).endsWith("data: [DONE]");
        assertThat(events.getFirst().get("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(events.getFirst().at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        StringBuilder text = new StringBuilder();
        for (JsonNode e : events) {
            JsonNode content = e.at("/choices/0/delta/content");
            if (content.isTextual()) text.append(content.asText());
        }
        assertThat(text.toString()).isNotBlank();
        JsonNode usage = events.getLast().get("usage");
        assertThat(usage.get("completion_tokens").asInt()).isBetween(1, 6);
        assertThat(usage.get("prompt_tokens").asInt()).isPositive();

        // the remote server answered the whole conversation, with the history resumed before the last message
        ServedRequest atRemote = servedByRemote.poll(10, TimeUnit.SECONDS);
        assertThat(atRemote).isNotNull();
        assertThat(atRemote.endpoint()).isEqualTo("/v1/chat/completions");
        assertThat(atRemote.stats().promptTokens()).isEqualTo(usage.get("prompt_tokens").asInt());
        assertThat(atRemote.stats().generatedTokens()).isEqualTo(usage.get("completion_tokens").asInt());
    }

    @Test
    void answersAWholeChatCompletionTheSameWayAsTheRemote() throws Exception {
        HttpResponse<String> viaRelay = post("/v1/chat/completions", chatBody(false, ""));
        assertThat(viaRelay.statusCode()).as(viaRelay.body()).isEqualTo(200);
        JsonNode body = json.readTree(viaRelay.body());
        assertThat(body.get("object").asText()).isEqualTo("chat.completion");
        String text = body.at("/choices/0/message/content").asText();
        HttpResponse<String> direct = http.send(HttpRequest.newBuilder(URI.create(remote.address() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + REMOTE_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chatBody(false, ""))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(text).as("greedy: the same answer as asking the remote directly").isEqualTo(
                json.readTree(direct.body()).at("/choices/0/message/content").asText());
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(json.readTree(direct.body()).at("/usage/total_tokens").asInt());
    }

    @Test
    void refusesOtherRoutesAndMalformedRequestsTheOpenAiWay() throws Exception {
        HttpResponse<String> completions = post("/v1/completions", "{\"prompt\": \"x\"}");
        assertThat(completions.statusCode()).isEqualTo(404);
        assertThat(json.readTree(completions.body()).at("/error/code").asText()).isEqualTo("unknown_url");

        HttpResponse<String> broken = post("/v1/chat/completions", "{\"messages\": [");
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(json.readTree(broken.body()).at("/error/type").asText()).isEqualTo("invalid_request_error");

        HttpResponse<String> noUser = post("/v1/chat/completions", "{\"messages\": [{\"role\": \"system\", \"content\": \"hi\"}]}");
        assertThat(noUser.statusCode()).isEqualTo(400);
        assertThat(json.readTree(noUser.body()).at("/error/param").asText()).isEqualTo("messages");

        HttpResponse<String> otherModel = post("/v1/chat/completions",
                "{\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        assertThat(otherModel.statusCode()).isEqualTo(404);
        assertThat(json.readTree(otherModel.body()).at("/error/message").asText()).contains("gpt-4o").contains(remote.modelName());
    }

    /** The backend's failure (here: the remote refuses a wrong key) is a 502 with its message, and no key. */
    @Test
    void aBackendFailureIsA502WithItsMessage() throws Exception {
        try (RemoteClient wrongKey = new RemoteClient(Endpoint.of(remote.address().toString(), EndpointKind.MAMBA_PLAYGROUND),
                ApiKey.of("not-" + REMOTE_KEY))) {
            BackendServer refused = BackendServer.start(ServerConfig.defaults().withPort(0),
                    new RemoteBackend(wrongKey, remote.modelName()), GenerationGuard.NONE);
            try {
                for (boolean stream : new boolean[] {false, true}) {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(refused.address() + "/v1/chat/completions"))
                            .POST(HttpRequest.BodyPublishers.ofString(chatBody(stream, ""))).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(502);
                    JsonNode error = json.readTree(response.body()).get("error");
                    assertThat(error.get("code").asText()).isEqualTo("upstream_error");
                    assertThat(error.get("message").asText()).isNotBlank();
                    assertThat(response.body()).doesNotContain(REMOTE_KEY);
                }
            } finally {
                refused.stop();
            }
        }
    }

    /** The relay's own key guards it; the remote's key is the relay's business and opens nothing here. */
    @Test
    void theRelaysOwnKeyGuardsItAndTheRemotesKeyIsNotIt() throws Exception {
        BackendServer keyed = BackendServer.start(ServerConfig.defaults().withPort(0).withApiKey("relay-key"),
                new RemoteBackend(client, remote.modelName()), GenerationGuard.NONE);
        try {
            URI models = URI.create(keyed.address() + "/v1/models");
            assertThat(http.send(HttpRequest.newBuilder(models).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            assertThat(http.send(HttpRequest.newBuilder(models).header("Authorization", "Bearer " + REMOTE_KEY).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            assertThat(http.send(HttpRequest.newBuilder(models).header("Authorization", "Bearer relay-key").build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        } finally {
            keyed.stop();
        }
    }

    /** A stream the remote cuts mid-answer: what arrived was relayed, then an OpenAI-shaped error event, no key. */
    @Test
    void aRemoteStreamCutMidAnswerEndsTheRelayedStreamWithAnError() throws Exception {
        try (FakeMistralApi api = new FakeMistralApi("mistral-key-77e0");
             RemoteClient mistral = new RemoteClient(new Endpoint("Mistral", api.baseUrl(), EndpointKind.MISTRAL, List.of(), null),
                     ApiKey.of("mistral-key-77e0"))) {
            BackendServer cutting = BackendServer.start(ServerConfig.defaults().withPort(0), new RemoteBackend(mistral, "cut"), GenerationGuard.NONE);
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(cutting.address() + "/v1/chat/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"cut\", \"stream\": true, "
                                + "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                List<JsonNode> events = new ArrayList<>();
                for (String line : response.body().split("\n")) {
                    if (line.startsWith("data: {")) events.add(json.readTree(line.substring(6)));
                }
                assertThat(events.stream().filter(e -> e.at("/choices/0/delta/content").asText().length() > 0)).hasSize(3);
                JsonNode error = events.getLast().get("error");
                assertThat(error.get("code").asText()).isEqualTo("upstream_error");
                assertThat(error.get("message").asText()).contains("was cut after 3 pieces");
                assertThat(events).noneMatch(e -> "stop".equals(e.at("/choices/0/finish_reason").asText()));
                assertThat(response.body()).doesNotContain("mistral-key-77e0");
            } finally {
                cutting.stop();
            }
        }
    }

    /** A client that leaves mid-stream cancels the backend's answer: the remote stream is closed, not read to its end. */
    @Test
    void aClientThatLeavesMidStreamCancelsTheRemoteAnswer() throws Exception {
        try (FakeMistralApi api = new FakeMistralApi("mistral-key-77e0", new java.util.concurrent.CopyOnWriteArrayList<>(), 250);
             RemoteClient mistral = new RemoteClient(new Endpoint("Mistral", api.baseUrl(), EndpointKind.MISTRAL, List.of(), null),
                     ApiKey.of("mistral-key-77e0"))) {
            BackendServer slow = BackendServer.start(ServerConfig.defaults().withPort(0), new RemoteBackend(mistral, "open-mistral-nemo"),
                    GenerationGuard.NONE);
            BlockingQueue<ServedRequest> served = new LinkedBlockingQueue<>();
            slow.addObserver(served::add);
            try {
                String body = "{\"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
                try (java.net.Socket socket = new java.net.Socket(slow.address().getHost(), slow.address().getPort())) {
                    socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    StringBuilder seen = new StringBuilder();
                    var in = socket.getInputStream();
                    int c;
                    while (!seen.toString().contains("\"content\":\"def\"") && (c = in.read()) >= 0) seen.append((char) c);
                    assertThat(seen.toString()).startsWith("HTTP/1.1 200").contains("\"content\":\"def\"");
                } // the client leaves after the first piece
                ServedRequest request = served.poll(10, TimeUnit.SECONDS);
                assertThat(request).as("the answer ended").isNotNull();
                assertThat(request.clientDisconnected()).isTrue();
                assertThat(request.stats().finishReason()).isEqualTo(org.mambaplayground.engine.generate.FinishReason.CANCELLED);
                assertThat(request.stats().generatedTokens()).as("stopped well before the 10 pieces").isLessThan(FakeMistralApi.PIECES.size());
            } finally {
                slow.stop();
            }
        }
    }
}
