package org.mambaplayground.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.assets.DemoModels;
import org.mambaplayground.backend.BackendException;
import org.mambaplayground.backend.Conversation;
import org.mambaplayground.backend.MeasuredAt;
import org.mambaplayground.backend.ProbeRequest;
import org.mambaplayground.backend.ProbeResult;
import org.mambaplayground.backend.Reply;
import org.mambaplayground.backend.ReplyListener;
import org.mambaplayground.backend.ReplyStats;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.FinishReason;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.model.Architecture;
import org.mambaplayground.engine.tokenizer.ChatMessage;
import org.mambaplayground.server.ApiServer;
import org.mambaplayground.server.ServedRequest;
import org.mambaplayground.server.ServerConfig;

/**
 * The backend seam over a remote endpoint: our own {@code serve} (the demo model) for conversations, Stop and the
 * latency probe, checked against what the server says it read; the fake Mistral API for a cut stream and a 429.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RemoteBackendTest {
    @TempDir static Path cache;
    static LoadedModel model;
    static ApiServer server;
    static RemoteClient client;
    static final BlockingQueue<ServedRequest> served = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() throws Exception {
        Path folder = DemoModels.locate(cache).stream().filter(d -> d.name().equals("codestral-mamba-demo")).findFirst()
                .orElseThrow().folder();
        model = ModelLoader.load(folder, ModelLoader.Options.DEFAULT);
        server = ApiServer.start(ServerConfig.defaults().withPort(0), model);
        server.addObserver(served::add);
        client = new RemoteClient(new Endpoint("bench box", server.address().toString(), EndpointKind.MAMBA_PLAYGROUND, List.of(), null), null);
    }

    @AfterAll
    static void stop() {
        if (client != null) client.close();
        if (server != null) server.stop();
        if (model != null) model.close();
    }

    @BeforeEach
    void clear() { served.clear(); }

    static SamplingOptions greedy(int tokens) { return SamplingOptions.greedy(tokens); }

    /**
     * Prompt tokens of the last request as the server's usage reported them: the whole conversation in the demo
     * model's chat format (the server itself may read fewer, reusing the state of a prefix it has seen).
     */
    static int prompt(Reply reply) throws InterruptedException {
        assertThat(served.poll(10, TimeUnit.SECONDS)).as("the server answered").isNotNull();
        return reply.stats().promptTokens();
    }

    static int dialog(ChatMessage... messages) { return model.chatFormat().encodeDialog(List.of(messages)).length; }

    @Test
    void eachTurnSendsTheHistoryRegenerateLeavesOutTheLastAnswerAndEditCutsIt() throws Exception {
        RemoteBackend backend = new RemoteBackend(client, server.modelName());
        assertThat(backend.label()).isEqualTo("codestral-mamba-demo · bench box");
        assertThat(backend.measuredAt()).isEqualTo(MeasuredAt.CLIENT);
        Conversation chat = backend.open(true);

        List<String> pieces = new ArrayList<>();
        ReplyStats[] finished = new ReplyStats[1];
        ReplyListener listener = new ReplyListener() {
            @Override public void onText(String piece, int tokens) { pieces.add(piece); }
            @Override public void onFinished(ReplyStats stats) { finished[0] = stats; }
        };
        Reply first = chat.send("Hello", greedy(6), new CancellationToken(), listener);
        assertThat(String.join("", pieces)).isEqualTo(first.text());
        assertThat(finished[0]).isEqualTo(first.stats());
        assertThat(first.stats().measuredAt()).isEqualTo(MeasuredAt.CLIENT);
        assertThat(first.stats().tokenSource()).isEqualTo(ReplyStats.TokenSource.USAGE);
        assertThat(first.stats().stateBytes()).isEmpty();
        assertThat(prompt(first)).isEqualTo(dialog(ChatMessage.user("Hello")));

        Reply second = chat.send("And then?", greedy(6), new CancellationToken(), null);
        assertThat(prompt(second)).isEqualTo(dialog(ChatMessage.user("Hello"),
                ChatMessage.assistant(first.text()), ChatMessage.user("And then?")));

        Reply again = chat.regenerate(new SamplingOptions(1f, 1f, 3L, 6), new CancellationToken(), null);
        assertThat(prompt(again)).isEqualTo(second.stats().promptTokens());
        assertThat(chat.alternativeCount(1)).isEqualTo(2);
        assertThat(chat.selectedAlternative(1)).isEqualTo(1);

        Reply edited = chat.edit(0, "Hi there", greedy(6), new CancellationToken(), null);
        assertThat(prompt(edited)).isEqualTo(dialog(ChatMessage.user("Hi there")));
        assertThat(chat.turnCount()).isEqualTo(1);
        assertThat(chat.userText(0)).isEqualTo("Hi there");
    }

    @Test
    void stopClosesTheStreamAndKeepsWhatWasSaid() throws Exception {
        Conversation chat = new RemoteBackend(client, server.modelName()).open(false);
        CancellationToken stop = new CancellationToken();
        long start = System.nanoTime();
        Reply reply = chat.send("Once upon a time", new SamplingOptions(1f, 1f, 11L, 5000), stop, new ReplyListener() {
            @Override public void onText(String piece, int tokens) { stop.cancel(); }
        });
        assertThat(reply.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(reply.text()).isNotEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(chat.turnCount()).isEqualTo(1);
        assertThat(chat.alternativeCount(0)).isEqualTo(1);
        ServedRequest r = served.poll(10, TimeUnit.SECONDS);
        assertThat(r.clientDisconnected()).isTrue();
        assertThat(r.stats().generatedTokens()).isLessThan(5000);
        assertThat(r.endpoint()).as("a base-model conversation is a plain completion").isEqualTo("/v1/completions");
    }

    @Test
    void theProbeMeasuresAtTheClientAndLearnsTheLengthOfItsPrompt() {
        RemoteBackend backend = new RemoteBackend(client, server.modelName());
        ProbeRequest request = new ProbeRequest(64, 4, 2);
        List<Integer> repeats = new ArrayList<>();
        ProbeResult firstGuess = backend.probe(request, new CancellationToken(), new org.mambaplayground.backend.ProbeListener() {
            @Override public void onRepeat(int done) { repeats.add(done); }
        });
        assertThat(repeats).containsExactly(1, 2);
        assertThat(firstGuess.repeats()).isEqualTo(2);
        assertThat(firstGuess.stats().measuredAt()).isEqualTo(MeasuredAt.CLIENT);
        assertThat(firstGuess.stats().timeToFirstTokenMillis()).isPositive();
        ProbeResult learned = backend.probe(request, new CancellationToken(), null);
        assertThat(learned.stats().promptTokens()).isBetween(48, 80);
    }

    @Test
    void aCutStreamLeavesTheConversationAsItWasAndKeepsThePartialAnswer() throws Exception {
        try (FakeMistralApi api = new FakeMistralApi("k");
             RemoteClient mistral = new RemoteClient(Endpoint.of(api.baseUrl(), EndpointKind.MISTRAL), ApiKey.of("k"))) {
            Conversation chat = new RemoteBackend(mistral, "cut").open(true);
            assertThatThrownBy(() -> chat.send("hi", greedy(20), new CancellationToken(), null))
                    .isInstanceOfSatisfying(RemoteBackendException.class, e -> {
                        assertThat(e.kind()).isEqualTo(BackendException.Kind.STREAM_CUT);
                        assertThat(e.getMessage()).contains("was cut after 3 pieces");
                        assertThat(e.partial()).get().extracting(Reply::text).isEqualTo("def add(a");
                    });
            assertThat(chat.turnCount()).isZero();

            Conversation busy = new RemoteBackend(mistral, "busy").open(true);
            assertThatThrownBy(() -> busy.send("hi", greedy(20), new CancellationToken(), null))
                    .isInstanceOfSatisfying(BackendException.class, e -> {
                        assertThat(e.kind()).isEqualTo(BackendException.Kind.RATE_LIMITED);
                        assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
                    });
        }
    }

    @Test
    void wellKnownIdsMapToTheCatalogsArchitecture() {
        KnownModels known = KnownModels.bundled();
        for (String mamba : List.of("mistralai/Mamba-Codestral-7B-v0.1", "open-codestral-mamba", "Mamba-Codestral-7B-v0.1-Q8_0.gguf")) {
            assertThat(known.spec(mamba)).as(mamba).get().satisfies(s -> {
                assertThat(s.architecture()).isEqualTo(Architecture.MAMBA2);
                assertThat(s.layers()).isEqualTo(64);
            });
        }
        for (String nemo : List.of("mistralai/Mistral-Nemo-Instruct-2407", "open-mistral-nemo", "mistral-nemo:12b",
                "/models/Mistral-Nemo-Instruct-2407-Q4_K_M.gguf")) {
            assertThat(known.match(nemo)).as(nemo).get().extracting(m -> m.id()).isEqualTo("mistral-nemo-12b-instruct");
        }
        assertThat(known.spec("mistralai/Mistral-Nemo-Instruct-2407")).get().satisfies(s -> assertThat(s.layers()).isEqualTo(40));
        assertThat(known.match("llama3.1:8b")).isEmpty();
        assertThat(new RemoteBackend(client, server.modelName()).spec()).isEmpty();
        assertThat(new RemoteBackend(client, "open-codestral-mamba").spec()).isPresent();
    }
}
