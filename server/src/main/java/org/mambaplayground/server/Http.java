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
