package org.mambaplayground.app;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.function.Function;
import org.mambaplayground.backend.BackendException;
import org.mambaplayground.engine.bench.Benchmark;
import org.mambaplayground.remote.EndpointStore;
import org.mambaplayground.remote.RemoteBackend;
import org.mambaplayground.remote.RemoteBench;
import org.mambaplayground.remote.RemoteClient;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.model.Architecture;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.transformer.MixtureOfExperts;
import org.mambaplayground.engine.transformer.TransformerConfig;
import org.mambaplayground.engine.synthetic.SyntheticConfigs;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench}: prefill and decode speed of a synthetic model (or one on disk) next to the machine's memory
 * bandwidth; with {@code --endpoint}, time to first token and tokens/s of a remote model measured at the client.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Write (or reuse) a synthetic model of the given architecture and size, or take --model, then measure "
                + "prefill tokens/s, decode tokens/s and decode's effective weight bandwidth next to the machine's measured "
                + "memory read bandwidth. With --endpoint URL --model NAME: time to first token and tokens/s of a remote "
                + "server, measured at the client (network included). Ctrl-C stops it.")
public final class BenchCommand implements Callable<Integer> {
    /** What describes the synthetic model, so does not go with --model. */
    private static final List<String> SYNTHETIC_OPTIONS = List.of("--arch", "--config", "--size", "--dtype", "--dir", "--experts", "--sliding-window");

    @Option(names = "--model", paramLabel = "PATH|ID",
            description = "Measure this model instead of a synthetic one: a .gguf file (run as stored), a folder holding one, "
                    + "or a Mistral folder (params.json and consolidated.safetensors); with --endpoint, the model id the endpoint serves.")
    String model;

    @Option(names = "--arch", defaultValue = "mamba2", description = "mamba2 or transformer (default ${DEFAULT-VALUE}).")
    String arch;

    @Option(names = "--config", paramLabel = "NAME",
            description = "A real model's exact configuration instead of --arch/--size: codestral-mamba-7b, mistral-nemo-12b, mistral-7b or mixtral-8x7b.")
    String config;

    @Option(names = "--size", defaultValue = "1GB", description = "Weight size, e.g. 200MB, 1GB, 2GiB (default ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--experts", paramLabel = "E:K",
            description = "A transformer whose feed-forward is a mixture of E experts with K per token, as Mixtral's 8:2 (--size counts all experts).")
    String experts;

    @Option(names = "--sliding-window", paramLabel = "N", description = "A transformer attending to the last N tokens (Mistral 7B v0.1: 4096).")
    Integer slidingWindow;

    @Option(names = "--dtype", defaultValue = "bf16", description = "bf16, f16 or f32 (default ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--precision", paramLabel = "P",
            description = "Weights to run: q8_0, q4_0, q4_k, q5_k or q6_k (a quantized copy of the checkpoint, converted once and cached), "
                    + "or the checkpoint's own --dtype (the default).")
    String precision;

    @Option(names = "--kv", paramLabel = "F", description = "KV cache of transformers: f16 (default), bf16, f32 or q8_0.")
    String kv;

    @Option(names = "--prompt", paramLabel = "N", defaultValue = "128", description = "Prompt tokens of the timed prefill (default ${DEFAULT-VALUE}).")
    int prompt;

