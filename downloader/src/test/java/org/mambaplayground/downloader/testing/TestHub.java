package org.mambaplayground.downloader.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A Hugging Face hub on loopback that serves real bytes, for tests (and the downloader benchmark):
 * <ul>
 *   <li>{@code GET /api/models/{repo}/revision/{rev}}: model info with {@code sha}, {@code gated}, {@code siblings}</li>
 *   <li>{@code GET /api/models/{repo}/tree/{rev}?recursive=true}: paginated with {@code Link: <...>; rel="next"}</li>
 *   <li>{@code GET /{repo}/resolve/{rev}/{path}}: plain files from the hub itself (ETag = git sha1, Range);
 *       LFS files as a 302 to a second server, the "CDN", on another origin ({@code localhost} instead of
 *       {@code 127.0.0.1}, another port), with X-Linked-Etag, X-Linked-Size and X-Repo-Commit</li>
 *   <li>errors as the hub sends them: 401/403 with X-Error-Code GatedRepo, RepoNotFound, RevisionNotFound,
 *       EntryNotFound, "Invalid credentials in Authorization header", 429 with Retry-After and RateLimit</li>
 * </ul>
 * Faults per file (connection drops at offsets, stalls, a corrupted byte) and a global throttle; every
 * request is recorded with its headers and the body bytes actually sent.
 */
public final class TestHub implements AutoCloseable {

    /** One request as the server saw it. */
    public static final class Recorded {
        public final String server;
        public final String method;
        public final String target;
        public final Map<String, List<String>> headers;
        volatile int status;
        final AtomicLong bytesSent = new AtomicLong();

        Recorded(String server, HttpExchange ex) {
            this.server = server;
            this.method = ex.getRequestMethod();
            this.target = ex.getRequestURI().toString();
            Map<String, List<String>> h = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            ex.getRequestHeaders().forEach((k, v) -> h.put(k, List.copyOf(v)));
            this.headers = h;
        }

