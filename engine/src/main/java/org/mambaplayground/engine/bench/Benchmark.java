package org.mambaplayground.engine.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.io.SafetensorsFile;
import org.mambaplayground.engine.io.gguf.GgufFile;
import org.mambaplayground.engine.load.GgufModels;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.transformer.TransformerConfig;
import org.mambaplayground.engine.model.Architecture;
import org.mambaplayground.engine.model.InferenceState;
import org.mambaplayground.engine.model.Model;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.model.TensorSpec;
import org.mambaplayground.engine.synthetic.SyntheticConfigs;
import org.mambaplayground.engine.synthetic.SyntheticModelWriter;
import org.mambaplayground.engine.model.PrecisionPlan;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.engine.tensor.Kernels;
import org.mambaplayground.engine.tensor.Parallel;

/**
 * Measures prefill and decode speed of a synthetic model of a given architecture and size (or of a model on disk,
 * {@link #runModel}), and the effective weight bandwidth of decode (weight bytes read per token x tokens/s) next to
 * the machine's measured memory read bandwidth. The CLI's {@code bench} subcommand calls {@link #run}.
 */
public final class Benchmark {
    /** Tokens of the untimed warm-up prefill (at most the timed prompt's). */
    private static final int WARM_UP_PROMPT = 256;

    private Benchmark() {}

    /**
     * What to measure.
     *
     * @param dtype        the synthetic checkpoint's format (BF16, F16, F32); its size is {@code sizeBytes}
     * @param precision    the weights' precision for the run: null for the checkpoint as written, Q8_0 or Q4_0 for its
     *                     quantized copy (converted once, beside the folder)
     * @param folder       where the synthetic model lives: reused when it already holds this configuration, else written
     * @param promptTokens tokens of the timed prefill
     * @param decodeTokens tokens of the timed decode
     * @param repeats      timed runs of each measurement; the median run is reported first, the best second
     * @param config       a real model's configuration to write instead of one of {@code sizeBytes} (null: by size)
     * @param kvFormat     a transformer's KV cache format (null: the default)
     */
    public record Options(Architecture architecture, long sizeBytes, WeightFormat dtype, WeightFormat precision, Path folder,
                          int promptTokens, int decodeTokens, int repeats, long bandwidthBufferBytes, ModelSpec config,
                          WeightFormat kvFormat) {
        public Options(Architecture architecture, long sizeBytes, WeightFormat dtype, Path folder,
                       int promptTokens, int decodeTokens, int repeats, long bandwidthBufferBytes) {
            this(architecture, sizeBytes, dtype, null, folder, promptTokens, decodeTokens, repeats, bandwidthBufferBytes, null, null);
        }

        public Options(Architecture architecture, long sizeBytes, WeightFormat dtype, WeightFormat precision, Path folder,
                       int promptTokens, int decodeTokens, int repeats, long bandwidthBufferBytes) {
            this(architecture, sizeBytes, dtype, precision, folder, promptTokens, decodeTokens, repeats, bandwidthBufferBytes, null, null);
        }

        /** The configuration to write: {@code config} when given (a real model's), else one of about {@code sizeBytes}. */
        public ModelSpec spec() {
            return config != null ? config : SyntheticConfigs.ofSize(architecture, sizeBytes, (int) dtype.bytes(1));
        }

        /** The format the run's weight matrices are in. */
        public WeightFormat runFormat() { return precision != null ? precision : dtype; }
    }

