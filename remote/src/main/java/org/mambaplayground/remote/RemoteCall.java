package org.mambaplayground.remote;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.function.Consumer;
import okhttp3.Response;

/**
 * One streamed request, like OkHttp's {@code Call}: {@link #stream} sends it and blocks while the answer
 * arrives, handing each content piece to the caller; {@link #cancel} (from any thread) closes the connection,
 * so the stream stops at once and {@code stream} returns what came, finished as {@link ChatResult#CANCELLED}.
 */
public final class RemoteCall {
    private final RemoteClient client;
    private final ChatRequest request;
    private final String path;
    private final okhttp3.Call call;
    private volatile boolean cancelled;

    RemoteCall(RemoteClient client, ChatRequest request, String path) {
        this.client = client;
        this.request = request;
        this.path = path;
        this.call = client.newCall(request, path);
    }

    public ChatRequest request() { return request; }

    /** Stops the request: the connection is closed, the server sees the client leave. */
    public void cancel() {
        cancelled = true;
        call.cancel();
    }

    public boolean isCancelled() { return cancelled; }

    /**
     * Sends the request and reads the stream to its end, passing each non-empty content piece to
     * {@code pieces} on this thread. Throws {@link RemoteException} for a refused request, an unreachable
     * endpoint, or a stream that broke (then with what arrived in {@link RemoteException#partial()}).
     */
    public ChatResult stream(Consumer<String> pieces) {
        StreamMeter meter = new StreamMeter();
        Response response;
        try {
            response = call.execute();
        } catch (IOException e) {
            if (cancelled) return meter.result(ChatResult.CANCELLED);
            throw client.unreachable(e);
        }
        try (response) {
            if (!response.isSuccessful()) {
                String body = readSmall(response);
                throw client.failure(response, body, request.model(), "POST /" + path);
            }
            String type = response.header("Content-Type", "");
            if (type.startsWith("application/json")) return whole(response, meter, pieces);
            return events(new SseReader(response.body().source()), meter, pieces);
        } catch (IOException e) {
            if (cancelled) return meter.result(ChatResult.CANCELLED);
            throw new RemoteException(RemoteException.Kind.STREAM_CUT, "The answer from " + client.endpoint().label()
                    + " (model '" + request.model() + "') was cut after " + meter.chunks() + " pieces (" + meter.characters()
                    + " characters): the connection broke (" + client.redact(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName())
                    + "); the text received is kept",
                    null, meter.result(null), e);
        }
    }

    private ChatResult events(SseReader events, StreamMeter meter, Consumer<String> pieces) throws IOException {
        String finish = null;
        while (true) {
            String data;
            try {
                data = events.next();
            } catch (SseReader.MalformedLine bad) {
                throw malformed("line " + bad.lineNumber + " is not server-sent events: '" + bad.line + "'", meter);
            }
            if (data == null) {
                if (cancelled) return meter.result(ChatResult.CANCELLED);
                // every server here ends with [DONE]; a stream that ended after its finish_reason lost nothing
                if (finish != null) return meter.result(finish);
                throw new RemoteException(RemoteException.Kind.STREAM_CUT, "The answer from " + client.endpoint().label()
                        + " (model '" + request.model() + "') was cut after " + meter.chunks() + " pieces (" + meter.characters()
                        + " characters): the connection closed before the end of the stream; the text received is kept",
                        null, meter.result(null), null);
            }
            if (data.strip().equals("[DONE]")) return meter.result(finish != null ? finish : "stop");
            JsonNode event;
            try {
                event = client.json.readTree(data);
            } catch (IOException e) {
                throw malformed("line " + events.dataLine() + " holds data that is not JSON: '" + SseReader.shown(data) + "'", meter);
            }
            if (event == null || !event.isObject()) {
                throw malformed("line " + events.dataLine() + " holds data that is not a JSON object: '" + SseReader.shown(data) + "'", meter);
            }
            if (ErrorBodies.isError(event)) {
                throw new RemoteException(RemoteException.Kind.SERVER_ERROR, client.endpoint().label() + " reported an error in the "
                        + "answer of model '" + request.model() + "': " + client.redact(client.errors.message(event)),
                        null, meter.result(null), null);
            }
            String f = read(event, meter, pieces);
            if (f != null) finish = f;
        }
    }

    /** A server that ignored {@code stream: true} and sent the whole answer as one JSON body. */
    private ChatResult whole(Response response, StreamMeter meter, Consumer<String> pieces) throws IOException {
        JsonNode body = client.parseJson(response.body().string(), "POST /" + path);
        String finish = read(body, meter, pieces);
        return meter.result(finish != null ? finish : "stop");
    }

    /** Takes one chunk's content (delta, message or text), usage and finish reason; returns the finish reason or null. */
    private static String read(JsonNode chunk, StreamMeter meter, Consumer<String> pieces) {
        JsonNode usage = chunk.get("usage");
        if (usage != null && usage.isObject()) {
            meter.usage(usage.path("prompt_tokens").asInt(-1), usage.path("completion_tokens").asInt(-1));
        }
        String finish = null;
        for (JsonNode choice : chunk.path("choices")) {
            if (choice.path("index").asInt(0) != 0) continue;
            JsonNode content = choice.path("delta").path("content");
            if (content.isMissingNode() || content.isNull()) content = choice.path("message").path("content");
            if (content.isMissingNode() || content.isNull()) content = choice.path("text");
            if (content.isTextual() && !content.asText().isEmpty()) {
                meter.piece(content.asText());
                pieces.accept(content.asText());
            }
            JsonNode reason = choice.get("finish_reason");
            if (reason != null && reason.isTextual()) finish = reason.asText();
        }
        return finish;
    }

    private RemoteException malformed(String what, StreamMeter meter) {
        call.cancel(); // stop reading a stream we cannot follow
        return new RemoteException(RemoteException.Kind.MALFORMED_STREAM, "The stream from " + client.endpoint().label()
                + " (model '" + request.model() + "') is malformed: " + client.redact(what) + "; the text received before it is kept",
                null, meter.result(null), null);
    }

    /** An error body, bounded: a misbehaving server cannot make us read megabytes. */
    private static String readSmall(Response response) throws IOException {
        okio.BufferedSource source = response.body().source();
        source.request(64 * 1024);
        long size = Math.min(source.getBuffer().size(), 64 * 1024);
        return source.getBuffer().readUtf8(size);
    }
}
