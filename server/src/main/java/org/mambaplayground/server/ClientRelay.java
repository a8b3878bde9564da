package org.mambaplayground.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The server's public socket, in front of the HTTP server on a private loopback port.
 *
 * <p>Why: {@code com.sun.net.httpserver} reads a connection only while it parses a request and gives no
 * access to the socket, so a client that leaves during a long non-streaming generation (or while it waits
 * in the queue) would be noticed only by the final write, minutes later. This relay always reads the
 * client's side, so it sees the close at once: it runs what was registered for that connection (the
 * generation's cancel), keyed by the inner connection's port, which is the exchange's remote port.
 *
 * <p>It also closes a connection whose request headers have not all arrived {@code headerTimeoutMillis}
 * after the connection opened or after the previous response began (slow or stuck clients).
 */
final class ClientRelay implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ClientRelay.class.getName());

    private final ServerSocket front;
    private final InetSocketAddress inner;
    private final int headerTimeoutMillis;
    private final Map<Integer, Link> links = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** Binds {@code bind} (port 0: any free port) and relays each client to {@code inner}. */
    ClientRelay(InetSocketAddress bind, InetSocketAddress inner, int headerTimeoutMillis) throws IOException {
        this.front = new ServerSocket();
        this.front.setReuseAddress(true);
        this.front.bind(bind, 64);
        this.inner = inner;
        this.headerTimeoutMillis = headerTimeoutMillis;
        Thread.ofVirtual().name("relay-accept-" + front.getLocalPort()).start(this::acceptLoop);
    }

    InetSocketAddress address() { return (InetSocketAddress) front.getLocalSocketAddress(); }

    /**
     * Runs {@code action} once the client behind the inner connection from {@code remote} has gone (at once
     * if it has already); closing the returned handle withdraws it.
     */
    Watch onClientGone(InetSocketAddress remote, Runnable action) {
        Link link = remote == null ? null : links.get(remote.getPort());
        if (link == null) { // the relay has closed that connection already: its client is gone
            action.run();
            return () -> {};
        }
        link.listeners.add(action);
        if (link.gone) link.fire();
        return () -> link.listeners.remove(action);
    }

    /** A registration of {@link #onClientGone}; closing it withdraws the action. */
    interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    /** Takes no new connections; those open go on. */
    void stopAccepting() {
        closed = true;
        try {
            front.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        stopAccepting();
        links.values().forEach(Link::close);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = front.accept();
            } catch (IOException e) {
                if (closed) return;
                LOG.log(System.Logger.Level.WARNING, "accepting a connection failed: {0}", e.toString());
                try {
                    Thread.sleep(50); // such as too many open files: do not spin
                } catch (InterruptedException interrupted) {
                    return;
                }
                continue;
            }
            Thread.ofVirtual().name("relay-open").start(() -> open(client));
        }
    }

    private void open(Socket client) {
        Socket server = new Socket();
        try {
            client.setTcpNoDelay(true);
            server.setTcpNoDelay(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Link link = new Link(client, server);
            links.put(server.getLocalPort(), link); // before any byte goes in, so the exchange always finds it
            server.connect(inner);
            Thread.ofVirtual().name("relay-up").start(link::clientToServer);
            Thread.ofVirtual().name("relay-down").start(link::serverToClient);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot relay a connection: {0}", e.toString());
            closeQuietly(client);
            closeQuietly(server);
            if (server.getLocalPort() > 0) links.remove(server.getLocalPort());
        }
    }

    /** One client connection and its inner twin. */
    private final class Link {
        final Socket client;
        final Socket server;
        final List<Runnable> listeners = new CopyOnWriteArrayList<>();
        volatile boolean gone;
        /** Set when the server has begun a response: the client's next bytes start a new request. */
        volatile boolean responded;

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void clientToServer() {
            try (InputStream in = client.getInputStream(); OutputStream out = server.getOutputStream()) {
                byte[] buffer = new byte[16 * 1024];
                HeaderEnd headers = new HeaderEnd();
                long deadline = System.nanoTime() + headerTimeoutMillis * 1_000_000L;
                boolean inHeaders = true;
                while (true) {
                    if (inHeaders) {
                        long left = (deadline - System.nanoTime()) / 1_000_000L;
                        if (left <= 0) throw new SocketTimeoutException();
                        client.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
                    } else {
                        client.setSoTimeout(0); // a body, or waiting for the answer: the HTTP server's own limits apply
                    }
                    int n = in.read(buffer);
                    if (n < 0) break;
                    if (!inHeaders && responded) { // the next request on this connection begins
                        responded = false;
                        inHeaders = true;
                        headers = new HeaderEnd();
                        deadline = System.nanoTime() + headerTimeoutMillis * 1_000_000L;
                    }
                    if (inHeaders && headers.foundIn(buffer, n)) inHeaders = false;
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (SocketTimeoutException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing a connection whose request headers did not arrive within {0} ms",
                        headerTimeoutMillis);
            } catch (IOException e) {
                // the client or the server closed the connection
            }
            gone = true;
            fire();
            close();
        }

        void serverToClient() {
            try (InputStream in = server.getInputStream(); OutputStream out = client.getOutputStream()) {
                byte[] buffer = new byte[16 * 1024];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (!interim(buffer, n)) responded = true; // a 100 Continue is followed by the same request's body
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // a failed write: the client has gone
                gone = true;
                fire();
            }
            close();
        }

        void fire() {
            for (Runnable action : listeners) {
                if (listeners.remove(action)) action.run();
            }
        }

        void close() {
            links.remove(server.getLocalPort(), this);
            closeQuietly(client);
            closeQuietly(server);
        }
    }

    /** Finds the blank line that ends request headers (CRLF CRLF, or LF LF), across reads. */
    private static final class HeaderEnd {
        private int last; // the last bytes seen, newest in the low byte

        boolean foundIn(byte[] bytes, int length) {
            for (int i = 0; i < length; i++) {
                last = last << 8 | (bytes[i] & 0xff);
                if (last == 0x0d0a0d0a || (last & 0xffff) == 0x0a0a) return true;
            }
            return false;
        }
    }

    /** Whether these bytes begin an interim (1xx) response, such as 100 Continue. */
    private static boolean interim(byte[] bytes, int length) {
        byte[] prefix = "HTTP/1.1 1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) {
            if (i != 7 && bytes[i] != prefix[i]) return false; // HTTP/1.0 or 1.1
        }
        return true;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }
}