    /**
     * Every measurement of a run. Statistics are of whole runs: the median run first, the best second; decode's
     * effective bandwidth is the weight bytes one token reads times a run's tokens/s, set against the memory probe
     * passes made between the runs (median against median, best against best), so other processes slow both alike.
     *
     * @param prefillRuns  prefill tokens/s of each run
     * @param decodeRuns   decode tokens/s of each run (whole runs, including sampling)
     * @param memoryPasses bytes/s of each bandwidth probe pass, all runs
     * @param fmaPasses    FLOP/s of each FMA peak probe pass ({@link FmaPeak})
     * @param expertsReadPerToken a mixture of experts' expert weight sets decode really read per token, all layers
     *                     (the engine's counter; {@code decodeBytesPerToken} counts those experts' bytes), 0 when dense
     */
    public record Result(ModelSpec spec, WeightFormat format, long weightBytes, long decodeBytesPerToken, int threads,
                         int promptTokens, int decodeTokens, long bandwidthBufferBytes, List<Double> prefillRuns,
                         List<Double> decodeRuns, List<Double> memoryPasses, List<Double> fmaPasses,
                         double expertsReadPerToken) {
        public double prefillMedian() { return median(prefillRuns); }

        public double prefillBest() { return max(prefillRuns); }

        public double decodeMedian() { return median(decodeRuns); }

        public double decodeBest() { return max(decodeRuns); }

        public double memoryMedian() { return median(memoryPasses); }

        public double memoryBest() { return max(memoryPasses); }

        public double fmaMedian() { return median(fmaPasses); }

        /** Matrix FLOP/s of the median prefill run ({@link #prefillMatrixFlops}). */
        public double prefillFlopsPerSecond() { return prefillMatrixFlops(spec, promptTokens) * prefillMedian() / promptTokens; }

        /** The median prefill run's matrix FLOP/s over the median FMA peak pass. */
        public double prefillPeakFraction() { return prefillFlopsPerSecond() / fmaMedian(); }

        /** Weight bytes per second read by the median decode run. */
        public double decodeBytesPerSecond() { return decodeBytesPerToken * decodeMedian(); }

        /** The median run's weight bandwidth over the median probe pass. */
        public double bandwidthFraction() { return decodeBytesPerSecond() / memoryMedian(); }

        /** The best run's weight bandwidth over the best probe pass. */
        public double bestBandwidthFraction() { return decodeBytesPerToken * decodeBest() / memoryBest(); }

        public String summary() {
            return String.format(Locale.ROOT, """
                    Model: %s, %s weights (%s), %d layers, dim %d, vocabulary %d
                    Threads: %d, %d float lanes
                    Prefill: %.1f tokens/s median run, %.1f best (%d runs of %d tokens)
                    Prefill matrix FLOPs: %.1f GFLOP/s (median run) = %.0f%% of the FMA peak (Vector API, %d threads): %.1f GFLOP/s median pass
                    Decode:  %.2f tokens/s median run, %.2f best (%d runs of %d tokens), %.3f GB of weights read per token
                    Memory read bandwidth (Vector API sum over %s): %.2f GB/s median pass, %.2f GB/s best
                    Effective weight bandwidth: %.2f GB/s (median run) = %.0f%% of the median pass; best run %.0f%% of the best pass""",
                    spec.architecture().name().toLowerCase(Locale.ROOT), gb(weightBytes), format, spec.layers(), spec.dim(),
                    spec.vocabularySize(), threads, Kernels.lanes(),
                    prefillMedian(), prefillBest(), prefillRuns.size(), promptTokens,
                    prefillFlopsPerSecond() / 1e9, 100 * prefillPeakFraction(), threads, fmaMedian() / 1e9,
                    decodeMedian(), decodeBest(), decodeRuns.size(), decodeTokens, decodeBytesPerToken / 1e9,
                    gb(bandwidthBufferBytes), memoryMedian() / 1e9, memoryBest() / 1e9,
                    decodeBytesPerSecond() / 1e9, 100 * bandwidthFraction(), 100 * bestBandwidthFraction())
                    + (expertsReadPerToken == 0 ? "" : String.format(Locale.ROOT,
                    "%nMixture of experts: %.2f expert weight sets read per decode token over all %d layers (engine counter; routing asks for %d),"
                            + " so a token reads %.3f GB of the %s of weights", expertsReadPerToken, spec.layers(), spec.expertsPerToken(),
                    decodeBytesPerToken / 1e9, gb(weightBytes)));
        }
    }

    /** The folder for a named real configuration's synthetic checkpoint. */
    public static Path defaultFolder(String configName, WeightFormat dtype) {
        return Path.of(System.getProperty("java.io.tmpdir"), "mamba-playground-bench", configName + "-" + dtype.name().toLowerCase(Locale.ROOT));
    }

    public static Path defaultFolder(Architecture architecture, long sizeBytes, WeightFormat dtype) {
        // The checkpoint's folder; quantized copies go to the cache folder beside it.
        return Path.of(System.getProperty("java.io.tmpdir"), "mamba-playground-bench",
                architecture.name().toLowerCase(Locale.ROOT) + "-" + sizeBytes / 1_000_000 + "MB-" + dtype.name().toLowerCase(Locale.ROOT));
    }

