package org.mambaplayground.remote;

import java.util.List;
import okhttp3.HttpUrl;

/**
 * A remote model source as the user saved it. The API key is not part of it: the {@link EndpointStore} keeps
 * it in a file of its own (mode 0600), or {@code apiKeyEnv} names the environment variable that holds it.
 *
 * @param name      what the Library shows; unique in the store
 * @param baseUrl   the OpenAI-style base URL, ending in {@code /v1} unless the server uses another prefix
 * @param kind      the server's preset
 * @param models    model ids the endpoint listed (or the user typed), for the Library
 * @param apiKeyEnv the environment variable holding the key, or null
 */
public record Endpoint(String name, String baseUrl, EndpointKind kind, List<String> models, String apiKeyEnv) {

    public Endpoint {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("An endpoint needs a name");
        name = name.strip();
        baseUrl = normalizeBaseUrl(baseUrl);
        if (kind == null) throw new IllegalArgumentException("Endpoint '" + name + "' needs a kind");
        models = models == null ? List.of() : List.copyOf(models);
        if (apiKeyEnv != null && apiKeyEnv.isBlank()) apiKeyEnv = null;
        if (apiKeyEnv != null && !apiKeyEnv.strip().matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("Endpoint '" + name + "': '" + apiKeyEnv + "' is not an environment variable name");
        }
        if (apiKeyEnv != null) apiKeyEnv = apiKeyEnv.strip();
    }

    /** An unnamed endpoint for a URL given on the command line (its name is the URL). */
    public static Endpoint of(String baseUrl, EndpointKind kind) {
        String url = normalizeBaseUrl(baseUrl);
        return new Endpoint(url, url, kind, List.of(), null);
    }

    public Endpoint withModels(List<String> ids) { return new Endpoint(name, baseUrl, kind, ids, apiKeyEnv); }

    public Endpoint withApiKeyEnv(String variable) { return new Endpoint(name, baseUrl, kind, models, variable); }

    /** How messages name the endpoint: "name (url)", or the URL alone when it is the name. */
    public String label() { return name.equals(baseUrl) ? baseUrl : name + " (" + baseUrl + ")"; }

    /** The URL of {@code path} under the base URL ({@code "chat/completions"}, {@code "models"}). */
    HttpUrl url(String path) {
        return HttpUrl.get(baseUrl + "/" + path);
    }

    /**
     * {@code url} as an http(s) base URL without a trailing slash; a bare host gets {@code /v1} (the prefix every
     * OpenAI-compatible server and Mistral's API use), a URL with another path keeps it.
     */
    public static String normalizeBaseUrl(String url) {
        if (url == null || url.isBlank()) throw new IllegalArgumentException("An endpoint needs a base URL such as http://127.0.0.1:8000/v1");
        String text = url.strip();
        if (!text.contains("://")) text = "http://" + text;
        HttpUrl parsed = HttpUrl.parse(text);
        if (parsed == null) throw new IllegalArgumentException("'" + url + "' is not an http:// or https:// URL");
        if (parsed.username().length() > 0 || parsed.password().length() > 0) {
            throw new IllegalArgumentException("The base URL must not carry a user name or password; give the API key on its own");
        }
        if (parsed.query() != null || parsed.fragment() != null) {
            throw new IllegalArgumentException("The base URL '" + url + "' must not have a query or fragment");
        }
        String base = parsed.toString();
        while (base.endsWith("/")) base = base.substring(0, base.length() - 1);
        if (parsed.encodedPath().equals("/")) base += "/v1";
        return base;
    }
}
