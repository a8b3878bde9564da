package org.mambaplayground.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.mambaplayground.backend.BackendException;
import org.mambaplayground.backend.Conversation;
import org.mambaplayground.backend.ModelBackend;
import org.mambaplayground.backend.Reply;
import org.mambaplayground.backend.ReplyListener;
import org.mambaplayground.backend.ReplyStats;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.FinishReason;
import org.mambaplayground.engine.generate.GenerationStats;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.tokenizer.ChatMessage;

/**
 * A small OpenAI-compatible relay in front of any {@link ModelBackend} (the GUI serves a remote model through it):
 * {@code GET /v1/models} and {@code POST /v1/chat/completions}, whole or streamed as server-sent events. Each request
 * is answered through the backend's {@link Conversation}: its history is resumed and its last user message sent.
 *
 * <p>The model is listed under the backend's model name only, and the endpoint's key never goes out (a backend's
 * messages never hold it). A {@link BackendException} becomes a 502 with its one-line message, or, once a stream has
 * begun, an error event ending it. A client that leaves mid-stream cancels the backend's answer.
 */
public final class BackendServer {
    private static final System.Logger LOG = System.getLogger(BackendServer.class.getName());
    private static final Set<String> ROUTES = Set.of("/v1/models", "/v1/chat/completions");

    private final ServerConfig config;
    private final ModelBackend backend;
    private final GenerationGuard guard;
    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final Http http = new Http(json);
    private final ResponseShapes shapes = new ResponseShapes(json);
    private final RequestParser parser = new RequestParser(json);
    private final HostCheck hostCheck;
    private final List<Consumer<ServedRequest>> observers = new CopyOnWriteArrayList<>();
    private final Set<CancellationToken> running = ConcurrentHashMap.newKeySet();
    private final long created = Instant.now().getEpochSecond();
    private HttpServer server;
    private ExecutorService connections;

    private BackendServer(ServerConfig config, ModelBackend backend, GenerationGuard guard) {
        this.config = config;
        this.backend = backend;
        this.guard = guard;
        this.hostCheck = new HostCheck(config.host());
    }