        public String header(String name) {
            List<String> v = headers.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        public int status() {
            return status;
        }

        public long bytesSent() {
            return bytesSent.get();
        }

        @Override
        public String toString() {
            return server + " " + method + " " + target + " -> " + status + " (" + bytesSent + " B, Range " + header("Range") + ")";
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer hub;
    private final HttpServer cdn;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-hub");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, TestRepo> repos = new ConcurrentHashMap<>();
    private final Set<String> knownTokens = ConcurrentHashMap.newKeySet();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger rateLimited = new AtomicInteger();
    private volatile int retryAfterSeconds = 1;
    private volatile long throttleBytesPerSecond = 0;
    private volatile boolean ignoreRange;
    private final AtomicInteger failingListings = new AtomicInteger();
    private volatile int listingFailureStatus;
    private volatile boolean expireUrlsOnDrop;
    private final AtomicInteger urlGeneration = new AtomicInteger();

    private final String scheme;

    private TestHub(SSLContext tls) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        scheme = tls == null ? "http" : "https";
        hub = create(new InetSocketAddress(loopback, 0), tls);
        cdn = create(new InetSocketAddress(loopback, 0), tls);
        hub.createContext("/", ex -> handle("hub", ex, this::hubRoute));
        cdn.createContext("/", ex -> handle("cdn", ex, this::cdnRoute));
        hub.setExecutor(pool);
        cdn.setExecutor(pool);
        hub.start();
        cdn.start();
    }

    public static TestHub start() throws IOException {
        return new TestHub(null);
    }

    /** Both servers speak HTTPS with this context (its certificate must name 127.0.0.1 and localhost). */
    public static TestHub startHttps(SSLContext tls) throws IOException {
        return new TestHub(tls);
    }

    private static HttpServer create(InetSocketAddress address, SSLContext tls) throws IOException {
        if (tls == null) return HttpServer.create(address, 64);
        HttpsServer server = HttpsServer.create(address, 64);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        return server;
    }

    /** The hub's base URL, for HF_ENDPOINT: http://127.0.0.1:port (https with {@link #startHttps}) */
    public String endpoint() {
        return scheme + "://127.0.0.1:" + hub.getAddress().getPort();
    }

    /** The CDN's base URL: another host name and port, so it is another origin. */
    public String cdnBase() {
        return scheme + "://localhost:" + cdn.getAddress().getPort();
    }

    public TestRepo repo(String id) {
        return repos.computeIfAbsent(id, TestRepo::new);
    }

    /** Tokens the hub accepts; any other token gets 401 "Invalid credentials in Authorization header". */
    public TestHub acceptTokens(String... tokens) {
        knownTokens.addAll(Arrays.asList(tokens));
        return this;
    }

    /** The next {@code count} resolve requests answer 429 with Retry-After and RateLimit r=0. */
    public TestHub rateLimitNextResolves(int count, int retryAfterSeconds) {
        this.retryAfterSeconds = retryAfterSeconds;
        rateLimited.set(count);
        return this;
    }

    /** The next {@code count} API requests (revision, tree, auth-check) answer {@code status}, e.g. 503. */
    public TestHub failNextListings(int count, int status) {
        this.listingFailureStatus = status;
        failingListings.set(count);
        return this;
    }

    /** Limit every file body to this many bytes per second (0: as fast as possible). */
    public TestHub throttle(long bytesPerSecond) {
        this.throttleBytesPerSecond = bytesPerSecond;
        return this;
    }

    /** Answer every Range request with 200 and the whole body, like a CDN that compresses (a real failure mode). */
    public TestHub ignoreRange(boolean ignore) {
        this.ignoreRange = ignore;
        return this;
    }

    /** Signed CDN URLs handed out so far stop working (403) whenever a planned connection drop happens. */
    public TestHub expireCdnUrlsOnDrop(boolean expire) {
        this.expireUrlsOnDrop = expire;
        return this;
    }

    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    public List<Recorded> requests(String server) {
        return requests.stream().filter(r -> r.server.equals(server)).toList();
    }

    /** Body bytes sent for file contents (resolve bodies and CDN bodies). */
    public long fileBytesSent() {
        return requests.stream().filter(r -> r.server.equals("cdn") || r.target.contains("/resolve/"))
                .mapToLong(Recorded::bytesSent).sum();
    }

    public void clearRequests() {
        requests.clear();
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
        pool.shutdownNow();
    }

    // ---- routing ----

    private interface Route {
        void serve(HttpExchange ex, Recorded rec) throws IOException;
    }

    /** Thrown to make the JDK server close the connection in the middle of a body. */
    private static final class DropConnection extends RuntimeException {
        DropConnection() {
            super("test hub: planned connection drop", null, false, false);
        }
    }

    private void handle(String server, HttpExchange ex, Route route) throws IOException {
        Recorded rec = new Recorded(server, ex);
        requests.add(rec);
        try (InputStream in = ex.getRequestBody()) {
            in.readAllBytes();
        }
        try {
            route.serve(ex, rec);
        } catch (DropConnection e) {
            throw e;  // the JDK server closes the connection without finishing the response
        } catch (IOException e) {
            // The client went away (pause, cancel): nothing to do.
        }
        ex.close();
    }

    private static final Pattern API = Pattern.compile("/api/models/([^/]+/[^/]+)/(revision|tree)/([^/]+)");
    private static final Pattern AUTH_CHECK = Pattern.compile("/api/models/([^/]+/[^/]+)/auth-check");
    private static final Pattern RESOLVE = Pattern.compile("/([^/]+/[^/]+)/resolve/([^/]+)/(.+)");

    private void hubRoute(HttpExchange ex, Recorded rec) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        Matcher api = API.matcher(path);
        Matcher resolve = RESOLVE.matcher(path);
        String token = bearer(ex);
        if (token != null && !knownTokens.contains(token) && repos.values().stream().noneMatch(r -> r.grantedTokens.contains(token))) {
            error(ex, rec, 401, null, "Invalid credentials in Authorization header");
            return;
        }
        Matcher authCheck = AUTH_CHECK.matcher(path);
        if (path.startsWith("/api/") && failingListings.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            error(ex, rec, listingFailureStatus, null, "test hub: planned failure");
        } else if (authCheck.matches()) {
            TestRepo repo = repoOrError(ex, rec, decode(authCheck.group(1)), token);
            if (repo != null && gatedError(ex, rec, repo, token)) return;
            if (repo != null) json(ex, rec, "{}", null);
        } else if (api.matches()) {
            TestRepo repo = repoOrError(ex, rec, decode(api.group(1)), token);
            if (repo == null) return;
            String commit = commitOrError(ex, rec, repo, decode(api.group(3)));
            if (commit == null) return;
            if (api.group(2).equals("revision")) modelInfo(ex, rec, repo, commit);
            else tree(ex, rec, repo, decode(api.group(3)), commit);
        } else if (resolve.matches()) {
            resolve(ex, rec, decode(resolve.group(1)), decode(resolve.group(2)), decodePath(resolve.group(3)), token);
        } else {
            error(ex, rec, 404, null, "Not found: " + path);
        }
    }

    private TestRepo repoOrError(HttpExchange ex, Recorded rec, String id, String token) throws IOException {
        TestRepo repo = repos.get(id);
        if (repo == null) {
            if (token == null) error(ex, rec, 401, "RepoNotFound", "Repository not found");
            else error(ex, rec, 404, "RepoNotFound", "Repository not found");
        }
        return repo;
    }

