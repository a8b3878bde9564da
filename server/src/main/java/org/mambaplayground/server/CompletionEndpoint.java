package org.mambaplayground.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.FinishReason;
import org.mambaplayground.engine.generate.GenerationListener;
import org.mambaplayground.engine.generate.GenerationResult;
import org.mambaplayground.engine.generate.GenerationStats;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.load.LoadedModel;

/**
 * Runs {@code /v1/completions} and {@code /v1/chat/completions}: checks the request against the model
 * (context, token ids), queues it on the model's worker, and answers with one JSON body or a stream of
 * server-sent events. A streaming client that disconnects cancels its generation.
 */
final class CompletionEndpoint {
    private static final String ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom ID_RANDOM = new SecureRandom();

    private final ServerConfig config;
    private final ObjectMapper json;
    private final ResponseShapes shapes;
    private final ModelRegistry models;
    private final Consumer<ServedRequest> observer;
    private final Set<CancellationToken> running = ConcurrentHashMap.newKeySet();
    private volatile ClientRelay clients;

    CompletionEndpoint(ServerConfig config, ObjectMapper json, ModelRegistry models, Consumer<ServedRequest> observer) {
        this.config = config;
        this.json = json;
        this.shapes = new ResponseShapes(json);
        this.models = models;
        this.observer = observer;
    }

    /** From now on, a request whose client leaves is withdrawn from the queue or cancelled while it runs. */
    void watchClients(ClientRelay relay) { this.clients = relay; }

    /** Cancels every generation in progress (the server is stopping). */
    void cancelAll() { running.forEach(CancellationToken::cancel); }

    /** Plans the request; errors found here are thrown before any byte is sent. */
    Plan plan(CompletionRequest request, String endpoint) {
        ModelWorker worker = models.worker(request.model());
        LoadedModel model = worker.model();
        String promptParam = request.chat() ? "messages" : "prompt";
        List<int[]> prompts = new ArrayList<>();
        List<String> echoes = new ArrayList<>();
        if (request.chat()) {
            try {
                prompts.add(model.chatFormat().encodeDialog(request.messages()));
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("These messages cannot be laid out in the model's chat format: " + e.getMessage(), "messages");
            }
            echoes.add("");
        } else {
            int vocabulary = model.tokenizer().vocabularySize();
            for (CompletionRequest.Prompt p : request.prompts()) {
                if (p.tokens() != null) {
                    for (int t : p.tokens()) {
                        if (t >= vocabulary) throw ApiException.invalid("Token id " + t + " in 'prompt' is outside the model's vocabulary of " + vocabulary + " tokens.", "prompt");
                    }
                    prompts.add(p.tokens());
                    echoes.add(request.echo() ? model.tokenizer().decode(p.tokens()) : ""); // only an echo needs the text
                } else {
                    prompts.add(model.chatFormat().encodeCompletion(p.text()));
                    echoes.add(p.text());
                }
            }
        }
        long modelContext = model.model().spec().maxContext();
        int limit = modelContext > 0 ? (int) Math.min(modelContext, config.contextLimit()) : config.contextLimit();
        List<SamplingOptions> options = new ArrayList<>();
        for (int[] prompt : prompts) options.add(samplingOptions(request, prompt.length, limit, promptParam));
        String id = (request.chat() ? "chatcmpl-" : "cmpl-") + randomId();
        return new Plan(request, endpoint, worker, models.name(worker), prompts, echoes, options, id,
                Instant.now().getEpochSecond(), new ClientPresence());
    }

    /** The request's sampling for one prompt of {@code promptLength} tokens, refused if it cannot fit {@code limit}. */
    private SamplingOptions samplingOptions(CompletionRequest request, int promptLength, int limit, String promptParam) {
        if (promptLength == 0) throw ApiException.invalid("The prompt is empty: it encodes to no tokens.", promptParam);
        if (promptLength >= limit) {
            throw ApiException.invalid("This model's maximum context length is " + limit + " tokens, but your prompt has "
                    + promptLength + " tokens. Please shorten the " + promptParam + ".", promptParam, "context_length_exceeded");
        }
        int maxTokens;
        if (request.maxTokens() != null) {
            maxTokens = request.maxTokens();
            if (promptLength + (long) maxTokens > limit) {
                throw ApiException.invalid("This model's maximum context length is " + limit + " tokens. However, you requested "
                        + (promptLength + (long) maxTokens) + " tokens (" + promptLength + " in the " + promptParam + ", "
                        + maxTokens + " for the completion). Please reduce the " + promptParam + " or the completion length.",
                        "max_tokens", "context_length_exceeded");
            }
        } else {
            maxTokens = Math.min(config.maxTokens(), limit - promptLength);
        }
        float temperature = request.temperature() != null ? request.temperature() : config.temperature();
        float topP = request.topP();
        if (topP == 0f) { temperature = 0f; topP = 1f; } // the nucleus of top_p 0 is the single best token
        long seed = request.seed() != null ? request.seed() : ThreadLocalRandom.current().nextLong();
        return new SamplingOptions(temperature, topP, seed, maxTokens, request.frequencyPenalty(), request.presencePenalty());
    }