    /** Binds {@code config.host():config.port()} (port 0: any free port) and answers for {@code backend}. */
    public static BackendServer start(ServerConfig config, ModelBackend backend, GenerationGuard guard) throws IOException {
        BackendServer relay = new BackendServer(config, backend, guard);
        relay.server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 64);
        relay.connections = Executors.newVirtualThreadPerTaskExecutor();
        relay.server.setExecutor(relay.connections);
        relay.server.createContext("/", relay::handle);
        relay.server.start();
        LOG.log(System.Logger.Level.INFO, "OpenAI-compatible relay for {0} at {1}", backend.name(), relay.address());
        return relay;
    }

    /** The id clients use for the model: the backend's model name. */
    public String modelName() { return backend.name(); }

    /** Where clients reach the relay, such as {@code http://127.0.0.1:8000}. */
    public URI address() {
        InetSocketAddress bound = server.getAddress();
        String host = bound.getAddress().isAnyLocalAddress() ? "127.0.0.1" : bound.getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create("http://" + host + ":" + bound.getPort());
    }

    /** Called after every answer (the GUI's request log, tests). */
    public void addObserver(Consumer<ServedRequest> observer) { observers.add(observer); }

    /** Cancels the answers under way and stops listening. */
    public void stop() {
        running.forEach(CancellationToken::cancel);
        server.stop(1);
        connections.shutdownNow();
    }

    private void handle(HttpExchange exchange) {
        http.serve(exchange, config.maxBodyBytes(), LOG, ex -> {
            hostCheck.check(ex);
            route(ex);
        });
    }

    private void route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath().replaceAll("/$", "");
        if (path.equals("/health")) {
            http.json(exchange, 200, json.createObjectNode().put("status", "ok"));
            return;
        }
        if (!ROUTES.contains(path)) {
            throw new ApiException(404, "invalid_request_error", "Invalid URL (" + method + " " + exchange.getRequestURI().getPath()
                    + "): serving a remote model, this server answers GET /v1/models and POST /v1/chat/completions.", null, "unknown_url");
        }
        String allowed = path.equals("/v1/models") ? "GET" : "POST";
        if (!method.equals(allowed)) {
            exchange.getResponseHeaders().set("Allow", allowed);
            throw new ApiException(405, "invalid_request_error", "Not allowed to " + method + " on " + path
                    + " (only " + allowed + ").", null, "method_not_allowed");
        }
        authorize(exchange);
        if (path.equals("/v1/models")) {
            http.json(exchange, 200, shapes.modelList(List.of(shapes.model(backend.name(), created))));
            return;
        }
        CompletionRequest request = parser.chat(parser.parseBody(Http.body(exchange, config.maxBodyBytes())));
        refuseWhatTheContractCannotCarry(request);
        chat(exchange, request);
    }

    /** The backend's contract has no stop strings nor ignore_eos: refused, not ignored. */
    private void refuseWhatTheContractCannotCarry(CompletionRequest request) {
        if (request.model() != null && !request.model().equals(backend.name())) {
            throw new ApiException(404, "invalid_request_error", "The model '" + request.model() + "' does not exist: this server serves '"
                    + backend.name() + "'.", "model", "model_not_found");
        }
        if (!request.stop().isEmpty()) throw ApiException.invalid("'stop' is not supported while serving a remote model.", "stop");
        if (request.ignoreEos()) throw ApiException.invalid("'ignore_eos' is not supported while serving a remote model.", "ignore_eos");
        if (request.messages().isEmpty() || request.messages().getLast().role() != ChatMessage.Role.USER) {
            throw ApiException.invalid("The last message must be the user's: it is the one answered.", "messages");
        }
    }

    private void chat(HttpExchange exchange, CompletionRequest request) throws IOException {
        List<ChatMessage> messages = request.messages();
        StringBuilder system = new StringBuilder();
        for (ChatMessage m : messages) {
            if (m.role() == ChatMessage.Role.SYSTEM) system.append(system.isEmpty() ? "" : "\n\n").append(m.content());
        }
        // the trailing user messages are the question; consecutive ones join as a conversation joins them
        int last = messages.size();
        while (last > 0 && messages.get(last - 1).role() == ChatMessage.Role.USER) last--;
        List<String> asked = new ArrayList<>();
        for (ChatMessage m : messages.subList(last, messages.size())) asked.add(m.content());
        List<ChatMessage> history = messages.subList(0, last).stream().filter(m -> m.role() != ChatMessage.Role.SYSTEM).toList();
        SamplingOptions options = new SamplingOptions(
                request.temperature() != null ? request.temperature() : config.temperature(), request.topP(),
                request.seed() != null ? request.seed() : ThreadLocalRandom.current().nextLong(),
                request.maxTokens() != null ? request.maxTokens() : config.maxTokens(),
                request.frequencyPenalty(), request.presencePenalty());

        String id = "chatcmpl-" + CompletionEndpoint.randomId();
        CancellationToken cancel = new CancellationToken();
        running.add(cancel);
        GenerationGuard.Admission admission = guard.enter(cancel);
        if (admission == null) {
            running.remove(cancel);
            throw new ApiException(503, "server_error", "The server is stopping.", null, null);
        }
        long started = System.nanoTime();
        SseStream sse = request.stream() ? new SseStream(exchange, json) : null;
        StreamingListener listener = new StreamingListener(sse, id, cancel);
        Reply reply;
        try (admission) {
            Conversation conversation = backend.open(true);
            conversation.resume(system.toString(), history);
            reply = conversation.send(String.join("\n\n", asked), options, cancel, listener);
        } catch (BackendException e) {
            if (sse != null && sse.started()) { // the status is gone already: the error goes in the stream
                if (!sse.broken()) {
                    sse.send(shapes.error(e.getMessage(), "server_error", null, "upstream_error"));
                    sse.done();
                }
                return;
            }
            throw new ApiException(502, "server_error", e.getMessage(), null, "upstream_error");
        } finally {
            running.remove(cancel);
        }
        ReplyStats s = reply.stats();
        int promptTokens = Math.max(0, s.promptTokens());
        ServedRequest served = new ServedRequest(id, "/v1/chat/completions", new GenerationStats(promptTokens, s.completionTokens(),
                s.prefillMillis(), s.timeToFirstTokenMillis(), s.millisPerToken(), s.stateBytes().orElse(0),
                s.contextTokens(), s.finishReason()), listener.clientLeft, started, System.nanoTime());
        observers.forEach(o -> o.accept(served));
        if (listener.clientLeft) return;
        FinishReason finish = reply.finishReason();
        if (sse == null) {
            ObjectNode body = shapes.chatCompletion(id, created, backend.name());
            shapes.addChatChoice(body, 0, reply.text(), finish);
            body.set("usage", shapes.usage(promptTokens, s.completionTokens()));
            http.json(exchange, 200, body);
            return;
        }
        try {
            listener.sendRole();
            sse.send(shapes.chatChunk(id, created, backend.name(), null, null, finish, request.includeUsage()));
            if (request.includeUsage()) sse.send(shapes.usageChunk(id, created, backend.name(), true, promptTokens, s.completionTokens()));
            sse.done();
        } catch (IOException gone) {
            // the client left after the last piece
        }
    }

    /** Streams each piece as a chunk (the role on the first); a failed write means the client left: cancel. */
    private final class StreamingListener implements ReplyListener {
        private final SseStream sse;
        private final String id;
        private final CancellationToken cancel;
        private boolean roleSent;
        volatile boolean clientLeft;

        StreamingListener(SseStream sse, String id, CancellationToken cancel) {
            this.sse = sse;
            this.id = id;
            this.cancel = cancel;
        }

        void sendRole() throws IOException {
            if (roleSent) return;
            sse.send(shapes.chatChunk(id, created, backend.name(), "assistant", "", null, false));
            roleSent = true;
        }

        @Override
        public void onText(String piece, int tokens) {
            if (sse == null || clientLeft || piece.isEmpty()) return;
            try {
                sendRole();
                sse.send(shapes.chatChunk(id, created, backend.name(), null, piece, null, false));
            } catch (IOException e) {
                clientLeft = true;
                cancel.cancel();
            }
        }
    }

    private void authorize(HttpExchange exchange) {
        if (config.apiKey() == null) return;
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiException(401, "invalid_request_error", "You didn't provide an API key. Send it in an Authorization "
                    + "header using Bearer auth (Authorization: Bearer YOUR_KEY).", null, "invalid_api_key");
        }
        byte[] given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, config.apiKey().getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(401, "invalid_request_error", "Incorrect API key provided.", null, "invalid_api_key");
        }
    }
}