    /** Runs the benchmark, printing progress lines to {@code log}; cancel stops it between steps. */
    public static Result run(Options o, Consumer<String> log, CancellationToken cancel) {
        ModelSpec spec = o.spec();
        prepareModel(spec, o, log, cancel);
        return measure(o.folder(), new Weights(spec, o.runFormat(), spec.weightBytes(o.runFormat()),
                decodeBytesPerToken(spec, o.runFormat())), o, log, cancel);
    }

    /**
     * Runs the benchmark on a model already on disk: a GGUF file (run in the types it stores), a folder holding one,
     * or a Mistral folder (at {@code o.precision()}, else as its checkpoint stores it). Only the options' precision,
     * KV format, token counts, repeats and probe buffer apply.
     */
    public static Result runModel(Path model, Options o, Consumer<String> log, CancellationToken cancel) {
        Weights weights = weightsOf(model, o.precision());
        log.accept(String.format(Locale.ROOT, "Model %s: %s %s, %s of weights (mostly %s)", model,
                weights.spec().architecture().name().toLowerCase(Locale.ROOT), weights.gguf() ? "GGUF" : "checkpoint",
                gb(weights.bytes()), weights.format()));
        return measure(model, weights, o, log, cancel);
    }

    /**
     * The weights a run reads: their configuration, main format, bytes in all and bytes read per decoded token.
     *
     * @param gguf whether they are a GGUF file's tensors as stored
     */
    record Weights(ModelSpec spec, WeightFormat format, long bytes, long perToken, boolean gguf) {
        Weights(ModelSpec spec, WeightFormat format, long bytes, long perToken) { this(spec, format, bytes, perToken, false); }
    }

    /** What {@code model} holds, counted from its tensors as stored (a GGUF mixes types: Q4_K_M has Q6_K ones too). */
    static Weights weightsOf(Path model, WeightFormat precision) {
        Path gguf = GgufModels.isGgufFile(model) ? model : GgufModels.soleModelIn(model);
        if (gguf == null) {
            ModelSpec spec = ModelLoader.readSpec(model);
            WeightFormat format = precision;
            if (format == null) {
                try (SafetensorsFile f = ModelLoader.openWeights(model, spec)) {
                    format = mainFormat(f.tensors().values());
                }
            }
            return new Weights(spec, format, spec.weightBytes(format), decodeBytesPerToken(spec, format));
        }
        GgufModels.Summary summary = GgufModels.summary(gguf);
        try (GgufFile g = GgufFile.openModel(gguf)) {
            // every tensor once per token, except the embedding table: one row, unless it doubles as the output head;
            // a mixture of experts' expert tensors (stacked or one per expert): the chosen share of them
            long perToken = 0;
            boolean tied = !g.names().contains("output.weight");
            ModelSpec s = summary.spec();
            int perLayer = s.expertsPerToken() / s.layers();
            int experts = s instanceof org.mambaplayground.engine.transformer.TransformerConfig c && c.hasMoe() ? c.moe().experts() : 1;
            for (String name : g.names()) {
                org.mambaplayground.engine.tensor.Tensor t = g.tensor(name);
                boolean expert = name.contains("_exps.") || name.matches("blk\\.\\d+\\.ffn_(gate|up|down)\\.\\d+\\.weight");
                perToken += name.equals("token_embd.weight") && !tied ? t.byteSize() / s.vocabularySize()
                        : expert ? t.byteSize() / experts * perLayer : t.byteSize();
            }
            return new Weights(summary.spec(), summary.mainFormat(), summary.weightBytes(), perToken, true);
        }
    }

