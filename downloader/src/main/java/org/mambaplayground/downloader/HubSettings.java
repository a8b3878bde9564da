package org.mambaplayground.downloader;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Where the hub is and how to talk to it, read from the environment the way huggingface_hub reads it:
 * HF_ENDPOINT, HF_TOKEN (then HUGGING_FACE_HUB_TOKEN, then the token file under HF_HOME), HF_HOME,
 * HF_HUB_CACHE, HF_HUB_OFFLINE. Explicit builder values win over the environment.
 */
record HubSettings(
        String endpoint,
        String token,
        Path tokenFile,
        Path hfHome,
        Path hubCache,
        boolean offline,
        Duration connectTimeout,
        Duration stallTimeout,
        RetryPolicy retry,
        int parallelFiles,
        Duration progressInterval,
        String userAgent,
        boolean hashWhileDownloading,
        String giveToken) {

    static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    static Path hfHome(Map<String, String> env) {
        String home = env.get("HF_HOME");
        if (notBlank(home)) return expandHome(home);
        String xdg = env.get("XDG_CACHE_HOME");
        Path cache = notBlank(xdg) ? expandHome(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("huggingface");
    }

    static Path hubCache(Map<String, String> env, Path hfHome) {
        String cache = env.get("HF_HUB_CACHE");
        if (!notBlank(cache)) cache = env.get("HUGGINGFACE_HUB_CACHE");
        return notBlank(cache) ? expandHome(cache) : hfHome.resolve("hub");
    }

    static String endpoint(Map<String, String> env) {
        String e = env.get("HF_ENDPOINT");
        e = notBlank(e) ? e.trim() : DEFAULT_ENDPOINT;
        while (e.endsWith("/")) e = e.substring(0, e.length() - 1);
        return e;
    }

    /** HF_TOKEN, HUGGING_FACE_HUB_TOKEN, then $HF_TOKEN_PATH or $HF_HOME/token; null when none. */
    static String token(Map<String, String> env, Path hfHome) {
        for (String name : new String[] {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"}) {
            String t = clean(env.get(name));
            if (t != null) return t;
        }
        return TokenFile.read(TokenFile.location(env, hfHome));
    }

    static boolean offline(Map<String, String> env) {
        return truthy(env.get("HF_HUB_OFFLINE")) || truthy(env.get("TRANSFORMERS_OFFLINE"));
    }

    static boolean truthy(String v) {
        if (v == null) return false;
        return switch (v.trim().toUpperCase(Locale.ROOT)) {
            case "1", "ON", "YES", "TRUE" -> true;
            default -> false;
        };
    }

    static String clean(String token) {
        if (token == null) return null;
        String t = token.replaceAll("\\s", "");
        return t.isEmpty() ? null : t;
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    static Path expandHome(String p) {
        String s = p.trim();
        if (s.equals("~") || s.startsWith("~/")) s = System.getProperty("user.home") + s.substring(1);
        return Path.of(s);
    }
}
