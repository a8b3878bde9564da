package org.mambaplayground.server;

import com.sun.net.httpserver.HttpExchange;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Refuses, while the server listens on loopback only, requests whose {@code Host} names another host.
 * A web page whose own name has been re-pointed to 127.0.0.1 (DNS rebinding) reaches the server with its
 * own name in {@code Host}; a local client always names localhost or a loopback address.
 */
final class HostCheck {
    private static final Pattern LOOPBACK_NAME = Pattern.compile(
            "(localhost|[a-z0-9.-]+\\.localhost|127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}|\\[::1])");
    private static final Pattern WITH_PORT = Pattern.compile("(\\[[^]]*]|[^:]*)(:\\d{1,5})?");

    private final boolean loopbackOnly;
    private final String boundHost;

    HostCheck(String host) {
        this.boundHost = host.toLowerCase(Locale.ROOT);
        this.loopbackOnly = isLoopback(host);
    }

    void check(HttpExchange exchange) {
        if (!loopbackOnly) return;
        String header = exchange.getRequestHeaders().getFirst("Host");
        if (header == null) return; // HTTP/1.0 without Host: not a browser
        var m = WITH_PORT.matcher(header.strip().toLowerCase(Locale.ROOT));
        String name = m.matches() ? m.group(1) : header;
        if (LOOPBACK_NAME.matcher(name).matches() || name.equals(boundHost) || name.equals("[" + boundHost + "]")) return;
        throw new ApiException(403, "invalid_request_error", "The Host header '" + header + "' does not name this server: "
                + "while it listens on loopback only, requests must address localhost, 127.0.0.1 or [::1] (this "
                + "protects against DNS rebinding). Listen on another --host to serve other names.", null, "host_not_allowed");
    }

    private static boolean isLoopback(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) if (!a.isLoopbackAddress()) return false;
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
