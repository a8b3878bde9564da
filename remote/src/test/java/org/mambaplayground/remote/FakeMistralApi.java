package org.mambaplayground.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small HTTP/1.1 server on a loopback port that answers as Mistral's API does (shapes from its API reference
 * and the errors clients have met): {@code GET /v1/models}, streamed {@code POST /v1/chat/completions} with
 * {@code usage} in the last chunk and {@code data: [DONE]}, 401 {@code {"message": "Unauthorized"}}, 422 for
 * fields the API does not know (such as {@code stream_options}), 400 {@code invalid_model}, 429 with
 * Retry-After. Written on plain sockets so a test can cut a stream mid-answer or send a broken line.
 *
 * <p>The model named in a request picks the behaviour: {@link #MODELS} are served normally; {@code busy}
 * answers 429, {@code cut} closes the socket after three chunks, {@code garbled} sends data that is not JSON,
 * {@code raw} a line that is not an event, {@code no-usage} leaves usage out, {@code overloaded} answers 503,
 * {@code fails} sends an error event mid-answer. Every request is recorded.
 */
final class FakeMistralApi implements AutoCloseable {
    static final List<String> MODELS = List.of("open-codestral-mamba", "open-mistral-nemo");
    static final List<String> PIECES = List.of("def", " add", "(a", ",", " b", "):", " return", " a", " +", " b");
    /** The chat request fields Mistral's API accepts; any other is refused with 422 (it forbids extra inputs). */
    static final Set<String> KNOWN_FIELDS = Set.of("model", "messages", "temperature", "top_p", "max_tokens", "stream",
            "stop", "random_seed", "response_format", "tools", "tool_choice", "presence_penalty", "frequency_penalty", "n",
            "safe_prompt");

    record Received(int port, String method, String path, Map<String, String> headers, String body) {}

    private final ObjectMapper json = new ObjectMapper();
    private final ServerSocket socket;
    private final String key;
    private final List<Received> received;
    private volatile String redirectTo;
    final long pieceDelayMillis;

    FakeMistralApi(String key, List<Received> log, long pieceDelayMillis) throws IOException {
        this.key = key;
        this.received = log;
        this.pieceDelayMillis = pieceDelayMillis;
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    FakeMistralApi(String key) throws IOException { this(key, new CopyOnWriteArrayList<>(), 15); }

    /** From now on, every request is answered with a 307 to the same path on {@code base} (another origin). */
    void redirectEverythingTo(String base) { this.redirectTo = base; }

    String baseUrl() { return "http://127.0.0.1:" + socket.getLocalPort() + "/v1"; }

    int port() { return socket.getLocalPort(); }

    List<Received> received() { return received; }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                Thread.ofVirtual().start(() -> serve(connection));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket connection) {
        try (connection) {
            InputStream in = connection.getInputStream();
            String[] requestLine = line(in).split(" ");
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h; !(h = line(in)).isEmpty(); ) {
                int colon = h.indexOf(':');
                headers.put(h.substring(0, colon).strip().toLowerCase(Locale.ROOT), h.substring(colon + 1).strip());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            received.add(new Received(port(), requestLine[0], requestLine[1], headers, body));
            answer(connection.getOutputStream(), requestLine[0], requestLine[1], headers, body);
        } catch (IOException | RuntimeException gone) {
            // the client left (cancel) or the test cut the connection on purpose
        }
    }

    private void answer(OutputStream out, String method, String path, Map<String, String> headers, String body) throws IOException {
        if (redirectTo != null) {
            respond(out, 307, Map.of("Location", redirectTo + path.substring("/v1".length())), "");
            return;
        }
        String auth = headers.get("authorization");
        if (auth == null) {
            respond(out, 401, Map.of(), "{\"message\":\"Unauthorized\",\"request_id\":\"4d3f7f0c1c2a4b1e9a0b2c3d4e5f6a7b\"}");
            return;
        }
        if (!auth.equals("Bearer " + key)) {
            // some gateways echo the refused key: the client must not pass it on
            respond(out, 401, Map.of(), "{\"message\":\"Unauthorized: no such key " + auth.substring(7) + "\"}");
            return;
        }
        if (method.equals("GET") && path.equals("/v1/models")) {
            StringBuilder data = new StringBuilder();
            for (String id : MODELS) {
                if (!data.isEmpty()) data.append(',');
                data.append("{\"id\":\"").append(id).append("\",\"object\":\"model\",\"created\":1721000000,\"owned_by\":\"mistralai\",")
                        .append("\"capabilities\":{\"completion_chat\":true,\"completion_fim\":false,\"function_calling\":true,\"fine_tuning\":false},")
                        .append("\"name\":\"").append(id).append("\",\"description\":\"\",\"max_context_length\":256000,\"aliases\":[],")
                        .append("\"deprecation\":null,\"default_model_temperature\":0.7,\"type\":\"base\"}");
            }
            respond(out, 200, Map.of(), "{\"object\":\"list\",\"data\":[" + data + "]}");
            return;
        }
        if (!(method.equals("POST") && path.equals("/v1/chat/completions"))) {
            respond(out, 404, Map.of(), "{\"detail\":\"Not Found\"}");
            return;
        }
        JsonNode request = json.readTree(body);
        for (var it = request.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!KNOWN_FIELDS.contains(field)) {
                respond(out, 422, Map.of(), "{\"object\":\"error\",\"message\":{\"detail\":[{\"type\":\"extra_forbidden\",\"loc\":[\"body\",\""
                        + field + "\"],\"msg\":\"Extra inputs are not permitted\"}]},\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}");
                return;
            }
        }
        String model = request.path("model").asText();
        switch (model) {
            case "busy" -> respond(out, 429, Map.of("Retry-After", "7"), "{\"message\":\"Requests rate limit exceeded\"}");
            case "overloaded" -> respond(out, 503, Map.of(), "{\"object\":\"error\",\"message\":\"Service unavailable: the model "
                    + "is overloaded, please retry\",\"type\":\"service_unavailable\",\"param\":null,\"code\":\"3505\"}");
            case "cut", "garbled", "raw", "no-usage", "fails" -> stream(out, model, request);
            default -> {
                if (MODELS.contains(model)) stream(out, model, request);
                else respond(out, 400, Map.of(), "{\"object\":\"error\",\"message\":\"Invalid model: " + model
                        + "\",\"type\":\"invalid_model\",\"param\":null,\"code\":\"1500\"}");
            }
        }
    }

    private void stream(OutputStream out, String model, JsonNode request) throws IOException {
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String id = "cmpl-e5cc70bb28c444948073e77776eb30ef";
        int max = request.path("max_tokens").asInt(PIECES.size());
        int count = Math.min(max, PIECES.size());
        chunk(out, "data: {\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":1702256327,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n");
        for (int i = 0; i < count; i++) {
            pause();
            if (model.equals("cut") && i == 3) return; // the socket closes mid-answer: no last chunk, no [DONE]
            if (model.equals("garbled") && i == 2) {
                chunk(out, "data: {\"id\":\"" + id + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\n\n");
                continue;
            }
            if (model.equals("fails") && i == 2) {
                chunk(out, "data: {\"object\":\"error\",\"message\":\"Internal error while generating\",\"type\":\"internal_error\",\"param\":null,\"code\":\"3000\"}\n\n");
                chunk(out, "data: [DONE]\n\n");
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return;
            }
            if (model.equals("raw") && i == 2) {
                chunk(out, "<html>502 Bad Gateway</html>\n\n");
                continue;
            }
            boolean last = i == count - 1;
            String usage = last && !model.equals("no-usage")
                    ? ",\"usage\":{\"prompt_tokens\":" + promptTokens(request) + ",\"total_tokens\":" + (promptTokens(request) + count)
                    + ",\"completion_tokens\":" + count + "}" : "";
            chunk(out, "data: {\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":1702256327,\"model\":\"" + model
                    + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + PIECES.get(i) + "\"},\"finish_reason\":"
                    + (last ? (count < PIECES.size() ? "\"length\"" : "\"stop\"") : "null") + "}]" + usage + "}\n\n");
        }
        chunk(out, "data: [DONE]\n\n");
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** A stand-in for the tokenizer: one token per word of every message plus a few for the template. */
    static int promptTokens(JsonNode request) {
        int words = 0;
        for (JsonNode m : request.path("messages")) words += m.path("content").asText().split("\\s+").length + 4;
        return words;
    }

    private void pause() {
        try {
            Thread.sleep(pieceDelayMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void chunk(OutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void respond(OutputStream out, int status, Map<String, String> extra, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " " + reason(status) + "\r\n");
        if (!body.isEmpty()) head.append("Content-Type: application/json\r\n");
        head.append("Content-Length: ").append(bytes.length).append("\r\nConnection: close\r\n");
        extra.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 307 -> "Temporary Redirect";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 422 -> "Unprocessable Entity";
            case 429 -> "Too Many Requests";
            default -> "Status";
        };
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != -1 && b != '\n'; ) if (b != '\r') bytes.write(b);
        return bytes.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException { socket.close(); }
}
