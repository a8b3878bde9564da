package org.mambaplayground.remote;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.mambaplayground.backend.Conversation;
import org.mambaplayground.backend.MeasuredAt;
import org.mambaplayground.backend.Median;
import org.mambaplayground.backend.MessageConversation;
import org.mambaplayground.backend.ModelBackend;
import org.mambaplayground.backend.ProbeListener;
import org.mambaplayground.backend.ProbeRequest;
import org.mambaplayground.backend.ProbeResult;
import org.mambaplayground.backend.Reply;
import org.mambaplayground.backend.ReplyListener;
import org.mambaplayground.backend.ReplyStats;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.FinishReason;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.tokenizer.ChatMessage;

/**
 * A model behind a remote endpoint as a {@link ModelBackend}. A conversation is the message history, sent whole
 * with every turn (regenerate resends it without the last answer, edit cuts it); a base-model conversation goes to
 * {@code /v1/completions} as one text. Every figure is taken at the client ({@link MeasuredAt#CLIENT}); the
 * architecture comes from the catalog entry the model id maps to, so its state memory is the analytic curve.
 *
 * <p>Stop: the engine's {@link CancellationToken} is polled while a stream runs, and a set one closes the
 * connection at once.
 */
public final class RemoteBackend implements ModelBackend {
    private static final long CANCEL_POLL_MILLIS = 20;
    private static final String FILLER = "The state of a selective state space model has a fixed size, "
            + "while a transformer keeps a key and a value for every token it has read. ";
    /** Characters per token before the server's usage tells (English text on Mistral's tokenizers: about 4). */
    private static final double FIRST_GUESS_CHARS_PER_TOKEN = 4.0;

    private final RemoteClient client;
    private final String model;
    private final Optional<ModelSpec> spec;
    private volatile double charsPerToken = FIRST_GUESS_CHARS_PER_TOKEN;
    private volatile boolean warm;

    public RemoteBackend(RemoteClient client, String model) { this(client, model, KnownModels.bundled()); }

    public RemoteBackend(RemoteClient client, String model, KnownModels known) {
        this.client = client;
        this.model = model;
        this.spec = known.spec(model);
    }

    public RemoteClient client() { return client; }

    @Override public String name() { return model; }

    /** "open-mistral-nemo · api.mistral.ai", or the endpoint's own name when the user gave it one. */
    @Override
    public String label() {
        Endpoint e = client.endpoint();
        String where = e.name().equals(e.baseUrl()) ? okhttp3.HttpUrl.get(e.baseUrl()).host() + portSuffix(e) : e.name();
        return model + " · " + where;
    }

    @Override public MeasuredAt measuredAt() { return MeasuredAt.CLIENT; }

    @Override public Optional<ModelSpec> spec() { return spec; }

    @Override
    public Conversation open(boolean instruct) {
        return new MessageConversation(instruct) {
            @Override
            protected Reply answer(List<ChatMessage> messages, SamplingOptions options, CancellationToken cancel, ReplyListener listener) {
                ChatRequest request = instruct
                        ? ChatRequest.chat(model, messages.stream().map(RemoteBackend::message).toList())
                        : ChatRequest.completion(model, completionText(messages));
                RemoteCall call = instruct ? client.chat(sampled(request, options)) : client.complete(sampled(request, options));
                Reply reply = run(call, cancel, piece -> listener.onText(piece, 1));
                listener.onFinished(reply.stats());
                return reply;
            }
        };
    }

    /**
     * Sends a filler text of about the requested length as a plain prompt (Mistral's API: as one user message),
     * {@code repeats} times; each repeat is a whole request, so the result's prefill and time to first token are the
     * first's, and its ms per token the median of all. The length estimate learns from the server's usage.
     */
    @Override
    public ProbeResult probe(ProbeRequest request, CancellationToken cancel, ProbeListener listener) {
        ProbeListener events = listener == null ? new ProbeListener() {} : listener;
        String prompt = probeText(request.promptTokens());
        List<Double> perToken = new ArrayList<>();
        ReplyStats first = null;
        for (int i = 0; i < request.repeats(); i++) {
            RemoteCall call = client.complete(ChatRequest.completion(model, prompt).withMaxTokens(request.decodeTokens()).withTemperature(0f));
            Reply reply = run(call, cancel, piece -> {});
            if (reply.finishReason() == FinishReason.CANCELLED) break;
            ReplyStats s = reply.stats();
            if (s.promptTokens() > 0) charsPerToken = (double) prompt.length() / s.promptTokens();
            if (first == null) first = s;
            if (s.millisPerToken() > 0) perToken.add(s.millisPerToken());
            events.onRepeat(i + 1);
        }
        if (first == null) return null;
        double[] values = perToken.stream().mapToDouble(Double::doubleValue).toArray();
        return new ProbeResult(first.withMillisPerToken(values.length == 0 ? 0 : Median.of(values)), values);
    }

