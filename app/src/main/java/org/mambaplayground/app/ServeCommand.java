package org.mambaplayground.app;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.server.ApiServer;
import org.mambaplayground.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code serve}: the OpenAI-compatible API for one model folder. Settings come from these flags, then the
 * environment, then a {@code .env} file (MODEL_PATH, MAX_TOKENS, TEMPERATURE, DTYPE, HOST, PORT, API_KEY,
 * CONTEXT_LIMIT, CORS_ORIGINS, SERVED_MODEL_NAME), read by python-dotenv's rules.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a model over an OpenAI-compatible HTTP API (/v1/models, /v1/completions, "
                + "/v1/engines/completions, /v1/chat/completions). Flags override the environment, which "
                + "overrides the .env file.")
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "DIR", description = "Model folder (or MODEL_PATH).")
    Path model;

    @Option(names = "--host", description = "Address to bind (or HOST; default 127.0.0.1: this machine only).")
    String host;

    @Option(names = "--port", description = "Port (or PORT; default 8000; 0 picks a free one).")
    Integer port;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Require 'Authorization: Bearer KEY' (or API_KEY).")
    String apiKey;

    @Option(names = "--max-tokens", paramLabel = "N", description = "Completion length when a request names none (or MAX_TOKENS; default 256).")
    Integer maxTokens;

    @Option(names = "--temperature", paramLabel = "T", description = "Temperature when a request names none (or TEMPERATURE; default 0.7).")
    Float temperature;

    @Option(names = "--context-limit", paramLabel = "N", description = "Most tokens one request may use (or CONTEXT_LIMIT; default 32768).")
    Integer contextLimit;

    @Option(names = "--cors-origin", paramLabel = "ORIGIN", arity = "1..*",
            description = "Web page origins allowed to call from a browser besides local ones (localhost, 127.0.0.1, [::1]), "
                    + "such as https://app.example.com, or * for all (or CORS_ORIGINS).")
    List<String> corsOrigins;

    @Option(names = "--served-model-name", paramLabel = "NAME", arity = "1..*",
            description = "Model ids clients use, the first named in answers; default the folder's name (or SERVED_MODEL_NAME).")
    List<String> servedModelNames;

    @Option(names = "--env-file", paramLabel = "FILE", defaultValue = ".env", description = "Settings file (default ${DEFAULT-VALUE}, skipped if absent).")
    Path envFile;

    @Mixin
    WeightOptions weights = new WeightOptions();

    @Spec
    CommandSpec spec;

    private final PrintStream out;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Set once serving: what {@link #stop()} runs (Ctrl+C runs the same through a shutdown hook). */
    private volatile Runnable onStop;

    public ServeCommand() { this(System.out); }

    ServeCommand(PrintStream out) { this.out = out; }

    /** Settings from flags, environment and the .env file, by precedence. */
    ServerConfig config(Map<String, String> environment) {
        Map<String, String> flags = new LinkedHashMap<>();
        if (model != null) flags.put("MODEL_PATH", model.toString());
        if (host != null) flags.put("HOST", host);
        if (port != null) flags.put("PORT", port.toString());
        if (apiKey != null) flags.put("API_KEY", apiKey);
        if (maxTokens != null) flags.put("MAX_TOKENS", maxTokens.toString());
        if (temperature != null) flags.put("TEMPERATURE", temperature.toString());
        if (contextLimit != null) flags.put("CONTEXT_LIMIT", contextLimit.toString());
        if (corsOrigins != null) flags.put("CORS_ORIGINS", String.join(",", corsOrigins));
        if (servedModelNames != null) flags.put("SERVED_MODEL_NAME", String.join(",", servedModelNames));
        return ServerConfig.resolve(flags, environment, envFile);
    }

    @Override
    public Integer call() throws Exception {
        ServerConfig config;
        try {
            config = config(System.getenv());
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (config.modelPath() == null) {
            throw new ParameterException(spec.commandLine(),
                    "no model: give --model DIR or set MODEL_PATH (in the environment or " + envFile + ")");
        }
        WeightOptions.Formats formats = weights.parse(spec.commandLine());
        LoadedModel loaded;
        try {
            loaded = ModelFolders.open(config.modelPath(), System.err, formats.precision(), formats.kv());
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("Cannot open the model: " + e.getMessage());
            return 1;
        }
        ApiServer server;
        try {
            server = ApiServer.start(config, loaded);
        } catch (java.io.IOException e) {
            loaded.close();
            spec.commandLine().getErr().println("Cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage());
            return 1;
        }
        Thread hook = new Thread(() -> shutdown(server, loaded), "serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        onStop = () -> {
            Runtime.getRuntime().removeShutdownHook(hook);
            shutdown(server, loaded);
        };
        server.addObserver(r -> out.printf(java.util.Locale.ROOT,
                "%s %s: %d prompt tokens processed in %.0f ms, %d generated at %.1f tokens/s, %s%s%n",
                r.endpoint(), r.id(), r.stats().promptTokens(), r.stats().prefillMillis(), r.stats().generatedTokens(),
                r.stats().tokensPerSecond(), r.stats().finishReason().name().toLowerCase(java.util.Locale.ROOT),
                r.clientDisconnected() ? " (client disconnected)" : ""));
        out.println("Serving " + server.modelName() + " at " + server.address() + "/v1"
                + (config.apiKey() != null ? " (API key required)" : ""));
        if (!config.host().startsWith("127.") && !config.host().equals("localhost") && !config.host().equals("::1")) {
            out.println("Listening on " + config.host() + ": other machines can reach this server"
                    + (config.apiKey() == null ? " (consider --api-key)." : "."));
        }
        out.println("Try: curl " + server.address() + "/v1/chat/completions -H 'Content-Type: application/json' "
                + "-d '{\"model\": \"" + server.modelName() + "\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}'");
        out.println("Press Ctrl+C to stop.");
        stopped.await();
        return 0;
    }

    private void shutdown(ApiServer server, LoadedModel loaded) {
        server.stop();
        loaded.close();
        stopped.countDown();
    }

    /** Stops a running {@link #call()} as Ctrl+C would (tests, embedding). */
    void stop() {
        Runnable r = onStop;
        if (r != null) r.run();
    }
}
