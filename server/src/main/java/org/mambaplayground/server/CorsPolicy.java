package org.mambaplayground.server;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which web pages may call the server from a browser. Local pages ({@code http(s)://localhost},
 * {@code 127.0.0.1}, {@code [::1]}, any port) always may, as with Ollama; others only when listed
 * ({@code --cors-origin}, CORS_ORIGINS), or all with {@code *}. A request from another page is refused,
 * so a site the user visits can neither run nor read their local model. Clients outside a browser send
 * no {@code Origin} and are not concerned.
 */
final class CorsPolicy {
    private static final Pattern LOCAL = Pattern.compile("https?://(localhost|127\\.0\\.0\\.1|\\[::1])(:\\d{1,5})?");
    /** A header list as Access-Control-Request-Headers carries it: tokens separated by commas. */
    private static final Pattern HEADER_LIST = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+(\\s*,\\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*");
    /** How long a browser may keep a preflight's answer (Chromium caps it at two hours). */
    static final int MAX_AGE_SECONDS = 7200;
    static final String EXPOSED = "X-Request-Id, Retry-After, " + ApiServer.SUBSTITUTED_HEADER;

    private final List<String> extra;
    private final boolean any;

    CorsPolicy(List<String> origins) {
        this.extra = origins.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList();
        this.any = extra.contains("*");
    }

    boolean allows(String origin) {
        String o = origin.toLowerCase(Locale.ROOT);
        return any || LOCAL.matcher(o).matches() || extra.contains(o);
    }

    /** Adds the CORS headers for a request from a browser; refuses one from a page that may not call. */
    void apply(HttpExchange exchange) {
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        if (origin == null) return;
        if (!allows(origin)) {
            throw new ApiException(403, "invalid_request_error", "Requests from the web page origin '" + origin
                    + "' are not allowed; start the server with --cors-origin " + origin
                    + " (or CORS_ORIGINS in .env) to allow it.", null, "origin_not_allowed");
        }
        Headers headers = exchange.getResponseHeaders();
        headers.set("Access-Control-Allow-Origin", any ? "*" : origin);
        headers.add("Vary", "Origin");
        headers.set("Access-Control-Expose-Headers", EXPOSED);
    }

    /** Answers a preflight (OPTIONS): the methods, the headers the browser asked for, how long to remember. */
    void preflight(HttpExchange exchange) {
        Headers headers = exchange.getResponseHeaders();
        headers.set("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS");
        String asked = exchange.getRequestHeaders().getFirst("Access-Control-Request-Headers");
        boolean valid = asked != null && HEADER_LIST.matcher(asked.strip()).matches();
        headers.set("Access-Control-Allow-Headers", valid ? asked.strip() : "Authorization, Content-Type");
        headers.set("Access-Control-Max-Age", Integer.toString(MAX_AGE_SECONDS));
        headers.add("Vary", "Access-Control-Request-Headers");
    }
}