    /** One short untimed answer, so the timed run does not pay for the connection (DNS, TLS) or a cold server. */
    @Override
    public boolean warmUp(String prompt, boolean instruct, CancellationToken cancel) {
        if (warm) return false;
        Reply reply = run(client.chat(ChatRequest.chat(model, List.of(Message.user(prompt))).withMaxTokens(4)), cancel, p -> {});
        if (reply.finishReason() == FinishReason.CANCELLED) return false;
        warm = true;
        return true;
    }

    /** Streams the call, closing it as soon as {@code cancel} is set; remote failures become backend ones. */
    Reply run(RemoteCall call, CancellationToken cancel, Consumer<String> pieces) {
        Thread watcher = cancel == null ? null : Thread.ofVirtual().start(() -> {
            try {
                while (!cancel.isCancelled()) Thread.sleep(CANCEL_POLL_MILLIS);
                call.cancel();
            } catch (InterruptedException done) {
                // the stream ended first
            }
        });
        try {
            ChatResult result = call.stream(pieces);
            return reply(result);
        } catch (RemoteException e) {
            throw new RemoteBackendException(e, e.partial() == null || e.partial().text().isEmpty() ? null : reply(e.partial()));
        } finally {
            if (watcher != null) watcher.interrupt();
        }
    }

    static Reply reply(ChatResult r) {
        RemoteStats s = r.stats();
        FinishReason finish = r.finishReason() == null ? FinishReason.STOP : switch (r.finishReason()) {
            case ChatResult.CANCELLED -> FinishReason.CANCELLED;
            case "length", "model_length" -> FinishReason.LENGTH;
            default -> FinishReason.STOP;
        };
        double ttft = Double.isNaN(s.ttftMillis()) ? 0 : s.ttftMillis();
        double perToken = Double.isNaN(s.millisPerToken()) ? 0 : s.millisPerToken();
        ReplyStats stats = new ReplyStats(s.promptTokens(), s.completionTokens(), ttft, ttft, perToken,
                Math.max(0, s.promptTokens()) + s.completionTokens(), OptionalLong.empty(), finish, MeasuredAt.CLIENT,
                s.tokensFromUsage() ? ReplyStats.TokenSource.USAGE : ReplyStats.TokenSource.STREAM_CHUNKS);
        return new Reply(r.text(), stats);
    }

    private static ChatRequest sampled(ChatRequest request, SamplingOptions o) {
        ChatRequest r = request.withMaxTokens(o.maxTokens()).withTemperature(o.temperature());
        return (o.topP() > 0 && o.topP() < 1 ? r.withTopP(o.topP()) : r).withSeed(o.seed());
    }

    private static Message message(ChatMessage m) {
        return switch (m.role()) {
            case SYSTEM -> Message.system(m.content());
            case USER -> Message.user(m.content());
            case ASSISTANT -> Message.assistant(m.content());
        };
    }

    /** The filler repeated to about {@code tokens} tokens at the characters per token the server last reported. */
    String probeText(int tokens) {
        int chars = (int) Math.max(8, Math.round(tokens * charsPerToken));
        StringBuilder text = new StringBuilder(chars + FILLER.length());
        while (text.length() < chars) text.append(FILLER);
        text.setLength(chars);
        return text.toString().strip();
    }

    private static String portSuffix(Endpoint e) {
        okhttp3.HttpUrl url = okhttp3.HttpUrl.get(e.baseUrl());
        return url.port() == okhttp3.HttpUrl.defaultPort(url.scheme()) ? "" : ":" + url.port();
    }

    @Override
    public String toString() { return label(); }
}
