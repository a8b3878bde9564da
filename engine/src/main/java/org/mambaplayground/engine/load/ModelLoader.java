package org.mambaplayground.engine.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.io.SafetensorsFile;
import org.mambaplayground.engine.io.gguf.GgufFile;
import org.mambaplayground.engine.model.Architecture;
import org.mambaplayground.engine.model.Model;
import org.mambaplayground.engine.model.ModelFormatException;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.model.TensorSpec;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.mamba2.Mamba2Model;
import org.mambaplayground.engine.tokenizer.GgufTokenizerMetadata;
import org.mambaplayground.engine.tokenizer.Tokenizers;
import org.mambaplayground.engine.transformer.TransformerModel;
import org.mambaplayground.engine.tensor.Tensor;
import org.mambaplayground.engine.tensor.WeightSource;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.engine.transformer.TransformerConfig;

/**
 * Opens a Mistral model folder: reads params.json, picks the architecture, memory-maps
 * consolidated.safetensors and checks every tensor the configuration needs is there with its exact
 * shape before building the model. Every problem is a {@link ModelFormatException} naming the file and
 * the key or tensor at fault.
 */
public final class ModelLoader {
    public static final String PARAMS = "params.json";
    public static final String WEIGHTS = "consolidated.safetensors";
    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    /** Pages are pre-touched this many bytes at a time, with progress and a cancellation check between. */
    private static final long PRETOUCH_CHUNK = 64L << 20;

    private ModelLoader() {}

    /**
     * Receives loading progress: the stage and the fraction of the whole load done, in [0, 1]. Without
     * pre-touch everything but "Reading weights" takes milliseconds (the weights are only mapped).
     */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = (stage, fraction) -> {};

