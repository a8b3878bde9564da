package org.mambaplayground.downloader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import okhttp3.HttpUrl;
import org.mambaplayground.downloader.HubException.Kind;

/**
 * Lists a repository: the revision API resolves a branch or tag to a commit, the tree API lists the files
 * (following Link rel="next" pages). Listings are kept in the Hugging Face cache layout
 * (refs/{revision}, trees/{commit}.json) so offline mode can answer, and a cache filled by Python is reused.
 */
final class Listings {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

    private final HubHttp http;
    private final Path hubCache;

    Listings(HubHttp http, Path hubCache) {
        this.http = http;
        this.hubCache = hubCache;
    }

    RepoListing online(String repoId, String revision, Control control) throws HubException {
        String commit = revision;
        String gated = null;
        if (!RepoIds.isCommit(revision)) {
            HttpUrl url = http.endpoint.newBuilder().addPathSegment("api").addPathSegment("models")
                    .addPathSegments(repoId).addPathSegment("revision").addPathSegment(revision).build();
            JsonNode info = getJson(url, control, repoId, "repository " + repoId + " at revision " + revision);
            commit = info.path("sha").asText("");
            gated = info.path("gated").asText("false");
            if (!RepoIds.isCommit(commit)) {
                throw new HubException(Kind.PROTOCOL, "The hub's answer for " + repoId + "@" + revision + " has no commit sha",
                        "If HF_ENDPOINT points to a mirror or proxy, check it.", url.toString(), null);
            }
        }
        List<RepoFile> files = new ArrayList<>();
        HttpUrl page = http.endpoint.newBuilder().addPathSegment("api").addPathSegment("models")
                .addPathSegments(repoId).addPathSegment("tree").addPathSegment(commit)
                .addQueryParameter("recursive", "true").addQueryParameter("expand", "false").build();
        while (page != null) {
            HttpUrl next;
            try (HubHttp.Exchange ex = http.send(http.get(page).build(), control, HubHttp.Retrying.NONE,
                    "file list of " + repoId + "@" + revision)) {
                checkOk(ex, repoId, "file list of " + repoId + " at " + revision);
                JsonNode entries = JSON.readTree(ex.response().body().byteStream());
                if (!entries.isArray()) throw malformed(repoId, page, "expected a JSON array");
                for (JsonNode e : entries) {
                    if (!"file".equals(e.path("type").asText())) continue;
                    String path = RepoIds.checkPath(repoId, e.path("path").asText(null));
                    long size = e.path("size").asLong(-1);
                    if (size < 0) throw malformed(repoId, page, "file " + path + " has no size");
                    String sha = e.has("lfs") ? RepoIds.sha256OrNull(e.path("lfs").path("oid").asText(null)) : null;
                    files.add(new RepoFile(path, size, e.path("oid").asText(null), sha, e.has("lfs")));
                }
                next = nextPage(ex.response().header("Link"), page);
            } catch (IOException e) {
                if (e instanceof HubException he) throw he;
                throw HubErrors.network(e, page.host(), "file list of " + repoId);
            }
            page = next;
        }
        RepoListing listing = new RepoListing(repoId, revision, commit, gated == null ? "false" : gated, files);
        remember(listing);
        return listing;
    }

    /** The hub's auth-check: returns if the token (or anonymous access) can read the repository's files. */
    void checkAccess(String repoId, Control control) throws HubException {
        HttpUrl url = http.endpoint.newBuilder().addPathSegment("api").addPathSegment("models").addPathSegments(repoId)
                .addPathSegment("auth-check").build();
        String what = "repository " + repoId + " (access check)";
        try (HubHttp.Exchange ex = http.send(http.get(url).build(), control, HubHttp.Retrying.NONE, what)) {
            checkOk(ex, repoId, what);
        }
    }

    private JsonNode getJson(HttpUrl url, Control control, String repoId, String what) throws HubException {
        try (HubHttp.Exchange ex = http.send(http.get(url).build(), control, HubHttp.Retrying.NONE, what)) {
            checkOk(ex, repoId, what);
            return JSON.readTree(ex.response().body().byteStream());
        } catch (IOException e) {
            if (e instanceof HubException he) throw he;
            throw HubErrors.network(e, url.host(), what);
        }
    }

    private void checkOk(HubHttp.Exchange ex, String repoId, String what) throws HubException {
        if (ex.response().code() != 200) {
            throw HubErrors.fromResponse(ex.response(), http.endpoint.toString().replaceAll("/$", ""), repoId,
                    what.startsWith("repository") ? what : "repository " + repoId + " (" + what + ")", http.sendsToken(),
                    http.giveToken);
        }
    }

    private static HttpUrl nextPage(String link, HttpUrl current) {
        if (link == null) return null;
        Matcher m = NEXT_LINK.matcher(link);
        return m.find() ? current.resolve(m.group(1)) : null;
    }