    record Plan(CompletionRequest request, String endpoint, ModelWorker worker, String modelName, List<int[]> prompts,
                List<String> echoes, List<SamplingOptions> options, String id, long created, ClientPresence client) {}

    /** Answers the exchange; returns normally once the response is complete (or the client is gone). */
    void respond(HttpExchange exchange, Plan plan, Http http) throws IOException {
        if (plan.request().stream()) {
            SseStream stream = new SseStream(exchange, json);
            Future<Void> job = plan.worker().submit(() -> {
                stream(plan, stream);
                return null;
            });
            try (ClientRelay.Watch watch = watch(exchange, plan, job)) {
                await(job);
            } catch (ApiException error) {
                if (plan.client().gone()) {
                    // nobody to tell
                } else if (!stream.started()) {
                    http.error(exchange, error);
                } else if (!stream.broken()) {
                    try {
                        stream.send(shapes.error(error.getMessage(), error.type(), error.param(), error.code()));
                        stream.done();
                    } catch (IOException ignored) {
                        // the client left meanwhile
                    }
                }
            }
            exchange.close();
        } else {
            Future<ObjectNode> job = plan.worker().submit(() -> whole(plan));
            ObjectNode body;
            try (ClientRelay.Watch watch = watch(exchange, plan, job)) {
                body = await(job);
            } catch (ApiException error) {
                if (!plan.client().gone()) http.error(exchange, error);
                return;
            }
            if (body != null) http.json(exchange, 200, body);
        }
    }

    /**
     * Until closed: when the exchange's client leaves, its job leaves the queue, or its running
     * generation is cancelled (the non-streaming case would otherwise run to the end for nobody).
     */
    private ClientRelay.Watch watch(HttpExchange exchange, Plan plan, Future<?> job) {
        if (clients == null) return () -> {};
        return clients.onClientGone(exchange.getRemoteAddress(), () -> {
            plan.client().left();
            plan.worker().withdraw(job);
        });
    }

    /** The job's result; its failure, a server shutdown or an interrupt as the ApiException to answer with. */
    private static <T> T await(Future<T> job) {
        try {
            return job.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ApiException a) throw a;
            System.getLogger(CompletionEndpoint.class.getName()).log(System.Logger.Level.ERROR, "generation failed", cause);
            throw new ApiException(500, "server_error", "The model failed while generating; the server log has the details.", null, null);
        } catch (java.util.concurrent.CancellationException e) {
            throw new ApiException(503, "server_error", "The server is shutting down.", null, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            job.cancel(true);
            throw new ApiException(503, "server_error", "The server is shutting down.", null, null);
        }
    }

    private ObjectNode whole(Plan plan) {
        boolean chat = plan.request().chat();
        ObjectNode body = chat ? shapes.chatCompletion(plan.id(), plan.created(), plan.modelName())
                : shapes.completion(plan.id(), plan.created(), plan.modelName());
        int promptTokens = 0, completionTokens = 0;
        for (int i = 0; i < plan.prompts().size(); i++) {
            StringBuilder text = new StringBuilder(plan.request().echo() ? plan.echoes().get(i) : "");
            Outcome outcome = generate(plan, i, text::append);
            if (plan.client().gone()) return null; // nobody waits for the answer
            if (outcome.finish() == FinishReason.CANCELLED) {
                throw new ApiException(503, "server_error", "The server stopped before the completion was finished.", null, null);
            }
            if (chat) shapes.addChatChoice(body, i, text.toString(), outcome.finish());
            else shapes.addCompletionChoice(body, i, text.toString(), outcome.finish());
            promptTokens += plan.prompts().get(i).length;
            completionTokens += outcome.completionTokens();
        }
        body.set("usage", shapes.usage(promptTokens, completionTokens));
        return body;
    }

