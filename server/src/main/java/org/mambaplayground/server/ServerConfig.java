package org.mambaplayground.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Settings of the API server. {@link #resolve} reads them under the names the Codestral Mamba server's
 * users already have in their {@code .env}: MODEL_PATH, MAX_TOKENS, TEMPERATURE, DTYPE, HOST, PORT,
 * API_KEY (plus CONTEXT_LIMIT, CORS_ORIGINS and SERVED_MODEL_NAME, lists separated by commas or spaces). Flags win over the environment, which wins over the {@code .env} file.
 *
 * @param maxTokens    completion length when a request names none
 * @param temperature  temperature when a request names none
 * @param dtype        DTYPE as given; checked, but the engine always computes in float32 and reads the
 *                     weights in their stored dtype, so it changes nothing
 * @param apiKey       null: no key needed; otherwise requests must send {@code Authorization: Bearer KEY}
 * @param contextLimit most tokens (prompt + completion) one request may use, besides the model's own limit
 * @param corsOrigins  browser origins allowed besides the local ones (localhost, 127.0.0.1, [::1] on any
 *                     port), such as {@code https://app.example.com}; {@code *} allows every origin
 * @param servedModelNames the ids clients use for the model (the first names it in answers); empty: the
 *                     model folder's name, as vLLM's {@code --served-model-name}
 * @param headerTimeoutMillis a connection that has not sent a request's headers this long after it began
 *                     is closed (slow or stuck clients cannot hold connections)
 */
public record ServerConfig(Path modelPath, String host, int port, String apiKey, int maxTokens, float temperature,
                           String dtype, int contextLimit, int maxBodyBytes, int queueCapacity,
                           List<String> corsOrigins, List<String> servedModelNames, int headerTimeoutMillis) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8000;
    public static final Set<String> DTYPES = Set.of("bfloat16", "bf16", "float16", "fp16", "half", "float32", "fp32", "float");

    public ServerConfig {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("HOST must not be empty");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("PORT must be in 0..65535, got " + port);
        if (maxTokens < 1) throw new IllegalArgumentException("MAX_TOKENS must be >= 1, got " + maxTokens);
        if (!(temperature >= 0f && temperature <= 2f)) throw new IllegalArgumentException("TEMPERATURE must be in [0, 2], got " + temperature);
        if (!DTYPES.contains(dtype.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("DTYPE must be one of bfloat16, float16, float32, got '" + dtype + "'");
        }
        if (contextLimit < 2) throw new IllegalArgumentException("CONTEXT_LIMIT must be >= 2, got " + contextLimit);
        if (maxBodyBytes < 1024) throw new IllegalArgumentException("request body limit must be >= 1024 bytes, got " + maxBodyBytes);
        if (queueCapacity < 1) throw new IllegalArgumentException("queue capacity must be >= 1, got " + queueCapacity);
        if (apiKey != null && apiKey.isBlank()) apiKey = null;
        corsOrigins = List.copyOf(corsOrigins);
        for (String origin : corsOrigins) {
            if (!origin.equals("*") && !ORIGIN.matcher(origin).matches()) {
                throw new IllegalArgumentException("CORS_ORIGINS must hold origins like https://example.com:8080 or *, got '" + origin + "'");
            }
        }
        servedModelNames = List.copyOf(servedModelNames);
        for (String name : servedModelNames) {
            if (name.isBlank()) throw new IllegalArgumentException("SERVED_MODEL_NAME must not hold an empty name");
        }
        if (headerTimeoutMillis < 1) throw new IllegalArgumentException("header timeout must be >= 1 ms, got " + headerTimeoutMillis);
    }

    /** scheme://host[:port], as a browser sends it in {@code Origin} (no path, no trailing slash). */
    private static final java.util.regex.Pattern ORIGIN = java.util.regex.Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*://[^/\\s]+");

    /** Loopback, port 8000, no key, 256 tokens, temperature 0.7. */
    public static ServerConfig defaults() {
        return new ServerConfig(null, DEFAULT_HOST, DEFAULT_PORT, null, 256, 0.7f, "bfloat16", 32768, 8 << 20, 64,
                List.of(), List.of(), 10_000);
    }

    public ServerConfig withHost(String h) { return new ServerConfig(modelPath, h, port, apiKey, maxTokens, temperature, dtype, contextLimit, maxBodyBytes, queueCapacity, corsOrigins, servedModelNames, headerTimeoutMillis); }
    public ServerConfig withPort(int p) { return new ServerConfig(modelPath, host, p, apiKey, maxTokens, temperature, dtype, contextLimit, maxBodyBytes, queueCapacity, corsOrigins, servedModelNames, headerTimeoutMillis); }
    public ServerConfig withApiKey(String k) { return new ServerConfig(modelPath, host, port, k, maxTokens, temperature, dtype, contextLimit, maxBodyBytes, queueCapacity, corsOrigins, servedModelNames, headerTimeoutMillis); }
    public ServerConfig withMaxTokens(int m) { return new ServerConfig(modelPath, host, port, apiKey, m, temperature, dtype, contextLimit, maxBodyBytes, queueCapacity, corsOrigins, servedModelNames, headerTimeoutMillis); }
    public ServerConfig withTemperature(float t) { return new ServerConfig(modelPath, host, port, apiKey, maxTokens, t, dtype, contextLimit, maxBodyBytes, queueCapacity, corsOrigins, servedModelNames, headerTimeoutMillis); }
    public ServerConfig withContextLimit(int c) { return new ServerConfig(modelPath, host, port, apiKey, maxTokens, temperature, dtype, c, maxBodyBytes, queueCapacity, corsOrigins, servedModelNames, headerTimeoutMillis); }
    public ServerConfig withQueueCapacity(int q) { return new ServerConfig(modelPath, host, port, apiKey, maxTokens, temperature, dtype, contextLimit, maxBodyBytes, q, corsOrigins, servedModelNames, headerTimeoutMillis); }
    public ServerConfig withCorsOrigins(List<String> o) { return new ServerConfig(modelPath, host, port, apiKey, maxTokens, temperature, dtype, contextLimit, maxBodyBytes, queueCapacity, o, servedModelNames, headerTimeoutMillis); }
    public ServerConfig withServedModelNames(List<String> n) { return new ServerConfig(modelPath, host, port, apiKey, maxTokens, temperature, dtype, contextLimit, maxBodyBytes, queueCapacity, corsOrigins, n, headerTimeoutMillis); }
    public ServerConfig withHeaderTimeoutMillis(int t) { return new ServerConfig(modelPath, host, port, apiKey, maxTokens, temperature, dtype, contextLimit, maxBodyBytes, queueCapacity, corsOrigins, servedModelNames, t); }
    public ServerConfig withModelPath(Path m) { return new ServerConfig(m, host, port, apiKey, maxTokens, temperature, dtype, contextLimit, maxBodyBytes, queueCapacity, corsOrigins, servedModelNames, headerTimeoutMillis); }

    /**
     * The configuration from, in order of precedence, {@code flags} (keyed by the variable names above),
     * the {@code environment}, and {@code envFile} (skipped when null or absent). A bad value fails with
     * a message naming the key and where it came from.
     */
    public static ServerConfig resolve(Map<String, String> flags, Map<String, String> environment, Path envFile) {
        Map<String, String> merged = new LinkedHashMap<>();
        Map<String, String> origin = new LinkedHashMap<>();
        if (envFile != null && Files.isRegularFile(envFile)) put(merged, origin, DotEnv.read(envFile, environment == null ? Map.of() : environment), envFile.toString());
        put(merged, origin, environment, "the environment");
        put(merged, origin, flags, "the command line");

        ServerConfig c = defaults();
        String modelPath = merged.get("MODEL_PATH");
        Path model = modelPath == null || modelPath.isBlank() ? null : Path.of(expandHome(modelPath));
        String host = merged.getOrDefault("HOST", c.host());
        int port = integer(merged, origin, "PORT", c.port());
        String apiKey = merged.get("API_KEY");
        int maxTokens = integer(merged, origin, "MAX_TOKENS", c.maxTokens());
        float temperature = decimal(merged, origin, "TEMPERATURE", c.temperature());
        String dtype = merged.getOrDefault("DTYPE", c.dtype());
        int contextLimit = integer(merged, origin, "CONTEXT_LIMIT", c.contextLimit());
        List<String> corsOrigins = list(merged.get("CORS_ORIGINS"));
        List<String> servedNames = list(merged.get("SERVED_MODEL_NAME"));
        try {
            return new ServerConfig(model, host, port, apiKey, maxTokens, temperature, dtype, contextLimit,
                    c.maxBodyBytes(), c.queueCapacity(), corsOrigins, servedNames, c.headerTimeoutMillis());
        } catch (IllegalArgumentException e) {
            String key = e.getMessage().split(" ", 2)[0];
            String from = origin.get(key);
            throw new IllegalArgumentException(from == null ? e.getMessage() : e.getMessage() + " (from " + from + ")", e);
        }
    }

    private static void put(Map<String, String> merged, Map<String, String> origin, Map<String, String> values, String source) {
        if (values == null) return;
        for (var e : values.entrySet()) {
            if (e.getValue() == null) continue;
            merged.put(e.getKey(), e.getValue());
            origin.put(e.getKey(), source);
        }
    }

    private static int integer(Map<String, String> values, Map<String, String> origin, String key, int fallback) {
        String v = values.get(key);
        if (v == null || v.isBlank()) return fallback;
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got '" + v + "' (from " + origin.get(key) + ")");
        }
    }

    private static float decimal(Map<String, String> values, Map<String, String> origin, String key, float fallback) {
        String v = values.get(key);
        if (v == null || v.isBlank()) return fallback;
        try {
            return Float.parseFloat(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, got '" + v + "' (from " + origin.get(key) + ")");
        }
    }

    /** A list setting: entries separated by commas or whitespace ("a,b", "a b"). */
    private static List<String> list(String value) {
        if (value == null || value.isBlank()) return List.of();
        return java.util.Arrays.stream(value.strip().split("[,\\s]+")).filter(v -> !v.isEmpty()).toList();
    }

    private static String expandHome(String path) {
        return path.startsWith("~/") ? System.getProperty("user.home") + path.substring(1) : path;
    }
}