    private static HubException malformed(String repoId, HttpUrl url, String why) {
        return new HubException(Kind.PROTOCOL, "Malformed file list for " + repoId + ": " + why,
                "If HF_ENDPOINT points to a mirror or proxy, check it.", url.toString(), null);
    }

    // ---- the Hugging Face cache: models--owner--name/{refs,trees,snapshots} ----

    private Path repoFolder(String repoId) {
        return hubCache.resolve("models--" + repoId.replace("/", "--"));
    }

    /** Writes refs/{revision} and trees/{commit}.json; a read-only or missing cache is not an error. */
    private void remember(RepoListing listing) {
        Path folder = repoFolder(listing.repoId());
        try {
            if (!listing.revision().equals(listing.commit())) {
                writeAtomically(folder.resolve("refs").resolve(listing.revision()), listing.commit());
            }
            if (listing.files().stream().anyMatch(f -> f.gitOid() == null || (f.lfs() && f.sha256() == null))) return;
            ObjectNode root = JSON.createObjectNode();
            root.put("format_version", 1);
            ObjectNode files = root.putObject("files");
            for (RepoFile f : listing.files()) {
                ObjectNode o = files.putObject(f.path());
                o.put("size", f.size());
                o.put("blob_id", f.gitOid());
                if (f.sha256() != null) {
                    o.put("lfs_sha256", f.sha256());
                    o.put("lfs_size", f.size());
                }
            }
            writeAtomically(folder.resolve("trees").resolve(listing.commit() + ".json"), JSON.writeValueAsString(root));
        } catch (IOException | RuntimeException ignored) {
            // The listing is only an offline convenience.
        }
    }

    RepoListing offline(String repoId, String revision) throws HubException {
        Path folder = repoFolder(repoId);
        String commit = revision;
        try {
            if (!RepoIds.isCommit(revision)) {
                Path ref = folder.resolve("refs").resolve(revision);
                if (!Files.isRegularFile(ref)) throw offlineMiss(repoId, revision);
                commit = Files.readString(ref, StandardCharsets.UTF_8).trim();
                if (!RepoIds.isCommit(commit)) throw new IOException(ref + " does not hold a commit hash");
            }
            Path tree = folder.resolve("trees").resolve(commit + ".json");
            if (Files.isRegularFile(tree)) return fromTreeCache(repoId, revision, commit, JSON.readTree(tree.toFile()));
            Path snapshot = folder.resolve("snapshots").resolve(commit);
            if (Files.isDirectory(snapshot)) return fromSnapshot(repoId, revision, commit, snapshot);
        } catch (IOException e) {
            if (e instanceof HubException he) throw he;
            throw new HubException(Kind.OFFLINE, "Offline, and the cached listing of " + repoId + " is unreadable: " + e.getMessage(),
                    "Turn offline mode off (unset HF_HUB_OFFLINE) to list it from the hub.", null, e);
        }
        throw offlineMiss(repoId, revision);
    }

    private RepoListing fromTreeCache(String repoId, String revision, String commit, JsonNode root) throws HubException {
        if (root.path("format_version").asInt() != 1) throw offlineMiss(repoId, revision);
        List<RepoFile> files = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.path("files").properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode f = e.getValue();
            files.add(new RepoFile(RepoIds.checkPath(repoId, e.getKey()), f.path("size").asLong(),
                    f.path("blob_id").asText(null), RepoIds.sha256OrNull(f.path("lfs_sha256").asText(null)),
                    f.has("lfs_sha256")));
        }
        return new RepoListing(repoId, revision, commit, "false", files);
    }

    /** A snapshot written by huggingface_hub before tree caches existed: names of the blobs are the etags. */
    private RepoListing fromSnapshot(String repoId, String revision, String commit, Path snapshot) throws IOException {
        List<RepoFile> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(snapshot)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                String rel = snapshot.relativize(p).toString().replace('\\', '/');
                String blob = Files.isSymbolicLink(p) ? Files.readSymbolicLink(p).getFileName().toString() : null;
                String sha = RepoIds.sha256OrNull(blob);
                String oid = blob != null && blob.matches("[0-9a-f]{40}") ? blob : null;
                files.add(new RepoFile(RepoIds.checkPath(repoId, rel), Files.size(p), oid, sha, sha != null));
            }
        }
        return new RepoListing(repoId, revision, commit, "false", files);
    }

    /** Where huggingface_hub's cache keeps this file at this commit, if it is there. */
    Path cachedCopy(String repoId, String commit, RepoFile file) {
        Path p = repoFolder(repoId).resolve("snapshots").resolve(commit).resolve(file.path());
        return Files.isRegularFile(p) ? p : null;
    }

    private static HubException offlineMiss(String repoId, String revision) {
        return new HubException(Kind.OFFLINE, "Offline mode is on and no listing of " + repoId + "@" + revision + " is cached",
                "Turn offline mode off (unset HF_HUB_OFFLINE) to list it from the hub once.");
    }

    static void writeAtomically(Path target, String content) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