        void progress(String stage, double fraction);
    }

    /**
     * How to load: whether to read every weight page into memory up front (slow, but no first-token
     * stall), who hears the progress, the token that cancels (null: not cancellable), the precision of the
     * weight matrices (null or a plain float format: the checkpoint as it is; Q8_0 or Q4_0: a quantized copy,
     * converted once into {@code cacheDir}, null for {@link QuantizedCopies#defaultCacheDir}), and the KV
     * cache's format for transformers (null: the default).
     */
    public record Options(boolean pretouch, Listener listener, CancellationToken cancel, WeightFormat precision,
                          WeightFormat kvFormat, Path cacheDir) {
        /** No pre-touch, no progress, not cancellable (no shared token that one caller could cancel for all). */
        public static final Options DEFAULT = new Options(false, Listener.NONE, null);

        public Options {
            if (listener == null) listener = Listener.NONE;
            if (kvFormat == null) kvFormat = TransformerConfig.DEFAULT_KV_FORMAT;
        }

        /** With the KV cache in {@link TransformerConfig#DEFAULT_KV_FORMAT} and the checkpoint's own weights. */
        public Options(boolean pretouch, Listener listener, CancellationToken cancel) {
            this(pretouch, listener, cancel, null, null, null);
        }

        public Options withPrecision(WeightFormat p) { return new Options(pretouch, listener, cancel, p, kvFormat, cacheDir); }

        public Options withKvFormat(WeightFormat kv) { return new Options(pretouch, listener, cancel, precision, kv, cacheDir); }

        public Options withCacheDir(Path dir) { return new Options(pretouch, listener, cancel, precision, kvFormat, dir); }

        boolean quantized() { return precision != null && precision.quantized(); }

        boolean isCancelled() { return cancel != null && cancel.isCancelled(); }
    }

    /** Opens the model folder with default options (no page pre-touch). */
    public static LoadedModel load(Path folder) {
        return load(folder, Options.DEFAULT);
    }

    /**
     * Opens {@code folder}: the model (weights checked against params.json) and its tokenizer
     * (tekken.json or tokenizer.model.v3) with the matching chat format. Cancelling releases everything
     * opened so far and throws CancellationException.
     */
    public static LoadedModel load(Path folder, Options options) {
        Path gguf = ggufModel(folder);
        if (gguf != null) return GgufModels.load(gguf, options);
        Model model = loadModel(folder, options);
        try {
            checkCancelled(options, folder);
            options.listener().progress("Reading tokenizer", 0.95);
            Tokenizers.Loaded tokenizer = Tokenizers.load(folder);
            int modelVocab = model.spec().vocabularySize();
            if (tokenizer.tokenizer().vocabularySize() > modelVocab) {
                throw new ModelFormatException(tokenizer.file(), "the tokenizer has " + tokenizer.tokenizer().vocabularySize()
                        + " tokens but the model's vocab_size is " + modelVocab + ": they do not belong together");
            }
            options.listener().progress("Ready", 1);
            Path name = folder.toAbsolutePath().normalize().getFileName();
            return new LoadedModel(folder, name == null ? folder.toString() : name.toString(), model,
                    tokenizer.tokenizer(), tokenizer.chatFormat());
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Opens only the model (weights and architecture): what benchmarks and tests without text need. With a
     * quantized precision the weights come from the folder's quantized copy, made first when there is none
     * (or only a stale one).
     */
    public static Model loadModel(Path folder, Options options) {
        Path gguf = ggufModel(folder);
        if (gguf != null) return GgufModels.loadModel(gguf, options);
        options.listener().progress("Reading " + PARAMS, 0);
        ModelSpec spec = readSpec(folder);
        checkCancelled(options, folder);
        options.listener().progress("Mapping " + WEIGHTS, 0.02);
        SafetensorsFile checkpoint = openWeights(folder, spec);
        WeightSource weights = checkpoint;
        try {
            if (options.quantized()) {
                weights = quantizedCopy(folder, spec, checkpoint, options);
                checkpoint.close();
            }
            if (options.pretouch()) pretouch(weights, options);
            checkCancelled(options, folder);
            options.listener().progress("Building the model", 0.9);
            return build(spec, weights, options);
        } catch (RuntimeException e) {
            checkpoint.close();
            weights.close();
            throw e;
        }
    }

    /** The GGUF file {@code path} is, or the one a folder without params.json holds; null for a Mistral folder. */
    private static Path ggufModel(Path path) {
        return GgufModels.isGgufFile(path) ? path : GgufModels.soleModelIn(path);
    }

    static Model build(ModelSpec spec, WeightSource weights, Options options) {
        return switch (spec) {
            case Mamba2Config c -> new Mamba2Model(c, weights);
            case TransformerConfig c -> new TransformerModel(c, weights, options.kvFormat());
            default -> throw new IllegalStateException("no model for " + spec.architecture());
        };
    }

    /** The folder's copy at the options' precision: opened if current, else converted from the checkpoint first. */
    private static WeightSource quantizedCopy(Path folder, ModelSpec spec, SafetensorsFile checkpoint, Options options) {
        WeightFormat precision = options.precision();
        Path cacheDir = options.cacheDir() != null ? options.cacheDir() : QuantizedCopies.defaultCacheDir(folder);
        Path copy = QuantizedCopies.fileFor(folder, precision, cacheDir);
        GgufConverter.Source source = QuantizedCopies.sourceOf(checkpoint.file());
        GgufFile current = QuantizedCopies.openIfCurrent(copy, source, precision);
        if (current != null) {
            try {
                return new GgufWeights(current, spec);
            } catch (ModelFormatException e) {
                current.close(); // a damaged copy (a tensor lost or reshaped): made again below
            }
        }
        QuantizedCopies.prepareDir(cacheDir, spec.weightBytes(precision));
        String stage = "Converting to " + precision + " (once)";
        options.listener().progress(stage, 0.03);
        GgufConverter.convert(spec, checkpoint, source, tokenizerMetadata(folder, spec), precision, copy,
                f -> options.listener().progress(stage, 0.03 + 0.85 * f), options.cancel());
        GgufFile fresh = GgufFile.open(copy);
        try {
            return new GgufWeights(fresh, spec);
        } catch (RuntimeException e) {
            fresh.close();
            throw e;
        }
    }

    /** The folder's tokenizer as llama.cpp reads it from GGUF metadata; none for a folder without one (benchmarks). */
    private static java.util.Map<String, org.mambaplayground.engine.io.gguf.GgufValue> tokenizerMetadata(Path folder, ModelSpec spec) {
        return Tokenizers.present(folder) ? GgufTokenizerMetadata.of(folder, spec.vocabularySize()) : java.util.Map.of();
    }

    private static void checkCancelled(Options options, Path folder) {
        if (options.isCancelled()) throw new CancellationException("loading " + folder + " was cancelled");
    }

    /** Reads and validates params.json of {@code folder} (or a GGUF file's metadata) into the configuration of its architecture. */
    public static ModelSpec readSpec(Path folder) {
        Path gguf = ggufModel(folder);
        if (gguf != null) return GgufModels.readSpec(gguf);
        Path file = folder.resolve(PARAMS);
        return readSpec(readParams(file), file);
    }

    /** A parsed params.json ({@code file}: where it came from, for messages) to its architecture's configuration. */
    public static ModelSpec readSpec(JsonNode params, Path file) {
        return switch (detectArchitecture(params, file)) {
            case MAMBA2 -> Mamba2Config.fromParams(params, file);
            case TRANSFORMER -> TransformerConfig.fromParams(params, file);
        };
    }

    /**
     * The architecture params.json describes: {@code model_type} when present ("mamba" or "transformer"),
     * else the keys only one of them has (Mamba2: n_groups, rms_norm; transformers: n_heads, head_dim).
     */
    public static Architecture detectArchitecture(JsonNode params, Path file) {
        if (params == null || !params.isObject()) throw new ModelFormatException(file, "params.json must hold a JSON object");
        JsonNode type = params.get("model_type");
        if (type != null && !type.isNull()) {
            if (!type.isTextual()) throw new ModelFormatException(file, "params.json key 'model_type' must be a string, got " + type);
            return Architecture.ofModelType(type.asText(), file);
        }
        boolean mamba = params.has("n_groups") || params.has("rms_norm") || params.has("residual_in_fp32");
        boolean transformer = params.has("n_heads") || params.has("head_dim") || params.has("hidden_dim");
        if (mamba && !transformer) return Architecture.MAMBA2;
        if (transformer && !mamba) return Architecture.TRANSFORMER;
        throw new ModelFormatException(file, "cannot tell the architecture: params.json has no 'model_type' and "
                + (mamba ? "keys of both Mamba2 (n_groups) and transformers (n_heads)" : "neither 'n_groups' (Mamba2) nor 'n_heads' (transformer)"));
    }

    static JsonNode readParams(Path file) {
        String text;
        try {
            if (Files.isDirectory(file)) throw new ModelFormatException(file, "is a directory, not a file");
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "not found: a model folder needs " + PARAMS);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ModelFormatException(file, "is not valid UTF-8 JSON (a params.json is a UTF-8 text file)", e);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        }
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) throw new ModelFormatException(file, "params.json must hold a JSON object");
            return node;
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(file, "invalid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Maps {@code folder}/consolidated.safetensors and checks it holds every tensor of {@code spec} with
     * the right shape. Tensors the configuration does not use are ignored.
     */
    public static SafetensorsFile openWeights(Path folder, ModelSpec spec) {
        Path file = folder.resolve(WEIGHTS);
        if (!Files.exists(file)) throw new ModelFormatException(file, "not found: a model folder needs " + WEIGHTS);
        if (Files.isDirectory(file)) throw new ModelFormatException(file, "is a directory, not a weights file");
        SafetensorsFile weights = SafetensorsFile.open(file);
        try {
            for (TensorSpec expected : spec.tensorSpecs()) {
                if (!weights.names().contains(expected.name())) {
                    throw new ModelFormatException(file, "missing tensor " + expected.name() + " (expected shape "
                            + Arrays.toString(expected.shape()) + ")");
                }
                Tensor actual = weights.tensor(expected.name());
                if (!expected.hasShape(actual.shape())) {
                    throw new ModelFormatException(file, "tensor " + expected.name() + " has shape "
                            + Arrays.toString(actual.shape()) + " but params.json implies " + Arrays.toString(expected.shape()));
                }
            }
            return weights;
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /** Reads every page of the weights so the first tokens do not wait on the disk; cancellable. */
    static void pretouch(WeightSource weights, Options options) {
        long total = 0, done = 0;
        for (String name : weights.names()) total += weights.tensor(name).byteSize();
        for (String name : weights.names()) {
            Tensor t = weights.tensor(name);
            MemorySegment data = t.data();
            for (long offset = 0; offset < data.byteSize(); offset += PRETOUCH_CHUNK) {
                if (options.isCancelled()) throw new CancellationException("loading " + weights.file() + " was cancelled");
                long n = Math.min(PRETOUCH_CHUNK, data.byteSize() - offset);
                data.asSlice(offset, n).load();
                done += n;
                options.listener().progress("Reading weights", 0.05 + 0.85 * (total == 0 ? 1 : (double) done / total));
            }
        }
    }
}
