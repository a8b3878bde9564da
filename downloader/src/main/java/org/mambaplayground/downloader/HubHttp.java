package org.mambaplayground.downloader;

import java.io.IOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.mambaplayground.downloader.HubException.Kind;

/**
 * Sends requests to the hub and its CDN. Redirects are followed by hand so that the token goes only to the
 * hub's own origin (scheme, host and port of the endpoint), never to the host a redirect points to.
 * Connection failures, 408, 5xx are retried with back-off; 429 waits as RateLimit / Retry-After say.
 */
final class HubHttp {

    interface Retrying {
        void retrying(String why, Duration wait);

        Retrying NONE = (why, wait) -> {};
    }

    /** A response that is not a redirect, with the metadata the hub put on the redirect hops. */
    record Exchange(Response response, Call call, Control control, String linkedEtag, long linkedSize, String repoCommit)
            implements AutoCloseable {
        HttpUrl url() {
            return response.request().url();
        }

        @Override
        public void close() {
            control.unregister(call);
            response.close();
        }
    }

    private static final int MAX_REDIRECTS = 10;
    private static final int MAX_RATE_LIMIT_WAITS = 10;

    final OkHttpClient client;
    final HttpUrl endpoint;
    final String token;
    final RetryPolicy retry;
    /** How the user gives a token, for hints: "--token or HF_TOKEN" on the command line, "the token field" in a window. */
    final String giveToken;
    private final String userAgent;

    HubHttp(OkHttpClient client, HttpUrl endpoint, String token, RetryPolicy retry, String userAgent, String giveToken) {
        this.client = client;
        this.endpoint = endpoint;
        this.token = token;
        this.retry = retry;
        this.userAgent = userAgent;
        this.giveToken = giveToken;
    }

    boolean isHubOrigin(HttpUrl url) {
        return url.scheme().equals(endpoint.scheme()) && url.host().equalsIgnoreCase(endpoint.host())
                && url.port() == endpoint.port();
    }

    /** A GET for this URL with our headers, and the token only when the URL is on the hub's origin. */
    Request.Builder get(HttpUrl url) {
        Request.Builder b = new Request.Builder().url(url)
                .header("User-Agent", userAgent)
                .header("Accept-Encoding", "identity")
                .header("X-Amzn-Trace-Id", UUID.randomUUID().toString());
        if (token != null && isHubOrigin(url)) b.header("Authorization", "Bearer " + token);
        return b;
    }

    boolean sendsToken() {
        return token != null;
    }

    /** {@link #send(Request, Control, Retrying, String, boolean)} for a first contact: an unreachable host fails at once. */
    Exchange send(Request first, Control control, Retrying listener, String what) throws HubException {
        return send(first, control, listener, what, false);
    }

