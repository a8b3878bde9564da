package org.mambaplayground.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mambaplayground.server.ApiServerTest.assertError;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.generate.FinishReason;
import org.mambaplayground.engine.load.LoadedModel;

/**
 * What real clients found (issue 15): clients that leave a non-streaming request, browsers (CORS, DNS
 * rebinding), slow clients, request ids, health checks and the served model names. A real model folder,
 * a real server on loopback, raw sockets where a client's exact bytes matter.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientsAndAccessTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path dir;
    static LoadedModel served;
    static ApiServer server;
    static final HttpClient http = HttpClient.newHttpClient();
    static final BlockingQueue<ServedRequest> log = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() throws Exception {
        served = TestModels.load(TestModels.writeMamba(dir));
        server = ApiServer.start(ServerConfig.defaults().withPort(0).withContextLimit(ApiServerTest.ENDLESS_CONTEXT), served);
        server.addObserver(log::add);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop();
        if (served != null) served.close();
    }

    @BeforeEach
    void clearLog() { log.clear(); }

    static HttpResponse<String> send(ApiServer to, HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpRequest.Builder request(ApiServer to, String path) { return HttpRequest.newBuilder(URI.create(to.address() + path)); }

    static HttpRequest.Builder post(ApiServer to, String path, String body) {
        return request(to, path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    /** Sends raw bytes of one request on a new socket and returns the socket (the answer is for the caller to read). */
    static Socket raw(ApiServer to, String head, String body) throws IOException {
        Socket socket = new Socket(to.address().getHost(), to.address().getPort());
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write((head + (body.isEmpty() ? "" : "Content-Length: " + bytes.length + "\r\n") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return socket;
    }

    /** Reads one response with a Content-Length body (or none) and returns its head and body. */
    static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last = 0, b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            last = last << 8 | b;
            if (last == 0x0d0a0d0a) break;
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        var m = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(text);
        if (m.find()) text += new String(in.readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.UTF_8);
        return text;
    }

    static final String ENDLESS_WHOLE = "{\"prompt\": \"" + ApiServerTest.PROMPT + "\", \"max_tokens\": " + ApiServerTest.ENDLESS_TOKENS
            + ", \"temperature\": 0, \"ignore_eos\": true}";

    // ---- clients that leave ----------------------------------------------------------------------------

    @Test
    void aNonStreamingClientThatLeavesFreesTheWorkerAtOnce() throws Exception {
        try (Socket client = raw(server, "POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n", ENDLESS_WHOLE)) {
            Thread.sleep(1000); // generating, with nothing written to the client yet
            assertThat(log).as("still generating").isEmpty();
        } // the client gives up (as the Python SDK does at its timeout)
        long closed = System.nanoTime();
        ServedRequest record = log.poll(3, TimeUnit.SECONDS);
        assertThat(record).as("the generation stopped within seconds of the close").isNotNull();
        assertThat((System.nanoTime() - closed) / 1e9).isLessThan(1.0);
        assertThat(record.clientDisconnected()).isTrue();
        assertThat(record.stats().finishReason()).isEqualTo(FinishReason.CANCELLED);
        long next = System.nanoTime();
        HttpResponse<String> later = send(server, post(server, "/v1/completions", "{\"prompt\": \"hi\", \"max_tokens\": 2}"));
        assertThat(later.statusCode()).isEqualTo(200);
        assertThat((System.nanoTime() - next) / 1e9).as("the next request is served promptly").isLessThan(1.0);
    }

    @Test
    void aQueuedNonStreamingClientThatLeavesIsTakenOutOfTheQueue() throws Exception {
        try (Socket running = ApiServerTest.startEndlessStream(server.address())) {
            try (Socket waiting = raw(server, "POST /v1/completions HTTP/1.1\r\nHost: localhost\r\n", "{\"prompt\": \"hi\", \"max_tokens\": 2}")) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (server.queuedRequests() < 1) {
                    assertThat(System.nanoTime()).as("the request reached the queue").isLessThan(deadline);
                    Thread.sleep(10);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (server.queuedRequests() > 0) {
                assertThat(System.nanoTime()).as("the queue forgot the request whose client left").isLessThan(deadline);
                Thread.sleep(10);
            }
        }
        ServedRequest endless = log.poll(10, TimeUnit.SECONDS);
        assertThat(endless).isNotNull();
        assertThat(endless.stats().finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(log.poll(500, TimeUnit.MILLISECONDS)).as("the withdrawn request never ran").isNull();
    }

    @Test
    void aConnectionThatNeverFinishesItsHeadersIsClosed() throws Exception {
        ApiServer strict = ApiServer.start(ServerConfig.defaults().withPort(0).withHeaderTimeoutMillis(500), served);
        try {
            // a keep-alive client that pauses between requests longer than the timeout is not cut off
            try (Socket client = raw(strict, "GET /v1/models HTTP/1.1\r\nHost: localhost\r\n", "")) {
                client.setSoTimeout(5000);
                assertThat(readResponse(client.getInputStream())).startsWith("HTTP/1.1 200");
                Thread.sleep(800);
                client.getOutputStream().write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(readResponse(client.getInputStream())).startsWith("HTTP/1.1 200");
            }
            // one that trickles its headers byte by byte is closed after the timeout
            try (Socket slow = new Socket(strict.address().getHost(), strict.address().getPort())) {
                slow.setSoTimeout(5000);
                long start = System.nanoTime();
                boolean closed = false;
                byte[] head = "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
                try {
                    for (int i = 0; i < 40 && !closed; i++) {
                        slow.getOutputStream().write(i < head.length ? head[i] : 'a');
                        Thread.sleep(100);
                        if (slow.getInputStream().available() == 0 && (System.nanoTime() - start) > 3e9) break;
                    }
                    closed = slow.getInputStream().read() < 0;
                } catch (IOException e) { // reset: closed as well
                    closed = !(e instanceof SocketTimeoutException);
                }
                assertThat(closed).as("the server closed the slow connection").isTrue();
                assertThat((System.nanoTime() - start) / 1e9).isLessThan(4.0);
            }
        } finally {
            strict.stop();
        }
    }

    // ---- browsers --------------------------------------------------------------------------------------

    @Test
    void aPreflightFromALocalPageGetsTheHeadersItAsksFor() throws Exception {
        String asked = "authorization, content-type, x-stainless-os, x-stainless-lang, x-stainless-retry-count";
        HttpResponse<String> preflight = send(server, request(server, "/v1/chat/completions")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://localhost:5173").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", asked));
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://localhost:5173");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers")).hasValue(asked);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("POST");
        assertThat(preflight.headers().firstValue("Access-Control-Max-Age")).hasValue("7200");
        for (String origin : List.of("http://127.0.0.1:8080", "https://localhost", "http://[::1]:3000")) {
            HttpResponse<String> ok = send(server, request(server, "/v1/models").header("Origin", origin));
            assertThat(ok.statusCode()).as(origin).isEqualTo(200);
            assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).hasValue(origin);
            assertThat(ok.headers().firstValue("Access-Control-Expose-Headers").orElse("")).contains("X-Request-Id");
        }
    }

    @Test
    void otherWebPagesAreRefusedUnlessListed() throws Exception {
        HttpResponse<String> refused = send(server, post(server, "/v1/chat/completions",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 2}").header("Origin", "https://evil.example"));
        assertError(refused, 403, "invalid_request_error", null, "origin_not_allowed");
        assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(JSON.readTree(refused.body()).at("/error/message").asText()).contains("--cors-origin");
        HttpResponse<String> preflight = send(server, request(server, "/v1/chat/completions").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://localhost.evil.example").header("Access-Control-Request-Method", "POST"));
        assertThat(preflight.statusCode()).isEqualTo(403);
        assertThat(log).as("nothing reached the model").isEmpty();

        ApiServer listed = ApiServer.start(ServerConfig.defaults().withPort(0).withCorsOrigins(List.of("https://app.example")), served);
        ApiServer open = ApiServer.start(ServerConfig.defaults().withPort(0).withCorsOrigins(List.of("*")), served);
        try {
            HttpResponse<String> app = send(listed, request(listed, "/v1/models").header("Origin", "https://app.example"));
            assertThat(app.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
            assertThat(send(listed, request(listed, "/v1/models").header("Origin", "https://evil.example")).statusCode()).isEqualTo(403);
            HttpResponse<String> any = send(open, request(open, "/v1/models").header("Origin", "https://evil.example"));
            assertThat(any.statusCode()).isEqualTo(200);
            assertThat(any.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        } finally {
            listed.stop();
            open.stop();
        }
    }

    @Test
    void onLoopbackAHostHeaderNamingAnotherHostIsRefused() throws Exception {
        for (String host : List.of("localhost", "localhost:8000", "127.0.0.1", "127.0.0.1:" + server.address().getPort(), "[::1]:80")) {
            try (Socket s = raw(server, "GET /v1/models HTTP/1.1\r\nHost: " + host + "\r\n", "")) {
                assertThat(readResponse(s.getInputStream())).as(host).startsWith("HTTP/1.1 200");
            }
        }
        for (String host : List.of("evil.example", "evil.example:8000", "192.168.1.20:8000")) {
            try (Socket s = raw(server, "GET /v1/models HTTP/1.1\r\nHost: " + host + "\r\n", "")) {
                String answer = readResponse(s.getInputStream());
                assertThat(answer).as(host).startsWith("HTTP/1.1 403").contains("host_not_allowed").contains("DNS rebinding");
            }
        }
    }

    // ---- ids, health, HEAD -----------------------------------------------------------------------------

    @Test
    void everyAnswerCarriesARequestId() throws Exception {
        HttpResponse<String> plain = send(server, request(server, "/v1/models"));
        assertThat(plain.headers().firstValue("X-Request-Id").orElse("")).matches("req-[A-Za-z0-9]{24}");
        HttpResponse<String> echoed = send(server, request(server, "/v1/nothing").header("X-Request-Id", "trace-42"));
        assertThat(echoed.statusCode()).isEqualTo(404);
        assertThat(echoed.headers().firstValue("X-Request-Id")).hasValue("trace-42");
        HttpResponse<String> streamed = send(server, post(server, "/v1/completions", "{\"prompt\": \"hi\", \"max_tokens\": 2, \"stream\": true}"));
        assertThat(streamed.headers().firstValue("X-Request-Id")).isPresent();
        assertThat(plain.headers().firstValue("X-Request-Id")).isNotEqualTo(streamed.headers().firstValue("X-Request-Id"));
    }

    @Test
    void healthAndHeadRequests() throws Exception {
        HttpResponse<String> health = send(server, request(server, "/health"));
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(health.body()).get("status").asText()).isEqualTo("ok");
        for (String path : List.of("/health", "/v1/models", "/v1/models/" + served.name())) {
            HttpResponse<String> head = send(server, request(server, path).method("HEAD", HttpRequest.BodyPublishers.noBody()));
            assertThat(head.statusCode()).as(path).isEqualTo(200);
            assertThat(head.body()).isEmpty();
        }
        ApiServer locked = ApiServer.start(ServerConfig.defaults().withPort(0).withApiKey("sk-1"), served);
        try { // a health check needs no key
            assertThat(send(locked, request(locked, "/health")).statusCode()).isEqualTo(200);
            assertThat(send(locked, request(locked, "/v1/models")).statusCode()).isEqualTo(401);
        } finally {
            locked.stop();
        }
    }

    // ---- model names -----------------------------------------------------------------------------------

    @Test
    void servedModelNamesReplaceTheFolderNameAndTheLegacyRouteAnswersForAnyName() throws Exception {
        ApiServer named = ApiServer.start(ServerConfig.defaults().withPort(0).withServedModelNames(List.of("mistral-mamba", "codestral")), served);
        try {
            JsonNode list = JSON.readTree(send(named, request(named, "/v1/models")).body());
            assertThat(list.get("data").findValuesAsText("id")).containsExactly("mistral-mamba", "codestral");
            HttpResponse<String> chat = send(named, post(named, "/v1/chat/completions",
                    "{\"model\": \"codestral\", \"max_tokens\": 2, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"));
            assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
            assertThat(JSON.readTree(chat.body()).get("model").asText()).isEqualTo("mistral-mamba");
            assertError(send(named, post(named, "/v1/completions", "{\"model\": \"" + served.name() + "\", \"prompt\": \"hi\"}")),
                    404, "invalid_request_error", "model", "model_not_found");

            // the Codestral Mamba server's documented request: "model": "mistral" on the legacy route
            HttpResponse<String> legacy = send(named, post(named, "/v1/engines/completions",
                    "{\"model\": \"mistral\", \"prompt\": \"def f(x):\", \"max_tokens\": 3}"));
            assertThat(legacy.statusCode()).as(legacy.body()).isEqualTo(200);
            assertThat(legacy.headers().firstValue("X-Model-Substituted")).hasValue("mistral-mamba");
            assertThat(JSON.readTree(legacy.body()).get("model").asText()).isEqualTo("mistral-mamba");
            HttpResponse<String> servedName = send(named, post(named, "/v1/engines/completions",
                    "{\"model\": \"codestral\", \"prompt\": \"hi\", \"max_tokens\": 2}"));
            assertThat(servedName.headers().firstValue("X-Model-Substituted")).isEmpty();
            // the modern routes keep refusing names that are not served
            assertError(send(named, post(named, "/v1/completions", "{\"model\": \"mistral\", \"prompt\": \"hi\"}")),
                    404, "invalid_request_error", "model", "model_not_found");
        } finally {
            named.stop();
        }
        HttpResponse<String> plain = send(server, post(server, "/v1/engines/completions", "{\"model\": \"mistral\", \"prompt\": \"hi\", \"max_tokens\": 2}"));
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.headers().firstValue("X-Model-Substituted")).hasValue(served.name());
    }
}