    private String commitOrError(HttpExchange ex, Recorded rec, TestRepo repo, String revision) throws IOException {
        String commit = revision.equals(repo.commit) ? repo.commit : repo.branches.get(revision);
        if (commit == null) error(ex, rec, 404, "RevisionNotFound", "Invalid rev id: " + revision);
        return commit;
    }

    private void modelInfo(HttpExchange ex, Recorded rec, TestRepo repo, String commit) throws IOException {
        ObjectNode info = JSON.createObjectNode();
        info.put("_id", "6ac4f6932fb5557d4ceee81f");
        info.put("id", repo.id);
        info.put("sha", commit);
        info.put("private", false);
        if (repo.gated) info.put("gated", "manual");
        else info.put("gated", false);
        ArrayNode siblings = info.putArray("siblings");
        repo.files.keySet().forEach(p -> siblings.addObject().put("rfilename", p));
        json(ex, rec, info.toString(), null);
    }

    private void tree(HttpExchange ex, Recorded rec, TestRepo repo, String revision, String commit) throws IOException {
        String query = ex.getRequestURI().getRawQuery();
        int cursor = 0;
        if (query != null) {
            Matcher m = Pattern.compile("(?:^|&)cursor=(\\d+)").matcher(query);
            if (m.find()) cursor = Integer.parseInt(m.group(1));
        }
        List<TestRepo.Blob> all = new ArrayList<>(repo.files.values());
        int end = Math.min(all.size(), cursor + repo.treePageSize);
        ArrayNode page = JSON.createArrayNode();
        if (cursor == 0 && all.stream().anyMatch(b -> b.path.contains("/"))) {
            page.addObject().put("type", "directory").put("oid", "0000000000000000000000000000000000000000")
                    .put("size", 0).put("path", all.stream().filter(b -> b.path.contains("/")).findFirst().get().path.split("/")[0]);
        }
        for (TestRepo.Blob b : all.subList(cursor, end)) {
            ObjectNode o = page.addObject();
            o.put("type", "file").put("oid", b.gitOid).put("size", b.size).put("path", b.path);
            if (b.lfs) {
                String sha = repo.gated ? "*".repeat(64) : b.sha256;  // the hub masks hashes of gated repos
                o.putObject("lfs").put("oid", sha).put("size", b.size).put("pointerSize", 132);
            }
        }
        String link = null;
        if (end < all.size()) {
            link = "<" + endpoint() + "/api/models/" + repo.id + "/tree/" + revision + "?recursive=true&expand=false&cursor="
                    + end + ">; rel=\"next\"";
        }
        json(ex, rec, page.toString(), link);
    }

    private void resolve(HttpExchange ex, Recorded rec, String repoId, String revision, String path, String token)
            throws IOException {
        TestRepo repo = repoOrError(ex, rec, repoId, token);
        if (repo == null) return;
        String commit = commitOrError(ex, rec, repo, revision);
        if (commit == null) return;
        if (!path.equals("README.md") && gatedError(ex, rec, repo, token)) return;
        TestRepo.Blob blob = repo.files.get(path);
        ex.getResponseHeaders().set("X-Repo-Commit", commit);
        if (blob == null) {
            error(ex, rec, 404, "EntryNotFound", path + " does not exist on \"" + revision + "\"");
            return;
        }
        if (rateLimited.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            ex.getResponseHeaders().set("Retry-After", String.valueOf(retryAfterSeconds));
            ex.getResponseHeaders().set("RateLimit", "\"resolvers\";r=0;t=" + Math.max(0, retryAfterSeconds - 1));
            ex.getResponseHeaders().set("RateLimit-Policy", "\"fixed window\";\"resolvers\";q=3000;w=300");
            error(ex, rec, 429, null, "Too Many Requests");
            return;
        }
        if (blob.lfs) {
            ex.getResponseHeaders().set("Location", cdnBase() + "/xet-bridge-us/6ac4f6932fb5557d4ceee81f/" + blob.sha256
                    + "?X-Xet-Cas-Uid=public&Expires=" + (System.currentTimeMillis() / 1000 + 3600) + "&Signature=test-"
                    + urlGeneration.get());
            ex.getResponseHeaders().set("X-Linked-Etag", "\"" + blob.sha256 + "\"");
            ex.getResponseHeaders().set("X-Linked-Size", String.valueOf(blob.size));
            ex.getResponseHeaders().set("ETag", "\"" + blob.gitOid + "\"");
            byte[] body = ("Found. Redirecting to " + cdnBase()).getBytes(StandardCharsets.UTF_8);
            rec.status = 302;
            ex.sendResponseHeaders(302, ex.getRequestMethod().equals("HEAD") ? -1 : body.length);
            if (!ex.getRequestMethod().equals("HEAD")) ex.getResponseBody().write(body);
            return;
        }
        ex.getResponseHeaders().set("ETag", "\"" + blob.gitOid + "\"");
        serveBlob(ex, rec, blob);
    }

