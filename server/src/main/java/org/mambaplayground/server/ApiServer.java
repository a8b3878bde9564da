package org.mambaplayground.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mambaplayground.engine.load.LoadedModel;

/**
 * An OpenAI-compatible HTTP API over a loaded model: {@code GET /v1/models}, {@code POST /v1/completions}
 * (also the legacy {@code /v1/engines/completions} and {@code /v1/engines/{model}/completions}) and
 * {@code POST /v1/chat/completions}, each whole or streamed as server-sent events.
 *
 * <p>Built on the JDK's {@code com.sun.net.httpserver}: it streams chunked responses, reports a gone
 * client as a failed write, and costs no dependency. Each connection is handled on a virtual thread;
 * generations run one at a time per model on its {@link ModelWorker}.
 */
public final class ApiServer {
    private static final System.Logger LOG = System.getLogger(ApiServer.class.getName());
    private static final Pattern ENGINE_PATH = Pattern.compile("^/v1/engines/([^/]+)/completions/?$");
    private static final Pattern MODEL_PATH = Pattern.compile("^/v1/models/(.+)$");
    /** Set when the legacy route answered with the served model instead of the one the body named. */
    static final String SUBSTITUTED_HEADER = "X-Model-Substituted";
    private static final Pattern CLIENT_REQUEST_ID = Pattern.compile("[\\x21-\\x7e]{1,128}");

    private final ServerConfig config;
    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final Http http = new Http(json);
    private final ResponseShapes shapes = new ResponseShapes(json);
    private final RequestParser parser = new RequestParser(json);
    private final ModelRegistry models = new ModelRegistry();
    private final List<Consumer<ServedRequest>> observers = new CopyOnWriteArrayList<>();
    private final CompletionEndpoint completions;
    private final long created = Instant.now().getEpochSecond();
    private final CorsPolicy cors;
    private final HostCheck hostCheck;
    private HttpServer server;
    private ClientRelay relay;
    private ExecutorService connections;

    private ApiServer(ServerConfig config, LoadedModel model, GenerationGuard guard) {
        this.config = config;
        this.models.add(new ModelWorker(model, config.queueCapacity(), guard), config.servedModelNames());
        this.completions = new CompletionEndpoint(config, json, models, served -> observers.forEach(o -> o.accept(served)));
        this.cors = new CorsPolicy(config.corsOrigins());
        this.hostCheck = new HostCheck(config.host());
    }

    /**
     * Binds {@code config.host():config.port()} (port 0: any free port) and starts answering. The HTTP
     * server itself listens on a private loopback port behind a {@link ClientRelay}, which notices clients
     * that leave.
     */
    public static ApiServer start(ServerConfig config, LoadedModel model) throws IOException {
        return start(config, model, GenerationGuard.NONE);
    }

    /** The same, each generation admitted by {@code guard} (the GUI's one-generation-at-a-time gate). */
    public static ApiServer start(ServerConfig config, LoadedModel model, GenerationGuard guard) throws IOException {
        ApiServer api = new ApiServer(config, model, guard);
        api.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        api.connections = Executors.newVirtualThreadPerTaskExecutor();
        api.server.setExecutor(api.connections);
        api.server.createContext("/", api::handle);
        api.server.start();
        try {
            api.relay = new ClientRelay(new InetSocketAddress(config.host(), config.port()), api.server.getAddress(),
                    config.headerTimeoutMillis());
        } catch (IOException | RuntimeException e) {
            api.server.stop(0);
            api.connections.shutdownNow();
            api.models.all().forEach(ModelWorker::close);
            throw e;
        }
        api.completions.watchClients(api.relay);
        LOG.log(System.Logger.Level.INFO, "OpenAI-compatible API for {0} at {1}", api.models.name(api.models.only()), api.address());
        return api;
    }

    /** The id clients use for the model (the first served name, or the model's own name). */
    public String modelName() { return models.name(models.only()); }

    /** Where clients reach the server, such as {@code http://127.0.0.1:8000}. */
    public URI address() {
        InetSocketAddress bound = relay.address();
        String host = bound.getAddress().isAnyLocalAddress() ? "127.0.0.1" : bound.getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create("http://" + host + ":" + bound.getPort());
    }

    public ServerConfig config() { return config; }

    /** Requests waiting for a model's worker, over all models (the running ones not counted). */
    int queuedRequests() { return models.all().stream().mapToInt(ModelWorker::queued).sum(); }

