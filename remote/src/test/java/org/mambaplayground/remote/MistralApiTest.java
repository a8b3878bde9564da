package org.mambaplayground.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Mistral preset against a fake Mistral API on loopback: the request it sends, the answers and every error it can meet. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MistralApiTest {
    static final String KEY = "mistral-test-key-QpL3xx";
    FakeMistralApi api;
    RemoteClient client;

    @BeforeEach
    void start() throws Exception {
        api = new FakeMistralApi(KEY);
        client = new RemoteClient(new Endpoint("Mistral", api.baseUrl(), EndpointKind.MISTRAL, List.of(), null), ApiKey.of(KEY));
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        api.close();
    }

    RemoteException failure(String model) {
        try {
            client.chat(ChatRequest.chat(model, List.of(Message.user("hi")))).stream(p -> {});
        } catch (RemoteException e) {
            return e;
        }
        throw new AssertionError("no failure for " + model);
    }

    @Test
    void listsTheModelsWithTheirContextLength() {
        assertThat(client.models()).containsExactly(new RemoteModel("open-codestral-mamba", "mistralai", 256000),
                new RemoteModel("open-mistral-nemo", "mistralai", 256000));
    }

    @Test
    void streamsAnAnswerWithUsageFromTheLastChunkAndNoFieldMistralRefuses() throws Exception {
        List<Message> messages = List.of(Message.system("You write Python."), Message.user("A function that adds two numbers"));
        List<String> pieces = new ArrayList<>();
        ChatResult result = client.chat(ChatRequest.chat("open-codestral-mamba", messages).withTemperature(0.2f)
                .withTopP(0.9f).withMaxTokens(64).withSeed(42L)).stream(pieces::add);

        assertThat(pieces).containsExactlyElementsOf(FakeMistralApi.PIECES);
        assertThat(result.text()).isEqualTo("def add(a, b): return a + b");
        assertThat(result.finishReason()).isEqualTo("stop");
        RemoteStats s = result.stats();
        assertThat(s.tokensFromUsage()).isTrue();
        assertThat(s.completionTokens()).isEqualTo(10);
        assertThat(s.promptTokens()).isEqualTo(3 + 4 + 6 + 4);
        assertThat(s.chunks()).isEqualTo(10);
        // the server waits 15 ms before each piece: the client's clock sees it
        assertThat(s.ttftMillis()).isGreaterThanOrEqualTo(14);
        assertThat(s.millisPerToken()).isGreaterThanOrEqualTo(14).isLessThan(1000);
        assertThat(s.totalMillis()).isGreaterThanOrEqualTo(s.ttftMillis() + 9 * 14);

        JsonNode sent = new ObjectMapper().readTree(api.received().getLast().body());
        assertThat(sent.has("stream_options")).as("Mistral refuses stream_options with a 422").isFalse();
        assertThat(sent.path("random_seed").asLong()).isEqualTo(42);
        assertThat(sent.path("stream").asBoolean()).isTrue();
        assertThat(sent.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(api.received().getLast().headers()).containsEntry("accept", "text/event-stream");
    }

    @Test
    void withoutUsageTheTokensAreCountedFromTheChunks() {
        ChatResult result = client.chat(ChatRequest.chat("no-usage", List.of(Message.user("hi"))).withMaxTokens(5)).stream(p -> {});
        assertThat(result.finishReason()).isEqualTo("length");
        assertThat(result.stats().tokensFromUsage()).isFalse();
        assertThat(result.stats().completionTokens()).isEqualTo(5);
        assertThat(result.stats().promptTokens()).isEqualTo(-1);
    }

    @Test
    void theProbeGoesThroughChatBecauseMistralHasNoPlainCompletions() {
        ChatResult result = client.complete(ChatRequest.completion("open-mistral-nemo", "one two three").withMaxTokens(3)).stream(p -> {});
        assertThat(api.received().getLast().path()).isEqualTo("/v1/chat/completions");
        assertThat(result.stats().promptTokens()).isEqualTo(3 + 4);
        assertThat(result.stats().completionTokens()).isEqualTo(3);
    }

    @Test
    void aMissingKeyIsAskedFor() throws Exception {
        try (RemoteClient none = new RemoteClient(Endpoint.of(api.baseUrl(), EndpointKind.MISTRAL), null)) {
            assertThatThrownBy(none::models).isInstanceOfSatisfying(RemoteException.class, e -> {
                assertThat(e.kind()).isEqualTo(RemoteException.Kind.UNAUTHORIZED);
                assertThat(e.getMessage()).isEqualTo(api.baseUrl() + " needs an API key (401: Unauthorized); "
                        + "set the endpoint's key or the variable that holds it");
            });
        }
    }

    @Test
    void aRefusedKeyIsNeverRepeatedEvenWhenTheServerEchoesIt() {
        try (RemoteClient wrong = new RemoteClient(Endpoint.of(api.baseUrl(), EndpointKind.MISTRAL), ApiKey.of("wrong-key-ZZ9"))) {
            assertThatThrownBy(() -> wrong.chat(ChatRequest.chat("open-mistral-nemo", List.of(Message.user("hi")))).stream(p -> {}))
                    .isInstanceOfSatisfying(RemoteException.class, e -> {
                        assertThat(e.kind()).isEqualTo(RemoteException.Kind.UNAUTHORIZED);
                        assertThat(e.getMessage()).isEqualTo(api.baseUrl() + " refused the API key (401: Unauthorized: no such key ***)");
                    });
        }
    }

    @Test
    void anInvalidModelIsNamedWithTheModelsTheApiLists() {
        RemoteException e = failure("open-codestral-mambo");
        assertThat(e.kind()).isEqualTo(RemoteException.Kind.MODEL_NOT_FOUND);
        assertThat(e.getMessage()).isEqualTo("Model 'open-codestral-mambo' is not served by Mistral (" + api.baseUrl()
                + ") (400: Invalid model: open-codestral-mambo); it lists open-codestral-mamba, open-mistral-nemo");
    }

    @Test
    void aRateLimitSaysWhenToRetry() {
        RemoteException e = failure("busy");
        assertThat(e.kind()).isEqualTo(RemoteException.Kind.RATE_LIMITED);
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(e.getMessage()).startsWith("Mistral (" + api.baseUrl() + ") is rate-limiting requests for model 'busy' "
                + "(429: Requests rate limit exceeded); retry in 7 s (at ").endsWith(" UTC)");
    }

    @Test
    void aStreamCutMidAnswerKeepsWhatArrived() {
        List<String> shown = new ArrayList<>();
        assertThatThrownBy(() -> client.chat(ChatRequest.chat("cut", List.of(Message.user("hi")))).stream(shown::add))
                .isInstanceOfSatisfying(RemoteException.class, e -> {
                    assertThat(e.kind()).isEqualTo(RemoteException.Kind.STREAM_CUT);
                    assertThat(e.getMessage()).startsWith("The answer from Mistral (" + api.baseUrl() + ") (model 'cut') was cut after 3 pieces (9 characters): the connection broke (")
                            .endsWith("the text received is kept");
                    assertThat(e.partial().text()).isEqualTo("def add(a");
                    assertThat(e.partial().finishReason()).isNull();
                    assertThat(e.partial().stats().chunks()).isEqualTo(3);
                });
        assertThat(shown).containsExactly("def", " add", "(a");
    }

    @Test
    void dataThatIsNotJsonIsReportedWithItsLine() {
        RemoteException e = failure("garbled");
        assertThat(e.kind()).isEqualTo(RemoteException.Kind.MALFORMED_STREAM);
        assertThat(e.getMessage()).contains("(model 'garbled') is malformed: line 7 holds data that is not JSON: "
                + "'{\"id\":\"cmpl-e5cc70bb28c444948073e77776eb30ef\",\"choices\":[{\"index\":0,\"delta\":{\"co...'");
        assertThat(e.partial().text()).isEqualTo("def add");
    }

    @Test
    void aLineThatIsNotAnEventIsReported() {
        RemoteException e = failure("raw");
        assertThat(e.kind()).isEqualTo(RemoteException.Kind.MALFORMED_STREAM);
        assertThat(e.getMessage()).contains("is malformed: line 7 is not server-sent events: '<html>502 Bad Gateway</html>'");
        assertThat(e.partial().text()).isEqualTo("def add");
    }

    @Test
    void anUnknownRouteIsARefusedRequestNamingIt() {
        try (RemoteClient wrongPrefix = new RemoteClient(Endpoint.of(api.baseUrl() + "/v2", EndpointKind.MISTRAL), ApiKey.of(KEY))) {
            assertThatThrownBy(wrongPrefix::models).isInstanceOfSatisfying(RemoteException.class, e -> assertThat(e.getMessage())
                    .isEqualTo(api.baseUrl() + "/v2 refused GET /models (404: Not Found)"));
        }
    }

    @Test
    void aServerErrorSaysWhatTheServerSaid() {
        RemoteException e = failure("overloaded");
        assertThat(e.kind()).isEqualTo(RemoteException.Kind.SERVER_ERROR);
        assertThat(e.getMessage()).isEqualTo("Mistral (" + api.baseUrl() + ") failed on POST /chat/completions for model 'overloaded' "
                + "(503: Service unavailable: the model is overloaded, please retry)");
    }

    @Test
    void anErrorEventMidAnswerKeepsWhatArrived() {
        RemoteException e = failure("fails");
        assertThat(e.kind()).isEqualTo(RemoteException.Kind.SERVER_ERROR);
        assertThat(e.getMessage()).isEqualTo("Mistral (" + api.baseUrl() + ") reported an error in the answer of model 'fails': "
                + "Internal error while generating");
        assertThat(e.partial().text()).isEqualTo("def add");
    }
}
