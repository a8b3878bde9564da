package org.mambaplayground.gui.library;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * GGUF files other applications already downloaded, where they keep them: LM Studio's models folder, Ollama's
 * blobs (named by digest; its manifests say which blob is a model's weights), and the Hugging Face cache's
 * snapshots. Only folders that exist are read; nothing is copied or changed.
 */
public final class GgufFinder {
    /** Ollama's media type of a model's weights layer (a GGUF file). */
    static final String OLLAMA_MODEL_LAYER = "application/vnd.ollama.image.model";
    private static final int MAX_DEPTH = 6;
    private final List<Path> lmStudio;
    private final Path ollama;
    private final Path hfHub;

    /** A GGUF file found: where, and the name a user knows it by. */
    public record Found(Path file, String name, String source) {}

    public GgufFinder(List<Path> lmStudio, Path ollama, Path hfHub) {
        this.lmStudio = List.copyOf(lmStudio);
        this.ollama = ollama;
        this.hfHub = hfHub;
    }

    /** The usual places under {@code home}, with OLLAMA_MODELS, HF_HUB_CACHE and HF_HOME honoured as those apps do. */
    public static GgufFinder of(Path home, Map<String, String> env) {
        Path ollama = env.containsKey("OLLAMA_MODELS") ? Path.of(env.get("OLLAMA_MODELS")) : home.resolve(".ollama/models");
        Path hub = env.containsKey("HF_HUB_CACHE") ? Path.of(env.get("HF_HUB_CACHE"))
                : (env.containsKey("HF_HOME") ? Path.of(env.get("HF_HOME")) : home.resolve(".cache/huggingface")).resolve("hub");
        return new GgufFinder(List.of(home.resolve(".lmstudio/models"), home.resolve(".cache/lm-studio/models")), ollama, hub);
    }

    public static GgufFinder ofEnvironment() { return of(Path.of(System.getProperty("user.home")), System.getenv()); }

    public List<Found> find() {
        List<Found> found = new ArrayList<>();
        for (Path root : lmStudio) {
            for (Path f : ggufFiles(root)) found.add(new Found(f, stem(f), "LM Studio: " + root.relativize(f)));
        }
        for (Path f : ggufFiles(hfHub)) {
            if (f.toString().contains("/snapshots/")) found.add(new Found(f, stem(f), "Hugging Face cache: " + repoOf(f)));
        }
        found.addAll(ollamaModels());
        return found;
    }

    /** Ollama: manifests/REGISTRY/NAMESPACE/MODEL/TAG, JSON whose model layer's digest names blobs/sha256-HEX. */
    private List<Found> ollamaModels() {
        Path manifests = ollama.resolve("manifests");
        List<Found> found = new ArrayList<>();
        if (!Files.isDirectory(manifests)) return found;
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.walk(manifests, MAX_DEPTH)) {
            for (Path manifest : files.filter(Files::isRegularFile).sorted().toList()) {
                try {
                    JsonNode layers = json.readTree(manifest.toFile()).path("layers");
                    for (JsonNode layer : layers) {
                        if (!OLLAMA_MODEL_LAYER.equals(layer.path("mediaType").asText())) continue;
                        String digest = layer.path("digest").asText();
                        if (!digest.matches("sha256:[0-9a-f]{64}")) continue;
                        Path blob = ollama.resolve("blobs").resolve(digest.replace(':', '-'));
                        Path rel = manifests.relativize(manifest);
                        int n = rel.getNameCount();
                        String name = n >= 2 ? rel.getName(n - 2) + ":" + rel.getName(n - 1) : rel.toString();
                        if (Files.isRegularFile(blob)) found.add(new Found(blob, name, "Ollama: " + name));
                    }
                } catch (IOException | RuntimeException e) {
                    // not a manifest we understand: skip it, as Ollama's other files
                }
            }
        } catch (IOException e) {
            return found;
        }
        return found;
    }

    /** The GGUF files under {@code root} (a split model by its first part). */
    static List<Path> ggufFiles(Path root) {
        if (root == null || !Files.isDirectory(root)) return List.of();
        try (Stream<Path> files = Files.walk(root, MAX_DEPTH)) {
            return files.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gguf"))
                    .filter(f -> Files.isRegularFile(f)) // the hub cache's snapshots are links to blobs
                    .filter(f -> !f.getFileName().toString().matches("(?i).*-0000[2-9]-of-\\d{5}\\.gguf|.*-000[1-9]\\d-of-\\d{5}\\.gguf"))
                    .sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    static String stem(Path f) {
        String n = f.getFileName().toString();
        return n.substring(0, n.length() - ".gguf".length());
    }

    /** "bartowski/Mistral-Nemo-Instruct-2407-GGUF" from .../models--bartowski--Mistral-Nemo-Instruct-2407-GGUF/snapshots/... */
    private static String repoOf(Path f) {
        for (Path p = f; p != null; p = p.getParent()) {
            String n = p.getFileName() == null ? "" : p.getFileName().toString();
            if (n.startsWith("models--")) return n.substring("models--".length()).replace("--", "/");
        }
        return f.toString();
    }
}
