package org.mambaplayground.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * A client for one endpoint: an OpenAI-compatible server (vLLM, llama.cpp server, Ollama, LM Studio, our own
 * {@code serve}) or Mistral's API. {@link #models()} lists what it serves; {@link #chat} and {@link #complete}
 * prepare a streamed request, {@link RemoteCall#stream} runs it and {@link RemoteCall#cancel} stops it.
 *
 * <p>The API key goes into the Authorization header of requests to the endpoint's own scheme, host and port
 * only, added by a network interceptor that sees every hop: a redirect to any other origin carries no key.
 */
public final class RemoteClient implements AutoCloseable {
    static final MediaType JSON_TYPE = MediaType.get("application/json");
    /** Refused connections fail at once; this bounds a silent host or a black-holed port. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** A server may think long before its first byte (a long prompt on a loaded GPU). */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration LIST_TIMEOUT = Duration.ofSeconds(10);

    private final Endpoint endpoint;
    private final ApiKey key;
    private final OkHttpClient http;
    private final HttpUrl origin;
    final ObjectMapper json = new ObjectMapper();
    final ErrorBodies errors = new ErrorBodies(json);

    public RemoteClient(Endpoint endpoint, ApiKey key) { this(endpoint, key, DEFAULT_READ_TIMEOUT); }

    public RemoteClient(Endpoint endpoint, ApiKey key, Duration readTimeout) {
        this.endpoint = endpoint;
        this.key = key;
        this.origin = endpoint.url("models");
        this.http = new OkHttpClient.Builder()
                .connectTimeout(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .addNetworkInterceptor(chain -> {
                    Request request = chain.request();
                    Request.Builder sent = request.newBuilder().removeHeader("Authorization");
                    if (key != null && sameOrigin(request.url(), origin)) sent.header("Authorization", "Bearer " + key.reveal());
                    return chain.proceed(sent.build());
                })
                .build();
    }

    public Endpoint endpoint() { return endpoint; }

    /** True when a key will be sent. */
    public boolean hasKey() { return key != null; }

    /** {@code GET /v1/models}: the ids the endpoint serves. */
    public List<RemoteModel> models() {
        Request request = new Request.Builder().url(endpoint.url("models")).header("Accept", "application/json").get().build();
        okhttp3.Call call = http.newBuilder().callTimeout(LIST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).build().newCall(request);
        try (Response response = call.execute()) {
            String body = response.body().string();
            if (!response.isSuccessful()) throw failure(response, body, null, "GET /models");
            JsonNode root = parseJson(body, "GET /models");
            JsonNode data = root.isArray() ? root : root.path("data");
            if (!data.isArray()) throw new RemoteException(RemoteException.Kind.REQUEST_REFUSED,
                    endpoint.label() + " answered GET /models without a 'data' list of models; is it an OpenAI-compatible server?");
            List<RemoteModel> models = new ArrayList<>();
            for (JsonNode m : data) {
                String id = m.path("id").asText("");
                if (id.isEmpty()) continue;
                long context = m.path("max_context_length").asLong(m.path("max_model_len").asLong(0));
                models.add(new RemoteModel(id, m.path("owned_by").asText(""), context));
            }
            return models;
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    /** A streamed {@code /v1/chat/completions} request, not yet sent. */
    public RemoteCall chat(ChatRequest request) {
        if (!request.isChat()) throw new IllegalArgumentException("chat() needs messages; use complete() for a prompt");
        return new RemoteCall(this, request, "chat/completions");
    }

    /**
     * A streamed {@code /v1/completions} request for the latency probe: the prompt as given, no chat template.
     * Mistral's API serves no plain completions for its chat models: there the prompt goes as one user message.
     */
    public RemoteCall complete(ChatRequest request) {
        if (request.isChat()) throw new IllegalArgumentException("complete() needs a prompt; use chat() for messages");
        if (!endpoint.kind().servesCompletions()) {
            return new RemoteCall(this, ChatRequest.chat(request.model(), List.of(Message.user(request.prompt())))
                    .withMaxTokens(request.maxTokens()).withTemperature(request.temperature()).withTopP(request.topP())
                    .withSeed(request.seed()), "chat/completions");
        }
        return new RemoteCall(this, request, "completions");
    }

    okhttp3.Call newCall(ChatRequest request, String path) {
        ObjectNode body = json.createObjectNode();
        body.put("model", request.model());
        if (request.isChat()) {
            ArrayNode messages = body.putArray("messages");
            for (Message m : request.messages()) messages.addObject().put("role", m.role()).put("content", m.content());
        } else {
            body.put("prompt", request.prompt());
        }
        body.put("stream", true);
        if (endpoint.kind().acceptsStreamOptions()) body.putObject("stream_options").put("include_usage", true);
        if (request.maxTokens() != null) body.put("max_tokens", request.maxTokens());
        if (request.temperature() != null) body.put("temperature", request.temperature());
        if (request.topP() != null) body.put("top_p", request.topP());
        // Mistral's API names the seed random_seed and refuses unknown fields
        if (request.seed() != null) body.put(endpoint.kind() == EndpointKind.MISTRAL ? "random_seed" : "seed", request.seed());
        Request http = new Request.Builder().url(endpoint.url(path))
                .header("Accept", "text/event-stream")
                .post(RequestBody.create(body.toString(), JSON_TYPE))
                .build();
        return this.http.newCall(http);
    }

    JsonNode parseJson(String body, String what) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            throw new RemoteException(RemoteException.Kind.REQUEST_REFUSED, endpoint.label() + " answered " + what
                    + " with something that is not JSON: '" + SseReader.shown(body.strip()) + "'");
        }
    }

    /** The error for a refused request (status >= 400); {@code model} may be null (the models list). */
    RemoteException failure(Response response, String body, String model, String what) {
        int status = response.code();
        String retryAfter = response.header("Retry-After");
        String said = redact(errors.message(body));
        HttpUrl answered = response.request().url();
        if (!sameOrigin(answered, origin)) {
            // a redirect led elsewhere: that host never gets the key, so say where the answer came from
            return new RemoteException(status == 401 || status == 403 ? RemoteException.Kind.UNAUTHORIZED : RemoteException.Kind.REQUEST_REFUSED,
                    endpoint.label() + " redirected " + what + " to another host, " + answered.scheme() + "://" + answered.host() + ":"
                    + answered.port() + ", which refused it (" + status + (said.isEmpty() ? "" : ": " + said) + "); the API key is only "
                    + "sent to the endpoint's own host: make the new address the base URL if you trust it");
        }
        String detail = "(" + status + (said.isEmpty() ? "" : ": " + said) + ")";
        String forModel = model == null ? "" : " for model '" + model + "'";
        String type = errors.type(body);
        if (status == 401 || status == 403) {
            String message = key == null
                    ? endpoint.label() + " needs an API key " + detail + "; set the endpoint's key or the variable that holds it"
                    : endpoint.label() + (status == 401 ? " refused the API key " : " does not allow this key" + forModel + " ") + detail;
            return new RemoteException(RemoteException.Kind.UNAUTHORIZED, message);
        }
        if (status == 429) {
            Duration wait = RetryAfter.parse(retryAfter);
            return new RemoteException(RemoteException.Kind.RATE_LIMITED, endpoint.label() + " is rate-limiting requests"
                    + forModel + " " + detail + "; " + RetryAfter.describe(wait), wait, null, null);
        }
        if (model != null && (status == 404 || type.contains("invalid_model") || type.contains("model_not_found"))) {
            return modelNotFound(model, detail, status == 404);
        }
        if (status >= 500) {
            return new RemoteException(RemoteException.Kind.SERVER_ERROR, endpoint.label() + " failed on " + what + forModel + " " + detail);
        }
        return new RemoteException(RemoteException.Kind.REQUEST_REFUSED, endpoint.label() + " refused " + what + forModel + " " + detail);
    }

    /**
     * A 404 names the model and what the endpoint lists instead (one quick GET /models); when the list holds the
     * model after all, the route is what is missing, and the base URL is the likely mistake.
     */
    private RemoteException modelNotFound(String model, String detail, boolean route404) {
        List<String> ids;
        try {
            ids = models().stream().map(RemoteModel::id).toList();
        } catch (RemoteException e) {
            return new RemoteException(RemoteException.Kind.MODEL_NOT_FOUND, "Model '" + model + "' is not served by "
                    + endpoint.label() + " " + detail + " (its model list could not be read either: check the base URL)");
        }
        if (ids.contains(model) && route404) {
            return new RemoteException(RemoteException.Kind.REQUEST_REFUSED, endpoint.label() + " lists model '" + model
                    + "' but has no such route " + detail + "; check the base URL (it usually ends in /v1)");
        }
        String listed = ids.isEmpty() ? "it lists no models" : "it lists " + String.join(", ", ids.size() > 20 ? ids.subList(0, 20) : ids)
                + (ids.size() > 20 ? " and " + (ids.size() - 20) + " more" : "");
        return new RemoteException(RemoteException.Kind.MODEL_NOT_FOUND, "Model '" + model + "' is not served by "
                + endpoint.label() + " " + detail + "; " + listed);
    }

    /** An exception thrown before any answer came: the endpoint cannot be reached (or stopped answering). */
    RemoteException unreachable(IOException e) {
        String why = switch (e) {
            case java.net.UnknownHostException u -> "unknown host " + endpoint.url("models").host();
            case java.net.ConnectException c -> "connection refused";
            case java.net.SocketTimeoutException t -> "no answer in time (" + redact(String.valueOf(t.getMessage())) + ")";
            case javax.net.ssl.SSLException s -> "TLS failed: " + redact(String.valueOf(s.getMessage()));
            default -> redact(String.valueOf(e.getMessage()));
        };
        return new RemoteException(RemoteException.Kind.UNREACHABLE, "Cannot reach " + endpoint.label() + ": " + why, null, null, e);
    }

    String redact(String text) { return key == null ? text : key.redact(text); }

    private static boolean sameOrigin(HttpUrl a, HttpUrl b) {
        return a.scheme().equals(b.scheme()) && a.host().equalsIgnoreCase(b.host()) && a.port() == b.port();
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