    private void stream(Plan plan, SseStream stream) throws IOException {
        boolean chat = plan.request().chat();
        boolean includeUsage = plan.request().includeUsage();
        String id = plan.id(), model = plan.modelName();
        long created = plan.created();
        // The first event goes out before any work, so a client that left while queued is noticed at once.
        if (chat) stream.send(shapes.chatChunk(id, created, model, "assistant", "", null, includeUsage));
        int promptTokens = 0, completionTokens = 0;
        for (int i = 0; i < plan.prompts().size(); i++) {
            int index = i;
            if (!chat && plan.request().echo()) stream.send(completionChunk(plan, index, plan.echoes().get(i), null));
            Outcome outcome = generate(plan, i, piece -> {
                try {
                    stream.send(chat ? shapes.chatChunk(id, created, model, null, piece, null, includeUsage)
                            : completionChunk(plan, index, piece, null));
                } catch (IOException e) {
                    throw new ClientGone();
                }
            });
            if (outcome.disconnected() || stream.broken()) return;
            if (outcome.finish() == FinishReason.CANCELLED) {
                throw new ApiException(503, "server_error", "The server stopped before the completion was finished.", null, null);
            }
            stream.send(chat ? shapes.chatChunk(id, created, model, null, null, outcome.finish(), includeUsage)
                    : completionChunk(plan, index, "", outcome.finish()));
            promptTokens += plan.prompts().get(i).length;
            completionTokens += outcome.completionTokens();
        }
        if (includeUsage) stream.send(shapes.usageChunk(id, created, model, chat, promptTokens, completionTokens));
        stream.done();
    }

    private ObjectNode completionChunk(Plan plan, int index, String text, FinishReason finish) {
        ObjectNode chunk = shapes.completion(plan.id(), plan.created(), plan.modelName());
        shapes.addCompletionChoice(chunk, index, text, finish);
        if (plan.request().includeUsage()) chunk.putNull("usage");
        return chunk;
    }

    /** Thrown from the text sink when the client cannot be written to. */
    private static final class ClientGone extends RuntimeException {
        ClientGone() { super(null, null, false, false); }
    }

    private record Outcome(FinishReason finish, int completionTokens, boolean disconnected) {}

    /** Runs prompt {@code i} on the worker, sending released text to {@code sink}; applies stop strings. */
    private Outcome generate(Plan plan, int i, Consumer<String> sink) {
        CancellationToken cancel = new CancellationToken();
        StopSequences stops = new StopSequences(plan.request().stop());
        boolean[] gone = {false};
        Consumer<String> deliver = text -> {
            if (gone[0]) return;
            try {
                sink.accept(text);
            } catch (ClientGone e) {
                gone[0] = true;
                cancel.cancel();
            }
        };
        Consumer<String> release = text -> {
            if (!text.isEmpty()) deliver.accept(text);
        };
        GenerationListener listener = new GenerationListener() {
            @Override
            public void onPrefillProgress(int done, int total) {
                // Between prompt chunks a stream gets an empty text chunk: harmless to clients, and the only
                // way to notice one that left during a long prompt (a gone client shows as a failed write).
                if (done > 0 && done < total) deliver.accept("");
            }

            @Override
            public void onToken(int token, String text) {
                release.accept(stops.feed(text));
                if (stops.stopped()) cancel.cancel();
            }
        };
        running.add(cancel);
        plan.client().running(cancel);
        long started = System.nanoTime();
        GenerationResult result;
        try {
            int[] stopTokens = plan.request().ignoreEos() ? new int[0] : plan.worker().model().chatFormat().stopTokens();
            result = plan.worker().generate(plan.prompts().get(i), plan.options().get(i), stopTokens, cancel, listener);
        } finally {
            running.remove(cancel);
        }
        release.accept(stops.finish());
        FinishReason finish = stops.stopped() ? FinishReason.STOP : result.finishReason();
        GenerationStats stats = result.stats();
        if (finish != stats.finishReason()) {
            stats = new GenerationStats(stats.promptTokens(), stats.generatedTokens(), stats.prefillMillis(),
                    stats.timeToFirstTokenMillis(), stats.millisPerToken(), stats.stateBytes(), stats.contextTokens(), finish);
        }
        if (observer != null) {
            observer.accept(new ServedRequest(plan.id(), plan.endpoint(), stats, gone[0] || plan.client().gone(), started, System.nanoTime()));
        }
        return new Outcome(finish, result.tokens().length, gone[0] || plan.client().gone());
    }

    static String randomId() {
        StringBuilder id = new StringBuilder(24);
        for (int i = 0; i < 24; i++) id.append(ID_ALPHABET.charAt(ID_RANDOM.nextInt(ID_ALPHABET.length())));
        return id.toString();
    }
}