    /**
     * Executes the request, following redirects and retrying transient failures.
     * The caller closes the returned exchange; its response may be any non-3xx status except 408/429/5xx.
     *
     * @param patient the host answered before (a transfer dropped in the middle): keep retrying even when it
     *                cannot be reached for now. Otherwise an unknown host, a refused connection or no route fails
     *                at once, since no back-off makes a name resolve on a machine that is offline.
     */
    Exchange send(Request first, Control control, Retrying listener, String what, boolean patient) throws HubException {
        int failures = 0;
        int rateLimitWaits = 0;
        while (true) {
            control.checkpoint();
            Request request = first;
            String linkedEtag = null;
            long linkedSize = -1;
            String commit = null;
            Response response;
            Call call;
            try {
                for (int hop = 0; ; hop++) {
                    call = client.newCall(request);
                    control.register(call);
                    try {
                        response = call.execute();
                    } catch (IOException e) {
                        control.unregister(call);
                        throw e;
                    }
                    if (!response.isRedirect()) break;
                    if (linkedEtag == null) linkedEtag = stripEtag(response.header("X-Linked-Etag"));
                    if (linkedSize < 0) linkedSize = parseLong(response.header("X-Linked-Size"));
                    if (commit == null) commit = response.header("X-Repo-Commit");
                    String location = response.header("Location");
                    HttpUrl next = location == null ? null : request.url().resolve(location);
                    response.close();
                    control.unregister(call);
                    if (next == null || hop >= MAX_REDIRECTS) {
                        throw new HubException(Kind.PROTOCOL, "Bad or endless redirect for " + what + " at " + request.url(),
                                "If HF_ENDPOINT points to a mirror or proxy, check it.", request.url().toString(), null);
                    }
                    Request.Builder nb = get(next);
                    String range = request.header("Range");
                    if (range != null) nb.header("Range", range);
                    request = nb.build();
                }
            } catch (IOException e) {
                if (e instanceof HubException he) throw he;
                if (control.stopping()) continue;  // paused or cancelled on purpose: checkpoint decides
                failures++;
                if (failures >= retry.attemptsWithoutProgress() || !patient && HubErrors.unreachable(e)) {
                    throw HubErrors.network(e, request.url().host(), what);
                }
                Duration wait = retry.backoff(failures);
                listener.retrying(describe(e) + "; retry " + failures + " in " + wait.toMillis() + " ms", wait);
                control.sleep(wait);
                continue;
            }
            int code = response.code();
            if (code == 429) {
                Duration wait = rateLimitWait(response);
                response.close();
                control.unregister(call);
                if (wait == null) wait = retry.backoff(++failures);
                if (wait.compareTo(retry.maxRateLimitWait()) > 0 || ++rateLimitWaits > MAX_RATE_LIMIT_WAITS) {
                    throw new HubException(Kind.RATE_LIMITED,
                            "Rate limited by the hub while fetching " + what + ": it asks to wait " + wait.toSeconds() + " s",
                            "Retry after that time; a token (HF_TOKEN) gives higher limits.", request.url().toString(), null);
                }
                listener.retrying("rate limited by the hub; waiting " + wait.toSeconds() + " s", wait);
                control.sleep(wait);
                continue;
            }
            if (code == 408 || code >= 500) {
                failures++;
                if (failures >= retry.attemptsWithoutProgress()) {
                    HubException e = HubErrors.fromResponse(response, endpoint.toString(), "", what, false, giveToken);
                    response.close();
                    control.unregister(call);
                    throw e;
                }
                response.close();
                control.unregister(call);
                Duration wait = retry.backoff(failures);
                listener.retrying("HTTP " + code + " from " + request.url().host() + "; retry " + failures + " in "
                        + wait.toMillis() + " ms", wait);
                control.sleep(wait);
                continue;
            }
            if (commit == null) commit = response.header("X-Repo-Commit");
            if (linkedEtag == null) linkedEtag = stripEtag(response.header("X-Linked-Etag"));
            if (linkedSize < 0) linkedSize = parseLong(response.header("X-Linked-Size"));
            return new Exchange(response, call, control, linkedEtag, linkedSize, commit);
        }
    }

    private static final Pattern RATE_LIMIT = Pattern.compile("r\\s*=\\s*(\\d+)\\s*;\\s*t\\s*=\\s*(\\d+)");

    /** RateLimit: "resolvers";r=0;t=55 means wait t+1 s; else Retry-After (seconds or HTTP date); else null. */
    static Duration rateLimitWait(Response r) {
        String rl = r.header("RateLimit");
        if (rl != null) {
            Matcher m = RATE_LIMIT.matcher(rl);
            if (m.find() && parseLong(m.group(1)) == 0) return seconds(m.group(2), 1);
        }
        String ra = r.header("Retry-After");
        if (ra != null) {
            String v = ra.trim();
            if (v.matches("\\d+")) return seconds(v, 0);
            try {
                ZonedDateTime when = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                return Duration.ofMillis(Math.max(0, when.toInstant().toEpochMilli() - System.currentTimeMillis()));
            } catch (RuntimeException ignored) {
                return null;
            }
        }
        return null;
    }

    /** {@code digits} + {@code plus} seconds; a number too large for a long is a wait too long to accept, not an error. */
    private static Duration seconds(String digits, long plus) {
        try {
            return Duration.ofSeconds(Math.addExact(Long.parseLong(digits), plus));
        } catch (NumberFormatException | ArithmeticException tooLarge) {
            return Duration.ofSeconds(Long.MAX_VALUE);
        }
    }

    static String stripEtag(String etag) {
        if (etag == null) return null;
        String e = etag.trim();
        if (e.startsWith("W/")) e = e.substring(2);
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) e = e.substring(1, e.length() - 1);
        return e.toLowerCase(Locale.ROOT);
    }

    static long parseLong(String v) {
        if (v == null) return -1;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