    @Option(names = "--decode", paramLabel = "N", defaultValue = "32", description = "Tokens of the timed decode (default ${DEFAULT-VALUE}).")
    int decode;

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "3", description = "Timed runs; the median run is reported, then the best (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--dir", paramLabel = "DIR", description = "Folder for the synthetic model (default: a folder under the temp directory, reused).")
    Path dir;

    @Option(names = "--bandwidth-buffer", paramLabel = "SIZE", defaultValue = "1GiB",
            description = "Buffer of the memory bandwidth probe; keep it far above the CPU caches (default ${DEFAULT-VALUE}).")
    String bandwidthBuffer;

    @Mixin
    RemoteOptions remote = new RemoteOptions();

    @Spec
    CommandSpec spec;

    /** Where --api-key-env is looked up (tests give their own). */
    Function<String, String> environment = System::getenv;

    /** Saved endpoints, for --endpoint NAME. */
    EndpointStore endpoints = new EndpointStore(EndpointStore.defaultDir());

    private final PrintStream out;

    public BenchCommand() { this(System.out); }

    BenchCommand(PrintStream out) { this.out = out; }

    Benchmark.Options options() {
        try {
            Architecture architecture = Benchmark.parseArchitecture(arch);
            long bytes = SyntheticConfigs.parseSize(size);
            WeightFormat type = WeightFormat.named(dtype).filter(WeightFormat::inSafetensors)
                    .orElseThrow(() -> new IllegalArgumentException("--dtype must be bf16, f16 or f32, got \"" + dtype + "\""));
            WeightFormat run = null;
            if (precision != null && !precision.equalsIgnoreCase(type.name())) {
                run = WeightFormat.named(precision).filter(WeightFormat::quantized).orElseThrow(() -> new IllegalArgumentException(
                        "--precision must be q8_0, q4_0, q4_k, q5_k, q6_k or the checkpoint's " + type.name().toLowerCase(Locale.ROOT) + ", got \"" + precision + "\""));
            }
            if (prompt < 1 || decode < 1 || repeats < 1) throw new IllegalArgumentException("--prompt, --decode and --repeats must be at least 1");
            long buffer = SyntheticConfigs.parseSize(bandwidthBuffer);
            ModelSpec real = config == null ? null : switch (config.toLowerCase(Locale.ROOT)) {
                case "codestral-mamba-7b" -> Mamba2Config.codestralMamba7B();
                case "mistral-nemo-12b" -> TransformerConfig.mistralNemo12B();
                case "mistral-7b" -> TransformerConfig.mistral7B();
                case "mixtral-8x7b" -> TransformerConfig.mixtral8x7B();
                default -> throw new IllegalArgumentException("--config must be codestral-mamba-7b, mistral-nemo-12b, mistral-7b or mixtral-8x7b, got \"" + config + "\"");
            };
            String shapeName = null;
            if (experts != null || slidingWindow != null) {
                if (real != null || architecture != Architecture.TRANSFORMER) {
                    throw new IllegalArgumentException("--experts and --sliding-window shape a synthetic transformer: use them with --arch transformer, without --config");
                }
                if (slidingWindow != null && slidingWindow < 1) throw new IllegalArgumentException("--sliding-window must be at least 1, got " + slidingWindow);
                MixtureOfExperts moe = experts == null ? null : parseExperts(experts);
                int window = slidingWindow == null ? 0 : slidingWindow;
                real = SyntheticConfigs.transformerOfSize(bytes, (int) type.bytes(1), moe, window);
                shapeName = "transformer" + (moe == null ? "" : "-moe" + moe.experts() + "x" + moe.expertsPerToken())
                        + (window == 0 ? "" : "-window" + window) + "-" + bytes / 1_000_000 + "MB";
            }
            if (real != null) architecture = real.architecture();
            Path folder = dir != null ? dir : shapeName != null ? Benchmark.defaultFolder(shapeName, type) : real != null
                    ? Benchmark.defaultFolder(config.toLowerCase(Locale.ROOT), type) : Benchmark.defaultFolder(architecture, bytes, type);
            return new Benchmark.Options(architecture, bytes, type, run, folder, prompt, decode, repeats, buffer, real,
                    WeightOptions.parseKv(kv));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** "8:2" (or "8x2"): E experts, K per token. */
    static MixtureOfExperts parseExperts(String value) {
        String[] parts = value.trim().split("[:xX]");
        try {
            if (parts.length == 2) return new MixtureOfExperts(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            // reported below
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--experts " + value + ": " + e.getMessage());
        }
        throw new IllegalArgumentException("--experts must be E:K (experts, experts per token), as 8:2, got \"" + value + "\"");
    }

    @Override
    public Integer call() {
        if (remote.remote() && model == null) {
            throw new ParameterException(spec.commandLine(), "--endpoint needs --model: the model id the endpoint serves");
        }
        CancellationToken cancel = new CancellationToken();
        if (remote.remote()) return onCtrlC(cancel, () -> benchRemote(cancel));
        Benchmark.Options options = options();
        Path local = model == null ? null : Path.of(model);
        if (local != null) {
            for (String option : SYNTHETIC_OPTIONS) {
                if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                    throw new ParameterException(spec.commandLine(), option + " describes a synthetic model; it does not go with --model");
                }
            }
            if (!java.nio.file.Files.exists(local)) throw new ParameterException(spec.commandLine(), "--model: no such file or folder: " + local);
        }
        return onCtrlC(cancel, () -> {
            try {
                Benchmark.Result result = local != null ? Benchmark.runModel(local, options, out::println, cancel)
                        : Benchmark.run(options, out::println, cancel);
                out.println(result.summary());
                return 0;
            } catch (org.mambaplayground.engine.model.ModelFormatException | java.io.UncheckedIOException e) {
                spec.commandLine().getErr().println("error: " + e.getMessage());
                return 1;
            }
        });
    }

    private int benchRemote(CancellationToken cancel) {
        RemoteBench.Options options;
        try {
            options = new RemoteBench.Options(prompt, decode, repeats);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try (RemoteClient client = remote.open(spec.commandLine(), environment, endpoints)) {
            RemoteBench.Result result = RemoteBench.run(new RemoteBackend(client, model), options, out::println, cancel);
            out.println(result.summary());
            return 0;
        } catch (BackendException e) {
            out.println("Benchmark failed: " + e.getMessage());
            return 1;
        }
    }

    /** Runs {@code work} with Ctrl-C setting {@code cancel} (and waiting for the work to stop) instead of killing it. */
    private int onCtrlC(CancellationToken cancel, java.util.function.IntSupplier work) {
        Thread worker = Thread.currentThread();
        Thread onCtrlC = new Thread(() -> {
            cancel.cancel();
            try { worker.join(5000); } catch (InterruptedException ignored) { }
        });
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try {
            return work.getAsInt();
        } catch (CancellationException e) {
            out.println("Benchmark cancelled.");
            return 130;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down (Ctrl-C): the hook is running
            }
        }
    }
}
