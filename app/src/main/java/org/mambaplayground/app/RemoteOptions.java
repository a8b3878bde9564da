package org.mambaplayground.app;

import java.util.Locale;
import java.util.function.Function;
import org.mambaplayground.remote.ApiKey;
import org.mambaplayground.remote.Endpoint;
import org.mambaplayground.remote.EndpointKind;
import org.mambaplayground.remote.EndpointStore;
import org.mambaplayground.remote.RemoteClient;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code --endpoint}, {@code --api-key-env} and {@code --kind}: a remote model source for {@code chat} and {@code bench}. */
final class RemoteOptions {
    @Option(names = "--endpoint", paramLabel = "URL",
            description = "Use a remote OpenAI-compatible server (vLLM, llama.cpp server, Ollama, LM Studio, another playground's serve) "
                    + "or Mistral's API instead of a local model, e.g. http://gpu-box:8000/v1 or https://api.mistral.ai/v1; "
                    + "or the name of an endpoint saved in the Library. --model is then the model id the endpoint serves.")
    String endpoint;

    @Option(names = "--api-key-env", paramLabel = "VAR",
            description = "The environment variable holding the endpoint's API key (e.g. MISTRAL_API_KEY); the key is sent to that host only.")
    String apiKeyEnv;

    @Option(names = "--kind", paramLabel = "KIND",
            description = "The server: openai-compatible, vllm, llama-cpp, ollama, lm-studio, mamba-playground or mistral "
                    + "(default: mistral for api.mistral.ai, else openai-compatible).")
    String kind;

    boolean remote() { return endpoint != null; }

    /** A client for the endpoint given, its key read from the named variable (or a saved endpoint's own key). */
    RemoteClient open(CommandLine cli, Function<String, String> environment, EndpointStore store) {
        Endpoint saved = endpoint.contains("://") ? null : store.find(endpoint).orElse(null);
        Endpoint target;
        try {
            if (saved != null) {
                target = kind == null ? saved : new Endpoint(saved.name(), saved.baseUrl(), EndpointKind.parse(kind), saved.models(), saved.apiKeyEnv());
            } else {
                String url = Endpoint.normalizeBaseUrl(endpoint);
                EndpointKind k = kind != null ? EndpointKind.parse(kind)
                        : url.toLowerCase(Locale.ROOT).startsWith("https://api.mistral.ai/") ? EndpointKind.MISTRAL : EndpointKind.OPENAI_COMPATIBLE;
                target = Endpoint.of(url, k);
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cli, "--endpoint: " + e.getMessage());
        }
        ApiKey key;
        if (apiKeyEnv != null) {
            String value = environment.apply(apiKeyEnv);
            if (value == null || value.isBlank()) {
                throw new ParameterException(cli, "--api-key-env " + apiKeyEnv + ": that environment variable is not set");
            }
            try {
                key = ApiKey.of(value);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cli, "--api-key-env " + apiKeyEnv + ": " + e.getMessage());
            }
        } else {
            key = saved == null ? null : store.key(saved);
        }
        return new RemoteClient(target, key);
    }
}
