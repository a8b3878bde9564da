package org.mambaplayground.app;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.remote.EndpointStore;
import org.mambaplayground.remote.RemoteBackend;
import org.mambaplayground.remote.RemoteClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code chat}: an interactive terminal conversation with a model folder, like {@code mistral-chat}, or with a model
 * behind a remote endpoint ({@code --endpoint}); both go through the same loop on the backend seam.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Chat with a model in the terminal; answers stream as they are generated. "
                + "Type /reset to start over and /quit to leave.")
public final class ChatCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model folder (params.json, consolidated.safetensors, tokenizer), "
            + "or a built-in demo model: codestral-mamba-demo, mistral-nemo-demo; with --endpoint, the model id the endpoint serves.")
    String model;

    @Option(names = "--instruct", description = "Use the model's chat format (instruct models); otherwise continue plain text. "
            + "Remote models always chat (/v1/chat/completions, the server applies the format).")
    boolean instruct;

    @Option(names = "--max-tokens", defaultValue = "512", paramLabel = "N", description = "Longest answer in tokens (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0.7", paramLabel = "T", description = "0 is greedy (default ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-p", defaultValue = "1.0", paramLabel = "P", description = "Nucleus sampling cut, in (0, 1] (default ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--seed", paramLabel = "N", description = "Seed for reproducible sampling.")
    Long seed;

    @Option(names = "--system", paramLabel = "TEXT", description = "A system prompt that starts every conversation.")
    String system;

    @Mixin
    WeightOptions weights = new WeightOptions();

    @Mixin
    RemoteOptions remote = new RemoteOptions();

    /** Where --api-key-env is looked up (tests give their own). */
    Function<String, String> environment = System::getenv;

    /** Saved endpoints, for --endpoint NAME. */
    EndpointStore endpoints = new EndpointStore(EndpointStore.defaultDir());

    private final boolean interactive;
    private final BufferedReader in;
    private final PrintStream out;
    private final PrintStream status;

    public ChatCommand() {
        this(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), System.out, System.err, true);
    }

    ChatCommand(BufferedReader in, PrintStream out, PrintStream status) { this(in, out, status, false); }

    private ChatCommand(BufferedReader in, PrintStream out, PrintStream status, boolean interactive) {
        this.interactive = interactive;
        this.in = in;
        this.out = out;
        this.status = status;
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (maxTokens < 1) throw new ParameterException(spec.commandLine(), "--max-tokens must be >= 1, got " + maxTokens);
        if (!(temperature >= 0 && temperature <= 2)) throw new ParameterException(spec.commandLine(), "--temperature must be in [0, 2], got " + temperature);
        if (!(topP > 0 && topP <= 1)) throw new ParameterException(spec.commandLine(), "--top-p must be in (0, 1], got " + topP);
        if (remote.remote()) return chatRemote();
        WeightOptions.Formats formats = weights.parse(spec.commandLine());
        LoadedModel loaded;
        try {
            loaded = ModelFolders.open(Path.of(model), status, formats.precision(), formats.kv());
        } catch (RuntimeException e) {
            status.println("Cannot open the model: " + e.getMessage());
            return 1;
        }
        try (loaded) {
            run(new ChatRepl(loaded, instruct, system, temperature, topP, maxTokens, seed, out, status));
        }
        return 0;
    }

    /** The same loop against a remote endpoint: the whole history goes with every message, timed at this end. */
    private int chatRemote() throws Exception {
        try (RemoteClient client = remote.open(spec.commandLine(), environment, endpoints)) {
            status.println("Remote endpoint " + client.endpoint().label() + " (" + client.endpoint().kind().label() + ")"
                    + (client.hasKey() ? ", with an API key" : ""));
            run(new ChatRepl(new RemoteBackend(client, model), true, system, temperature, topP, maxTokens, seed, out, status));
        }
        return 0;
    }

    private void run(ChatRepl repl) throws java.io.IOException {
        if (interactive) {
            Interrupts.onCtrlC(() -> {
                if (!repl.cancelAnswer()) System.exit(130); // no answer running: Ctrl+C quits as usual
            });
        }
        repl.run(in);
    }
}
