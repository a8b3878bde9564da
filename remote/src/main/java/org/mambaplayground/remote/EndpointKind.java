package org.mambaplayground.remote;

import java.util.Locale;

/**
 * What speaks at an endpoint. The OpenAI-compatible servers share one wire format; the presets differ in
 * their usual address and in two request details: whether the server accepts
 * {@code stream_options: {include_usage: true}} (Mistral's API refuses unknown fields with a 422 and sends
 * {@code usage} in its last chunk anyway) and whether it serves the plain {@code /v1/completions} route.
 */
public enum EndpointKind {
    /** Any server of the OpenAI shape, when which one does not matter. */
    OPENAI_COMPATIBLE("OpenAI-compatible", "http://127.0.0.1:8000/v1", true, true),
    VLLM("vLLM", "http://127.0.0.1:8000/v1", true, true),
    LLAMA_CPP("llama.cpp server", "http://127.0.0.1:8080/v1", true, true),
    OLLAMA("Ollama", "http://127.0.0.1:11434/v1", true, true),
    LM_STUDIO("LM Studio", "http://127.0.0.1:1234/v1", true, true),
    MAMBA_PLAYGROUND("Mamba Playground", "http://127.0.0.1:8000/v1", true, true),
    MISTRAL("Mistral API", "https://api.mistral.ai/v1", false, false);

    private final String label;
    private final String defaultBaseUrl;
    private final boolean streamOptions;
    private final boolean completions;

    EndpointKind(String label, String defaultBaseUrl, boolean streamOptions, boolean completions) {
        this.label = label;
        this.defaultBaseUrl = defaultBaseUrl;
        this.streamOptions = streamOptions;
        this.completions = completions;
    }

    /** The name people know the server by. */
    public String label() { return label; }

    /** Where the server listens unless told otherwise. */
    public String defaultBaseUrl() { return defaultBaseUrl; }

    /** True when requests may carry {@code stream_options.include_usage}. */
    public boolean acceptsStreamOptions() { return streamOptions; }

    /** True when {@code /v1/completions} (a prompt, no chat template) is served. */
    public boolean servesCompletions() { return completions; }

    /** The kind named {@code text}: the enum name or its label, any case, '-' for '_' ("vllm", "llama-cpp", "mistral"). */
    public static EndpointKind parse(String text) {
        String key = text.strip().toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_').replace(".", "_");
        for (EndpointKind kind : values()) {
            if (kind.name().equals(key) || kind.label.equalsIgnoreCase(text.strip())) return kind;
        }
        if (key.equals("OPENAI")) return OPENAI_COMPATIBLE;
        throw new IllegalArgumentException("Unknown endpoint kind '" + text + "': use one of openai-compatible, vllm, llama-cpp, "
                + "ollama, lm-studio, mamba-playground (all OpenAI-compatible) or mistral");
    }
}