    /** Called on the model's worker thread after every generation (metrics, logs, tests). */
    public void addObserver(Consumer<ServedRequest> observer) { observers.add(observer); }

    /** Cancels running generations, stops listening and releases the workers (not the model). */
    public void stop() {
        completions.cancelAll();
        models.all().forEach(ModelWorker::close);
        relay.stopAccepting();
        server.stop(1); // up to a second for the answers under way (the 503s to queued requests)
        relay.close();
        connections.shutdownNow();
    }

    private void handle(HttpExchange exchange) {
        http.serve(exchange, config.maxBodyBytes(), LOG, ex -> {
            ex.getResponseHeaders().set("X-Request-Id", requestId(ex));
            hostCheck.check(ex);
            cors.apply(ex);
            route(ex);
        });
    }

    /** The client's X-Request-Id when it sent a sane one, else a new one: every answer carries it. */
    private static String requestId(HttpExchange exchange) {
        String given = exchange.getRequestHeaders().getFirst("X-Request-Id");
        if (given != null && CLIENT_REQUEST_ID.matcher(given).matches()) return given;
        return "req-" + CompletionEndpoint.randomId();
    }

    private void route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        if (method.equals("OPTIONS")) {
            cors.preflight(exchange);
            exchange.sendResponseHeaders(204, -1);
            return;
        }
        if (path.equals("/health")) { // for load balancers and scripts: no key needed
            expect(exchange, "GET");
            http.json(exchange, 200, json.createObjectNode().put("status", "ok"));
            return;
        }
        authorize(exchange);
        if (path.equals("/v1/models") || path.equals("/v1/models/")) {
            expect(exchange, "GET");
            List<ObjectNode> list = new ArrayList<>();
            for (String name : models.names()) list.add(shapes.model(name, created));
            http.json(exchange, 200, shapes.modelList(list));
            return;
        }
        Matcher model = MODEL_PATH.matcher(path);
        if (model.matches()) {
            expect(exchange, "GET");
            String id = java.net.URLDecoder.decode(model.group(1), StandardCharsets.UTF_8);
            models.worker(id); // 404 when not served
            http.json(exchange, 200, shapes.model(id, created));
            return;
        }
        Matcher engine = ENGINE_PATH.matcher(path);
        String endpoint = path.replaceAll("/$", "");
        boolean legacy = endpoint.equals("/v1/engines/completions") || engine.matches();
        if (endpoint.equals("/v1/completions") || legacy) {
            expect(exchange, "POST");
            JsonNode body = parser.parseBody(Http.body(exchange, config.maxBodyBytes()));
            String pathModel = engine.matches() ? java.net.URLDecoder.decode(engine.group(1), StandardCharsets.UTF_8) : null;
            CompletionRequest request = parser.completion(body, pathModel);
            // the old API took the engine from the path: its path-less route answers with the served model
            boolean substitute = endpoint.equals("/v1/engines/completions") && request.model() != null
                    && !models.serves(request.model()) && models.only() != null;
            if (substitute) {
                exchange.getResponseHeaders().set(SUBSTITUTED_HEADER, modelName().replaceAll("[^\\x20-\\x7e]", "?"));
                request = request.withModel(modelName());
            }
            run(exchange, request, endpoint);
            return;
        }
        if (endpoint.equals("/v1/chat/completions")) {
            expect(exchange, "POST");
            JsonNode body = parser.parseBody(Http.body(exchange, config.maxBodyBytes()));
            run(exchange, parser.chat(body), endpoint);
            return;
        }
        throw new ApiException(404, "invalid_request_error", "Invalid URL (" + method + " " + path + ").", null, "unknown_url");
    }

    private void run(HttpExchange exchange, CompletionRequest request, String endpoint) throws IOException {
        CompletionEndpoint.Plan plan = completions.plan(request, endpoint);
        completions.respond(exchange, plan, http);
    }

    /** Refuses other methods with 405; a GET route also answers HEAD (headers only). */
    private static void expect(HttpExchange exchange, String method) {
        String given = exchange.getRequestMethod();
        if (!given.equals(method) && !(method.equals("GET") && given.equals("HEAD"))) {
            exchange.getResponseHeaders().set("Allow", method.equals("GET") ? "GET, HEAD" : method);
            throw new ApiException(405, "invalid_request_error", "Not allowed to " + exchange.getRequestMethod() + " on "
                    + exchange.getRequestURI().getPath() + " (only " + method + ").", null, "method_not_allowed");
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