    private boolean gatedError(HttpExchange ex, Recorded rec, TestRepo repo, String token) throws IOException {
        if (!repo.gated || (token != null && repo.grantedTokens.contains(token))) return false;
        if (token == null) {
            error(ex, rec, 401, "GatedRepo", "Access to model " + repo.id + " is restricted. You must have access to it"
                    + " and be authenticated to access it. Please log in.");
        } else {
            error(ex, rec, 403, "GatedRepo", "Access to model " + repo.id + " is restricted and you are not in the"
                    + " authorized list. Visit " + endpoint() + "/" + repo.id + " to ask for access.");
        }
        return true;
    }

    private void cdnRoute(HttpExchange ex, Recorded rec) throws IOException {
        String[] parts = ex.getRequestURI().getRawPath().split("/");
        String sha = parts[parts.length - 1];
        String query = ex.getRequestURI().getRawQuery();
        if (query == null || !query.endsWith("Signature=test-" + urlGeneration.get())) {
            error(ex, rec, 403, null, "Request has expired");
            return;
        }
        TestRepo.Blob blob = repos.values().stream().flatMap(r -> r.files.values().stream())
                .filter(b -> b.lfs && b.sha256.equals(sha) && (b.bytes != null || b.file != null)).findFirst().orElse(null);
        if (blob == null) {
            error(ex, rec, 404, null, "NoSuchKey");
            return;
        }
        ex.getResponseHeaders().set("ETag", "\"" + blob.sha256 + "\"");
        serveBlob(ex, rec, blob);
    }

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    private void serveBlob(HttpExchange ex, Recorded rec, TestRepo.Blob blob) throws IOException {
        long start = 0;
        long end = blob.size;  // exclusive
        int status = 200;
        String range = ex.getRequestHeaders().getFirst("Range");
        ex.getResponseHeaders().set("Accept-Ranges", "bytes");
        if (range != null && !ignoreRange) {
            Matcher m = RANGE.matcher(range.trim());
            if (m.matches()) {
                start = Long.parseLong(m.group(1));
                if (!m.group(2).isEmpty()) end = Math.min(blob.size, Long.parseLong(m.group(2)) + 1);
                if (start >= blob.size) {
                    ex.getResponseHeaders().set("Content-Range", "bytes */" + blob.size);
                    rec.status = 416;
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                status = 206;
                ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (end - 1) + "/" + blob.size);
            }
        }
        rec.status = status;
        long length = end - start;
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", String.valueOf(length));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, length == 0 ? -1 : length);
        long drop = blob.takeDrop(start, end);
        long[] stall = blob.takeStall(start, end);
        OutputStream os = ex.getResponseBody();
        long rate = throttleBytesPerSecond;
        byte[] buf = new byte[rate > 0 ? (int) Math.max(1024, Math.min(1 << 20, rate / 20)) : 1 << 20];
        long began = System.nanoTime();
        long sent = 0;
        try (InputStream in = blob.open(start)) {
            long pos = start;
            while (pos < end) {
                long stop = end;
                if (drop >= 0) stop = Math.min(stop, drop);
                if (stall != null && stall[0] >= pos) stop = Math.min(stop, stall[0]);
                if (stop == pos) {
                    os.flush();
                    if (drop == pos) {
                        if (expireUrlsOnDrop) urlGeneration.incrementAndGet();
                        throw new DropConnection();
                    }
                    sleep(stall[1]);
                    stall = null;
                    continue;
                }
                int n = in.read(buf, 0, (int) Math.min(buf.length, stop - pos));
                if (n < 0) break;
                os.write(buf, 0, n);
                pos += n;
                sent += n;
                rec.bytesSent.addAndGet(n);
                if (rate > 0) {
                    os.flush();
                    long due = began + sent * 1_000_000_000L / rate;
                    long wait = due - System.nanoTime();
                    if (wait > 0) sleep(wait / 1_000_000);
                }
            }
        }
    }

    // ---- helpers ----

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void json(HttpExchange ex, Recorded rec, String body, String link) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        if (link != null) ex.getResponseHeaders().set("Link", link);
        rec.status = 200;
        ex.sendResponseHeaders(200, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static void error(HttpExchange ex, Recorded rec, int status, String code, String message) throws IOException {
        if (code != null) ex.getResponseHeaders().set("X-Error-Code", code);
        ex.getResponseHeaders().set("X-Error-Message", message);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        byte[] bytes = JSON.createObjectNode().put("error", message).toString().getBytes(StandardCharsets.UTF_8);
        rec.status = status;
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static String bearer(HttpExchange ex) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        return auth != null && auth.startsWith("Bearer ") ? auth.substring(7).trim() : null;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String decodePath(String raw) {
        return String.join("/", Arrays.stream(raw.split("/")).map(TestHub::decode).toList());
    }
}