    private static WeightFormat mainFormat(java.util.Collection<org.mambaplayground.engine.tensor.Tensor> tensors) {
        java.util.Map<WeightFormat, Long> bytes = new java.util.HashMap<>();
        for (var t : tensors) bytes.merge(t.format(), t.byteSize(), Long::sum);
        return bytes.entrySet().stream().max(java.util.Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    private static Result measure(Path path, Weights w, Options o, Consumer<String> log, CancellationToken cancel) {
        ModelSpec spec = w.spec();
        log.accept(String.format(Locale.ROOT, "Memory read bandwidth is probed before each run (%d threads, %s buffer).",
                Parallel.threads(), gb(o.bandwidthBufferBytes())));
        ModelLoader.Options load = new ModelLoader.Options(false, progressLog(log), cancel).withPrecision(o.precision()).withKvFormat(o.kvFormat());
        long loadStart = System.nanoTime();
        try (Model model = ModelLoader.loadModel(path, load)) {
            log.accept(String.format(Locale.ROOT, "Loaded in %.1f s (including any conversion); peak resident memory so far %s",
                    (System.nanoTime() - loadStart) / 1e9, peakResident()));
            long weightBytes = w.bytes();
            long analyticPerToken = w.perToken();
            SplittableRandom random = new SplittableRandom(1);
            int vocab = spec.vocabularySize();

            log.accept("Warming up (JIT compilation)...");
            InferenceState warm = model.newState();
            // A prompt long enough for the matrix-matrix kernel and the tiled attention, which a 16-token
            // warm-up would leave for C2 to compile during the first timed run.
            model.prefill(warm, randomTokens(random, Math.min(WARM_UP_PROMPT, o.promptTokens()), vocab));
            for (int i = 0; i < 4; i++) model.decode(warm, random.nextInt(vocab));

            // Probe and decode alternate so that both see the same load from other processes.
            List<Double> prefillRuns = new ArrayList<>(), decodeRuns = new ArrayList<>();
            List<Double> memoryPasses = new ArrayList<>(), fmaPasses = new ArrayList<>();
            // A mixture of experts reads only the experts its router picks: counted by the engine during decode.
            long expertsRead = 0, decoded = 0;
            long perToken = analyticPerToken;
            for (int r = 0; r < o.repeats(); r++) {
                checkCancelled(cancel);
                List<Double> passes = MemoryBandwidth.passes(o.bandwidthBufferBytes(), 3, cancel);
                memoryPasses.addAll(passes);
                fmaPasses.addAll(FmaPeak.passes(3, cancel));
                InferenceState state = model.newState();
                int[] prompt = randomTokens(random, o.promptTokens(), vocab);
                long t0 = System.nanoTime();
                float[] logits = model.prefill(state, prompt);
                double prefill = o.promptTokens() / ((System.nanoTime() - t0) / 1e9);
                prefillRuns.add(prefill);
                long experts0 = model.expertsRead();
                long t1 = System.nanoTime();
                for (int i = 0; i < o.decodeTokens(); i++) {
                    checkCancelled(cancel);
                    logits = model.decode(state, argmax(logits));
                }
                double decode = o.decodeTokens() / ((System.nanoTime() - t1) / 1e9);
                expertsRead += model.expertsRead() - experts0;
                decoded += o.decodeTokens();
                perToken = measuredBytesPerToken(spec, w.format(), analyticPerToken, expertsRead, decoded);
                decodeRuns.add(decode);
                log.accept(String.format(Locale.ROOT,
                        "  run %d/%d: memory %.2f GB/s (best pass), FMA %.1f GFLOP/s; prefill %.1f tokens/s = %.1f GFLOP/s; decode %.2f tokens/s = %.2f GB/s of weights",
                        r + 1, o.repeats(), max(passes) / 1e9, fmaPasses.getLast() / 1e9, prefill,
                        prefillMatrixFlops(spec, o.promptTokens()) / (o.promptTokens() / prefill) / 1e9, decode, decode * perToken / 1e9));
            }
            log.accept("Peak resident memory: " + peakResident());
            return new Result(spec, w.format(), weightBytes, perToken, Parallel.threads(), o.promptTokens(), o.decodeTokens(),
                    o.bandwidthBufferBytes(), prefillRuns, decodeRuns, memoryPasses, fmaPasses, (double) expertsRead / decoded);
        }
    }

    /**
     * Weight bytes per decode token with the experts really read: the dense part of {@code analytic} plus the bytes of
     * the experts the engine counted, per token. Equal to {@code analytic} for a dense model.
     */
    static long measuredBytesPerToken(ModelSpec spec, WeightFormat format, long analytic, long expertsRead, long tokens) {
        long expert = spec.expertBytes(format);
        if (expert == 0) return analytic;
        return analytic - spec.expertsPerToken() * expert + Math.round((double) expertsRead * expert / tokens);
    }

    /** The process's peak resident set (VmHWM: heap, native buffers and the mapped weight pages touched), if Linux tells. */
    static String peakResident() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return gb(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux
        }
        return "unknown";
    }

    /** Conversion progress (the one slow stage of loading) in tenths. */
    private static ModelLoader.Listener progressLog(Consumer<String> log) {
        int[] last = {-1};
        return (stage, fraction) -> {
            if (!stage.startsWith("Converting")) return;
            int tenth = (int) (fraction * 10);
            if (tenth != last[0]) log.accept(String.format(Locale.ROOT, "  %s: %3.0f%%", stage, 100 * fraction));
            last[0] = tenth;
        };
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(d -> d).max().orElse(0);
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(d -> d).sorted().toArray();
        if (sorted.length == 0) return 0;
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    /** Weight bytes one decode step reads by the configuration (a mixture of experts: only the chosen experts). */
    static long decodeBytesPerToken(ModelSpec spec, WeightFormat dtype) {
        return spec.weightBytesPerToken(dtype);
    }

    /**
     * Multiply-add FLOPs (2 per weight) of the weight matrices a prefill of {@code tokens} tokens runs: every
     * layer's projections for each token (a mixture of experts: its router and the experts chosen per token), and
     * the output head once (only the last token's logits are computed).
     * Attention scores and the SSM scan are not counted: they are not weight matrices and grow with the context.
     */
    static double prefillMatrixFlops(ModelSpec spec, int tokens) {
        long dim = spec.dim(), layer = switch (spec) {
            case Mamba2Config m -> dim * m.inProjDim() + (long) m.innerDim() * dim;
            case TransformerConfig t -> dim * (2L * t.qDim() + 2L * t.kvDim()) + (t.hasMoe() // the chosen experts and the router
                    ? dim * (3L * t.hiddenDim() * t.moe().expertsPerToken() + t.moe().experts())
                    : dim * 3L * t.hiddenDim());
            default -> throw new IllegalArgumentException("no FLOP count for " + spec.architecture());
        };
        return 2.0 * ((double) tokens * spec.layers() * layer + dim * spec.vocabularySize());
    }

    /** Writes the synthetic model unless {@code o.folder()} already holds a valid one of this configuration. */
    private static void prepareModel(ModelSpec spec, Options o, Consumer<String> log, CancellationToken cancel) {
        if (isReusable(o.folder(), spec, o.dtype())) {
            log.accept("Reusing synthetic model in " + o.folder());
            return;
        }
        long total = SyntheticModelWriter.weightBytes(spec, o.dtype());
        log.accept(String.format(Locale.ROOT, "Writing a %s %s %s synthetic model to %s...", gb(total), o.dtype(),
                spec.architecture().name().toLowerCase(Locale.ROOT), o.folder()));
        long[] nextReport = {0};
        SyntheticModelWriter.write(spec, o.folder(), o.dtype(), 1234, null, written -> {
            if (written >= nextReport[0]) {
                log.accept(String.format(Locale.ROOT, "  %3.0f%%", Math.min(100, 100.0 * written / total)));
                nextReport[0] += Math.max(1, total / 10);
            }
        }, cancel::isCancelled);
    }

    private static boolean isReusable(Path folder, ModelSpec spec, WeightFormat dtype) {
        if (!Files.exists(folder.resolve(ModelLoader.PARAMS)) || !Files.exists(folder.resolve(ModelLoader.WEIGHTS))) return false;
        try {
            if (!ModelLoader.readSpec(folder).equals(spec)) return false;
            try (SafetensorsFile f = ModelLoader.openWeights(folder, spec)) {
                return f.tensors().values().stream().allMatch(t -> t.format() == dtype);
            }
        } catch (RuntimeException e) {
            return false; // damaged or different: write it again
        }
    }

    private static int[] randomTokens(SplittableRandom random, int n, int vocab) {
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) tokens[i] = random.nextInt(vocab);
        return tokens;
    }

    private static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    private static void checkCancelled(CancellationToken cancel) {
        if (cancel.isCancelled()) throw new CancellationException("benchmark cancelled");
    }

    private static String gb(long bytes) {
        return bytes >= 1_000_000_000L ? String.format(Locale.ROOT, "%.2f GB", bytes / 1e9) : String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
    }

    public static Architecture parseArchitecture(String value) {
        if (value == null) throw new IllegalArgumentException("--arch needs mamba2 or transformer");
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "mamba2", "mamba" -> Architecture.MAMBA2;
            case "transformer", "mistral" -> Architecture.TRANSFORMER;
            default -> throw new IllegalArgumentException("unknown architecture \"" + value + "\" (mamba2 or transformer)");
        };
    }

}
