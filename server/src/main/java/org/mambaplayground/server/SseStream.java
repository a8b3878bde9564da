package org.mambaplayground.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A server-sent-events response: {@code data: {json}} events, each flushed as its own chunk, ending with
 * {@code data: [DONE]}. A write that fails means the client has gone; the caller then cancels.
 */
final class SseStream {
    private final HttpExchange exchange;
    private final ObjectMapper json;
    private OutputStream out;
    private boolean broken;

    SseStream(HttpExchange exchange, ObjectMapper json) {
        this.exchange = exchange;
        this.json = json;
    }

    boolean broken() { return broken; }

    boolean started() { return out != null; }

    void start() throws IOException {
        if (out != null) return;
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", "text/event-stream; charset=utf-8");
        headers.set("Cache-Control", "no-cache");
        headers.set("X-Accel-Buffering", "no");
        try {
            exchange.sendResponseHeaders(200, 0); // 0: chunked, length unknown
            out = exchange.getResponseBody();
        } catch (IOException e) {
            broken = true;
            throw e;
        }
    }

    void send(JsonNode event) throws IOException {
        write("data: " + json.writeValueAsString(event) + "\n\n");
    }

    void done() throws IOException {
        write("data: [DONE]\n\n");
    }

    private void write(String text) throws IOException {
        if (broken) throw new IOException("the client has disconnected");
        start();
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            broken = true;
            throw e;
        }
    }
}
