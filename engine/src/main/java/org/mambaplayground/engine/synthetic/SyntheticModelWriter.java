package org.mambaplayground.engine.synthetic;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import org.mambaplayground.engine.io.SafetensorsWriter;
import org.mambaplayground.engine.io.TensorValues;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.model.TensorSpec;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * Writes a complete model folder (params.json + consolidated.safetensors) for any configuration of either
 * architecture, with seeded random weights: tests and benchmarks use it so nothing downloads weights.
 * Weights are generated while they are written, so a multi-gigabyte model needs no more heap than a
 * small one. Each tensor's values depend only on the seed and its name.
 *
 * <p>Initial scales keep activations finite through many layers: norm weights 1, linear weights uniform
 * with standard deviation 1/sqrt(fan_in) (PyTorch's default family), Mamba2's A_log = log(U(1, 16)),
 * dt_bias the inverse softplus of a log-uniform dt in [1e-3, 1e-1], D = 1 (mamba_ssm's own init).
 */
public final class SyntheticModelWriter {
    public static final String PARAMS = "params.json";
    public static final String WEIGHTS = "consolidated.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SyntheticModelWriter() {}

    /** Writes the folder with no progress reporting. */
    public static void write(ModelSpec spec, Path folder, WeightFormat dtype, long seed) {
        write(spec, folder, dtype, seed, null, bytes -> {}, () -> false);
    }

    /**
     * Writes {@code folder} (created if needed; existing model files are replaced).
     *
     * @param tokenizer a tokenizer file (tokenizer.model.v3, tekken.json) to copy in, or null
     * @param progress  bytes of weights written so far
     * @param cancelled polled while writing; when it turns true the write stops with a CancellationException
     *                  and leaves no partial weights file
     */
    public static void write(ModelSpec spec, Path folder, WeightFormat dtype, long seed, Path tokenizer,
                             LongConsumer progress, BooleanSupplier cancelled) {
        try {
            Files.createDirectories(folder);
            List<SafetensorsWriter.Entry> entries = new ArrayList<>();
            List<TensorSpec> specs = spec.tensorSpecs();
            boolean tied = specs.stream().noneMatch(t -> t.name().endsWith("lm_head.weight") || t.name().equals("output.weight"));
            for (TensorSpec t : specs) {
                entries.add(new SafetensorsWriter.Entry(t.name(), dtype, t.shape(), values(t, seed, tied)));
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("format", "pt");
            metadata.put("synthetic_seed", Long.toString(seed));
            SafetensorsWriter.write(folder.resolve(WEIGHTS), metadata, entries, progress, cancelled);
            JSON.writerWithDefaultPrettyPrinter().writeValue(folder.resolve(PARAMS).toFile(), spec.toParams());
            if (tokenizer != null) {
                Files.copy(tokenizer, folder.resolve(tokenizer.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write synthetic model to " + folder + ": " + e.getMessage(), e);
        }
    }

    /** Total bytes the weights file's data section will hold. */
    public static long weightBytes(ModelSpec spec, WeightFormat dtype) {
        return spec.weightBytes(dtype);
    }

    /** The value generator for one tensor, chosen by its role (its name) as Mistral's checkpoints name it. */
    static TensorValues values(TensorSpec t, long seed, boolean tiedEmbeddings) {
        String name = t.name();
        long[] shape = t.shape();
        SplittableRandom random = new SplittableRandom(seed ^ mix(name));
        if (name.endsWith("norm.weight") || name.endsWith("norm_f.weight") || name.endsWith(".D")) {
            return constant(1f);
        }
        if (name.endsWith(".A_log")) {
            return (offset, chunk, count) -> {
                for (int i = 0; i < count; i++) chunk[i] = (float) Math.log(1 + 15 * random.nextDouble());
            };
        }
        if (name.endsWith(".dt_bias")) {
            double lo = Math.log(1e-3), hi = Math.log(1e-1);
            return (offset, chunk, count) -> {
                for (int i = 0; i < count; i++) {
                    double dt = Math.exp(lo + (hi - lo) * random.nextDouble());
                    chunk[i] = (float) (dt + Math.log(-Math.expm1(-dt))); // softplus^-1(dt)
                }
            };
        }
        boolean embedding = name.endsWith("embedding.weight") || name.equals("tok_embeddings.weight");
        double std;
        if (embedding) std = tiedEmbeddings ? 1 / Math.sqrt(shape[1]) : 1;
        else if (shape.length == 3) std = 1 / Math.sqrt(shape[1] * shape[2]); // depthwise conv: fan_in = kernel width
        else if (shape.length == 1) std = 1 / Math.sqrt(Math.max(1, shape[0])); // biases
        else std = 1 / Math.sqrt(shape[shape.length - 1]);
        return uniform(random, std);
    }

    /** Uniform on [-a, a] with a = std * sqrt(3): the requested standard deviation, cheap to draw. */
    private static TensorValues uniform(SplittableRandom random, double std) {
        float a = (float) (std * Math.sqrt(3));
        return (offset, chunk, count) -> {
            for (int i = 0; i < count; i++) chunk[i] = a * (2 * random.nextFloat() - 1);
        };
    }

    private static TensorValues constant(float v) {
        return (offset, chunk, count) -> java.util.Arrays.fill(chunk, 0, count, v);
    }

    /** A well-spread 64-bit hash of a tensor name (so each tensor's stream is independent of the order). */
    private static long mix(String name) {
        long h = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < name.length(); i++) {
            h ^= name.charAt(i);
            h *= 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        return h;
    }
}
