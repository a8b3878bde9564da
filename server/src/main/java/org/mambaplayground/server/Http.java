package org.mambaplayground.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Small helpers for answering an exchange with JSON. */
final class Http {
    private final ObjectMapper json;
    private final ResponseShapes shapes;

    Http(ObjectMapper json) {
        this.json = json;
        this.shapes = new ResponseShapes(json);
    }

    void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (exchange.getRequestMethod().equals("HEAD")) { // headers only, as HTTP wants
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    void error(HttpExchange exchange, ApiException e) throws IOException {
        e.headers().forEach(exchange.getResponseHeaders()::set);
        json(exchange, e.status(), shapes.error(e.getMessage(), e.type(), e.param(), e.code()));
    }

    /** What answers one request; an {@link ApiException} it throws becomes the request's error answer. */
    @FunctionalInterface
    interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    /**
     * Answers {@code exchange} through {@code handler} and closes it: an {@link ApiException} becomes its JSON error
     * (the rest of a refused body read first, up to {@code maxBodyBytes}, so the connection can carry the next
     * request); a connection ended by the client is logged at DEBUG; any other failure is logged and answered
     * with a 500 that names the request, never a class name or stack trace.
     */
    void serve(HttpExchange exchange, int maxBodyBytes, System.Logger log, Handler handler) {
        try (exchange) {
            try {
                handler.handle(exchange);
            } catch (ApiException e) {
                drain(exchange, maxBodyBytes);
                error(exchange, e);
            }
        } catch (IOException e) {
            log.log(System.Logger.Level.DEBUG, "connection ended: {0}", e.toString());
        } catch (RuntimeException e) {
            log.log(System.Logger.Level.ERROR, "unexpected failure on " + exchange.getRequestURI(), e);
            try { // the details go to the log; clients get no class names or stack traces
                error(exchange, new ApiException(500, "server_error", "The server failed while answering "
                        + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + "; its log has the details.", null, null));
            } catch (IOException | RuntimeException ignored) {
                // headers may already have gone out
            }
        }
    }

    /** Reads what is left of a refused request's body, up to {@code limit} bytes (beyond it the connection is simply closed). */
    private static void drain(HttpExchange exchange, int limit) {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] buffer = new byte[8192];
            long left = limit;
            int n;
            while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) left -= n;
        } catch (IOException | RuntimeException alreadyRead) {
            // the body was read (and closed) already
        }
    }

    /** The request body, refused with 413 beyond {@code limit} bytes. */
    static byte[] body(HttpExchange exchange, int limit) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new ApiException(413, "invalid_request_error", "The request body is larger than the limit of "
                        + limit + " bytes.", null, "request_too_large");
            }
            return bytes;
        }
    }
}
