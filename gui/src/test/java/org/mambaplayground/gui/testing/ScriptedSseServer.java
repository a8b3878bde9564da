package org.mambaplayground.gui.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A real HTTP server on a loopback port that speaks OpenAI's streaming shape and misbehaves on cue, for the
 * failures our own server never shows: each chat request takes the next {@link Script} (a whole answer, a stream
 * cut after two pieces, a slow endless stream). It records every request body and when a slow stream's client
 * hung up.
 */
public final class ScriptedSseServer implements AutoCloseable {
    public enum Script { WHOLE, CUT_AFTER_TWO_PIECES, SLOW_UNTIL_CLOSED }

    private final ServerSocket socket;
    private final String model;
    private final BlockingQueue<Script> scripts = new LinkedBlockingQueue<>();
    public final ConcurrentLinkedQueue<String> bodies = new ConcurrentLinkedQueue<>();
    /** Counted down when the client of a slow stream closed the connection. */
    public final CountDownLatch slowStreamClosed = new CountDownLatch(1);
    private final Thread acceptor;

    public ScriptedSseServer(String model, Script... scripts) throws IOException {
        this.model = model;
        this.scripts.addAll(List.of(scripts));
        this.socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "scripted-sse");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String baseUrl() { return "http://127.0.0.1:" + socket.getLocalPort() + "/v1"; }

    public void then(Script script) { scripts.add(script); }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                Thread t = new Thread(() -> serve(client), "scripted-sse-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            String requestLine = in.readLine();
            if (requestLine == null) return;
            int length = 0;
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(line.substring(15).strip());
            }
            char[] body = new char[length];
            int read = 0;
            while (read < length) {
                int n = in.read(body, read, length - read);
                if (n < 0) break;
                read += n;
            }
            OutputStream out = client.getOutputStream();
            if (requestLine.startsWith("GET") && requestLine.contains("/v1/models")) {
                String json = "{\"object\":\"list\",\"data\":[{\"id\":\"" + model + "\",\"object\":\"model\",\"owned_by\":\"test\"}]}";
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + json.getBytes(StandardCharsets.UTF_8).length
                        + "\r\nConnection: close\r\n\r\n" + json).getBytes(StandardCharsets.UTF_8));
                out.flush();
                return;
            }
            bodies.add(new String(body, 0, read));
            Script script = scripts.isEmpty() ? Script.WHOLE : scripts.poll();
            out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.UTF_8));
            switch (script) {
                case WHOLE -> {
                    for (String piece : List.of("Hello", " from", " the", " endpoint.")) event(out, chunk(piece, null));
                    event(out, "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model
                            + "\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                            + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":4,\"total_tokens\":15}}");
                    out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                case CUT_AFTER_TWO_PIECES -> {
                    event(out, chunk("Half", null));
                    Thread.sleep(10); // the second piece comes within the UI's batching interval, after the first was shown
                    event(out, chunk(" an answer", null));
                    Thread.sleep(50); // then the connection closes without [DONE]: the stream ended mid-answer
                }
                case SLOW_UNTIL_CLOSED -> {
                    try {
                        for (int i = 0; i < 400; i++) { // 20 s at most
                            event(out, chunk(" word" + i, null));
                            Thread.sleep(50);
                        }
                    } catch (IOException closed) {
                        slowStreamClosed.countDown();
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away: nothing to answer
        }
    }

    private String chunk(String piece, String finish) {
        return "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model + "\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\"" + piece + "\"},\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    private static void event(OutputStream out, String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException { socket.close(); }
}
