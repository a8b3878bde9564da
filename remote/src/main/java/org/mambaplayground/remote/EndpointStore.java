package org.mambaplayground.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The saved endpoints: {@code endpoints.json} under the app's config folder (names, URLs, kinds, model ids,
 * never a key), and each endpoint's API key alone in {@code keys/<name>.key}, created with mode 0600 in a
 * folder of mode 0700. An endpoint may instead name an environment variable that holds its key.
 */
public final class EndpointStore {
    static final String FILE = "endpoints.json";
    static final String KEYS = "keys";
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    private final Path dir;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public EndpointStore(Path dir) { this.dir = dir; }

    /** {@code $XDG_CONFIG_HOME/mamba-playground}, else {@code ~/.config/mamba-playground} (where the GUI keeps its settings). */
    public static Path defaultDir() {
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path config = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return config.resolve("mamba-playground");
    }

    public Path file() { return dir.resolve(FILE); }

    /** The endpoints in the order they were added; none when the file does not exist yet. */
    public synchronized List<Endpoint> list() {
        Path file = file();
        if (!Files.exists(file)) return List.of();
        JsonNode root;
        try {
            root = json.readTree(Files.readString(file));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        JsonNode list = root == null ? null : root.get("endpoints");
        if (list == null || !list.isArray()) throw new IllegalStateException(file + " has no 'endpoints' list");
        List<Endpoint> endpoints = new ArrayList<>();
        int i = 0;
        for (JsonNode e : list) {
            try {
                List<String> models = new ArrayList<>();
                e.path("models").forEach(m -> models.add(m.asText()));
                String env = e.path("apiKeyEnv").isTextual() ? e.get("apiKeyEnv").asText() : null;
                endpoints.add(new Endpoint(e.path("name").asText(""), e.path("baseUrl").asText(""),
                        EndpointKind.parse(e.path("kind").asText("openai-compatible")), models, env));
            } catch (IllegalArgumentException bad) {
                throw new IllegalStateException(file + ", endpoints[" + i + "]: " + bad.getMessage(), bad);
            }
            i++;
        }
        return endpoints;
    }

    public Optional<Endpoint> find(String name) {
        return list().stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** Adds the endpoint, or replaces the one of the same name. */
    public synchronized void save(Endpoint endpoint) {
        List<Endpoint> endpoints = new ArrayList<>(list());
        endpoints.removeIf(e -> e.name().equals(endpoint.name()));
        endpoints.add(endpoint);
        write(endpoints);
    }

    /** Removes the endpoint and its key file. */
    public synchronized void remove(String name) {
        List<Endpoint> endpoints = new ArrayList<>(list());
        if (endpoints.removeIf(e -> e.name().equals(name))) write(endpoints);
        try {
            Files.deleteIfExists(keyFile(name));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete the key file " + keyFile(name) + ": " + e.getMessage(), e);
        }
    }

    /** Stores the endpoint's key (mode 0600); a blank one deletes it. */
    public synchronized void saveKey(String name, String key) {
        Path file = keyFile(name);
        try {
            if (ApiKey.of(key) == null) {
                Files.deleteIfExists(file);
                return;
            }
            Path keys = createPrivateDir(dir.resolve(KEYS));
            Path partial = keys.resolve(file.getFileName() + ".partial");
            Files.deleteIfExists(partial);
            if (posix(keys)) Files.createFile(partial, PosixFilePermissions.asFileAttribute(OWNER_FILE));
            else Files.createFile(partial);
            Files.writeString(partial, ApiKey.of(key).reveal(), StandardCharsets.UTF_8);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the key file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The endpoint's key: from its environment variable when it names one (null when unset), else from its key
     * file (null when none).
     */
    public ApiKey key(Endpoint endpoint) {
        if (endpoint.apiKeyEnv() != null) return ApiKey.fromEnvironment(endpoint.apiKeyEnv());
        Path file = keyFile(endpoint.name());
        if (!Files.exists(file)) return null;
        try {
            return ApiKey.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the key file " + file + ": " + e.getMessage(), e);
        }
    }

    /** A client for the saved endpoint with its key. */
    public RemoteClient client(Endpoint endpoint) { return new RemoteClient(endpoint, key(endpoint)); }

    /** {@code keys/<name>.key}: the name made file-safe, plus a short hash so two names never share a file. */
    Path keyFile(String name) {
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        if (safe.length() > 40) safe = safe.substring(0, 40);
        String hash = HexFormat.of().formatHex(sha256(name), 0, 4);
        return dir.resolve(KEYS).resolve(safe + "-" + hash + ".key");
    }

    private void write(List<Endpoint> endpoints) {
        ObjectNode root = json.createObjectNode();
        ArrayNode list = root.putArray("endpoints");
        for (Endpoint e : endpoints) {
            ObjectNode o = list.addObject();
            o.put("name", e.name());
            o.put("baseUrl", e.baseUrl());
            o.put("kind", e.kind().name());
            ArrayNode models = o.putArray("models");
            e.models().forEach(models::add);
            if (e.apiKeyEnv() != null) o.put("apiKeyEnv", e.apiKeyEnv());
        }
        Path file = file();
        try {
            Files.createDirectories(dir);
            Path partial = dir.resolve(FILE + ".partial");
            Files.writeString(partial, json.writeValueAsString(root), StandardCharsets.UTF_8);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static Path createPrivateDir(Path keys) throws IOException {
        Files.createDirectories(keys.getParent());
        try {
            if (posix(keys.getParent())) Files.createDirectory(keys, PosixFilePermissions.asFileAttribute(OWNER_DIR));
            else Files.createDirectory(keys);
        } catch (FileAlreadyExistsException exists) {
            if (posix(keys)) Files.setPosixFilePermissions(keys, OWNER_DIR);
        }
        return keys;
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static byte[] sha256(String text) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
