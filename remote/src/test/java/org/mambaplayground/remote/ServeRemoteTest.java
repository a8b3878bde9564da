package org.mambaplayground.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
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
import org.mambaplayground.engine.tokenizer.ChatMessage;
import org.mambaplayground.server.ApiServer;
import org.mambaplayground.server.ServedRequest;
import org.mambaplayground.server.ServerConfig;

/**
 * The client against our own {@code serve} (a real OpenAI-compatible server over the bundled Codestral Mamba
 * demo model) on a loopback port: models, streamed chat with usage and client-side timing, the completion
 * probe, cancel, a refused key, an unknown model, and unreachable endpoints.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServeRemoteTest {
    static final String KEY = "serve-test-key-5b1f";
    @TempDir static Path cache;
    static LoadedModel model;
    static ApiServer server;
    static ApiServer keyed;
    static final BlockingQueue<ServedRequest> served = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() throws Exception {
        Path folder = DemoModels.locate(cache).stream().filter(d -> d.name().equals("codestral-mamba-demo")).findFirst()
                .orElseThrow().folder();
        model = ModelLoader.load(folder, ModelLoader.Options.DEFAULT);
        server = ApiServer.start(ServerConfig.defaults().withPort(0).withMaxTokens(16), model);
        server.addObserver(served::add);
        keyed = ApiServer.start(ServerConfig.defaults().withPort(0).withApiKey(KEY).withMaxTokens(4), model);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop();
        if (keyed != null) keyed.stop();
        if (model != null) model.close();
    }

    static RemoteClient client(ApiServer api, ApiKey key) {
        return new RemoteClient(Endpoint.of(api.address().toString(), EndpointKind.MAMBA_PLAYGROUND), key);
    }

    @Test
    void listsTheServedModel() {
        try (RemoteClient client = client(server, null)) {
            assertThat(client.endpoint().baseUrl()).isEqualTo(server.address() + "/v1");
            assertThat(client.models()).extracting(RemoteModel::id).containsExactly(server.modelName());
        }
    }

    @Test
    void streamsAChatAnswerWithUsageAndClientSideTiming() {
        List<Message> messages = List.of(Message.user("Write a function that adds two numbers."));
        List<String> pieces = new ArrayList<>();
        ChatResult result;
        try (RemoteClient client = client(server, null)) {
            result = client.chat(ChatRequest.chat(server.modelName(), messages).withMaxTokens(12).withTemperature(0f)).stream(pieces::add);
        }
        assertThat(pieces).isNotEmpty();
        assertThat(String.join("", pieces)).isEqualTo(result.text());
        assertThat(result.finishReason()).isIn("stop", "length");
        RemoteStats s = result.stats();
        assertThat(s.tokensFromUsage()).isTrue();
        // the prompt the server read: the demo model's chat format around the one message
        int prompt = model.chatFormat().encodeDialog(List.of(new ChatMessage(ChatMessage.Role.USER, messages.getFirst().content()))).length;
        assertThat(s.promptTokens()).isEqualTo(prompt);
        assertThat(s.completionTokens()).isBetween(1, 12);
        assertThat(s.chunks()).isEqualTo(pieces.size());
        assertThat(s.ttftMillis()).isPositive().isLessThanOrEqualTo(s.totalMillis());
        if (s.completionTokens() >= 2) assertThat(s.millisPerToken()).isPositive().isFinite();
        // the same greedy answer through the server's own generation figures
        assertThat(lastServed().stats().generatedTokens()).isEqualTo(s.completionTokens());
    }

    @Test
    void theLatencyProbeSendsAPlainPrompt() {
        ChatResult result;
        try (RemoteClient client = client(server, null)) {
            result = client.complete(ChatRequest.completion(server.modelName(), "def fibonacci(n):").withMaxTokens(5).withTemperature(0f))
                    .stream(p -> {});
        }
        assertThat(lastServed().endpoint()).isEqualTo("/v1/completions");
        assertThat(result.stats().promptTokens()).isEqualTo(model.chatFormat().encodeCompletion("def fibonacci(n):").length);
        assertThat(result.stats().completionTokens()).isBetween(1, 5);
    }

    @Test
    void cancelClosesTheStreamAtOnceAndTheServerStops() throws Exception {
        served.clear();
        try (RemoteClient client = client(server, null)) {
            RemoteCall call = client.complete(ChatRequest.completion(server.modelName(), "Once upon a time")
                    .withMaxTokens(3000).withTemperature(1f).withSeed(1L));
            CountDownLatch first = new CountDownLatch(1);
            Thread canceller = Thread.ofVirtual().start(() -> {
                try {
                    first.await();
                    call.cancel();
                } catch (InterruptedException ignored) { }
            });
            long start = System.nanoTime();
            ChatResult result = call.stream(p -> first.countDown());
            canceller.join();
            assertThat(result.cancelled()).isTrue();
            assertThat(result.text()).isNotEmpty();
            assertThat((System.nanoTime() - start) / 1e9).isLessThan(20);
        }
        ServedRequest request = served.poll(10, TimeUnit.SECONDS);
        assertThat(request).as("the server finished the generation").isNotNull();
        assertThat(request.clientDisconnected()).isTrue();
        assertThat(request.stats().generatedTokens()).isLessThan(3000);
    }

    @Test
    void aMissingOrWrongKeyIsRefusedWithoutShowingTheKey() {
        try (RemoteClient none = client(keyed, null)) {
            assertThatThrownBy(none::models).isInstanceOfSatisfying(RemoteException.class, e -> {
                assertThat(e.kind()).isEqualTo(RemoteException.Kind.UNAUTHORIZED);
                assertThat(e.getMessage()).contains(keyed.address().toString()).contains("needs an API key").contains("401");
            });
        }
        try (RemoteClient wrong = client(keyed, ApiKey.of("not-the-key-77"))) {
            assertThatThrownBy(() -> wrong.chat(ChatRequest.chat(keyed.modelName(), List.of(Message.user("hi")))).stream(p -> {}))
                    .isInstanceOfSatisfying(RemoteException.class, e -> {
                        assertThat(e.kind()).isEqualTo(RemoteException.Kind.UNAUTHORIZED);
                        assertThat(e.getMessage()).contains("refused the API key").doesNotContain("not-the-key-77");
                    });
        }
        try (RemoteClient right = client(keyed, ApiKey.of(KEY))) {
            assertThat(right.models()).extracting(RemoteModel::id).containsExactly(keyed.modelName());
        }
    }

    @Test
    void anUnknownModelIsNamedWithTheOnesServed() {
        try (RemoteClient client = client(server, null)) {
            assertThatThrownBy(() -> client.chat(ChatRequest.chat("mistral-large", List.of(Message.user("hi")))).stream(p -> {}))
                    .isInstanceOfSatisfying(RemoteException.class, e -> {
                        assertThat(e.kind()).isEqualTo(RemoteException.Kind.MODEL_NOT_FOUND);
                        assertThat(e.getMessage()).startsWith("Model 'mistral-large' is not served by " + server.address())
                                .contains("404").endsWith("it lists " + server.modelName());
                    });
        }
    }

    @Test
    void aWrongBaseUrlIsToldApartFromAMissingModel() {
        Endpoint wrongPrefix = Endpoint.of(server.address() + "/api/v1", EndpointKind.VLLM);
        try (RemoteClient client = new RemoteClient(wrongPrefix, null)) {
            assertThatThrownBy(() -> client.chat(ChatRequest.chat(server.modelName(), List.of(Message.user("hi")))).stream(p -> {}))
                    .isInstanceOfSatisfying(RemoteException.class, e -> assertThat(e.getMessage())
                            .contains("/api/v1").contains("its model list could not be read either: check the base URL"));
        }
    }

    @Test
    void aRefusedPortFailsFastAndSaysSo() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) { port = s.getLocalPort(); } // free, and nobody listens
        try (RemoteClient client = new RemoteClient(Endpoint.of("http://127.0.0.1:" + port, EndpointKind.VLLM), null)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.chat(ChatRequest.chat("m", List.of(Message.user("hi")))).stream(p -> {}))
                    .isInstanceOfSatisfying(RemoteException.class, e -> {
                        assertThat(e.kind()).isEqualTo(RemoteException.Kind.UNREACHABLE);
                        assertThat(e.getMessage()).isEqualTo("Cannot reach http://127.0.0.1:" + port + "/v1: connection refused");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void anUnknownHostFailsFastAndSaysSo() {
        try (RemoteClient client = new RemoteClient(Endpoint.of("http://no-such-host.invalid:8000", EndpointKind.VLLM), null)) {
            long start = System.nanoTime();
            assertThatThrownBy(client::models).isInstanceOfSatisfying(RemoteException.class, e -> {
                assertThat(e.kind()).isEqualTo(RemoteException.Kind.UNREACHABLE);
                assertThat(e.getMessage()).isEqualTo("Cannot reach http://no-such-host.invalid:8000/v1: unknown host no-such-host.invalid");
            });
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }

    private static ServedRequest lastServed() {
        ServedRequest last = null;
        for (ServedRequest r; (r = served.poll()) != null; ) last = r;
        assertThat(last).isNotNull();
        return last;
    }
}
