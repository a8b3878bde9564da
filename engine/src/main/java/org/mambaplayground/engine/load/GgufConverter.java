package org.mambaplayground.engine.load;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.io.gguf.GgufValue;
import org.mambaplayground.engine.io.gguf.GgufWriter;
import org.mambaplayground.engine.model.ModelFormatException;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.model.PrecisionPlan;
import org.mambaplayground.engine.model.TensorSpec;
import org.mambaplayground.engine.tensor.WeightSource;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * Writes a checkpoint as a GGUF file at a chosen precision, tensor by tensor through a small buffer (a 24.5 GB
 * BF16 model needs no more heap than a small one): llama.cpp's tensor names and metadata for the architecture,
 * the tokenizer's metadata, and our own keys recording the source file (so a stale copy is recognised) and the
 * params.json it was made from (so the file describes its exact configuration, sliding window included).
 */
public final class GgufConverter {
    /** Bumped when what the converter writes changes, so older cache files are rebuilt. */
    static final int VERSION = 2;
    static final String PARAMS_KEY = "mamba_playground.params";
    static final String VERSION_KEY = "mamba_playground.converter_version";
    static final String PRECISION_KEY = "mamba_playground.precision";
    static final String SOURCE_SIZE_KEY = "mamba_playground.source.size";
    static final String SOURCE_MTIME_KEY = "mamba_playground.source.mtime_ms";

    private GgufConverter() {}

    /** The source checkpoint file's identity, recorded so a changed source makes the copy stale. */
    public record Source(long size, long modifiedMillis) {}

    /**
     * Converts {@code weights} (the tensors of {@code spec}) to {@code target}.
     *
     * @param tokenizer the tokenizer's GGUF metadata (may be empty: our loader reads the tokenizer from the folder)
     * @param progress  fraction of the tensor bytes written, in [0, 1]
     */
    public static void convert(ModelSpec spec, WeightSource weights, Source source, Map<String, GgufValue> tokenizer,
                               WeightFormat precision, Path target, java.util.function.DoubleConsumer progress, CancellationToken cancel) {
        GgufArchitecture arch = GgufArchitecture.of(spec);
        Map<String, GgufValue> meta = new LinkedHashMap<>();
        meta.put("general.architecture", GgufValue.string(arch.name()));
        meta.put("general.name", GgufValue.string(nameOf(target)));
        meta.put("general.file_type", GgufValue.u32(fileType(precision)));
        meta.put("general.quantization_version", GgufValue.u32(2));
        meta.putAll(arch.metadata(spec));
        meta.putAll(tokenizer);
        meta.put(PARAMS_KEY, GgufValue.string(spec.toParams().toString()));
        meta.put(VERSION_KEY, GgufValue.u32(VERSION));
        meta.put(PRECISION_KEY, GgufValue.string(precision.name()));
        meta.put(SOURCE_SIZE_KEY, GgufValue.u64(source.size()));
        meta.put(SOURCE_MTIME_KEY, GgufValue.u64(source.modifiedMillis()));

        List<GgufWriter.Entry> entries = new ArrayList<>();
        long total = 0;
        for (TensorSpec t : spec.tensorSpecs()) {
            WeightFormat format = PrecisionPlan.formatOf(t, precision, PrecisionPlan.isOutputHead(spec, t));
            entries.add(new GgufWriter.Entry(t.ggufName(), t.ggufShape(), format, arch.toGguf(t, weights.tensor(t.name()))));
            total += format.bytes(t.size());
        }
        long bytes = total;
        try {
            GgufWriter.write(target, meta, entries, written -> progress.accept(Math.min(1, (double) written / Math.max(1, bytes))),
                    () -> cancel != null && cancel.isCancelled());
        } catch (CancellationException e) {
            throw new CancellationException("converting to " + target + " was cancelled");
        } catch (UncheckedIOException e) {
            String why = String.valueOf(e.getCause().getMessage());
            if (why.contains("No space left")) why = "the disk is full (" + why + "); free some space or choose another cache folder";
            throw new ModelFormatException(target, "cannot write the " + precision + " copy: " + why, e);
        }
    }

    /** llama.cpp's general.file_type for a file whose matrices are in {@code precision} (a label only). */
    static long fileType(WeightFormat precision) {
        return switch (precision) {
            case org.mambaplayground.engine.tensor.format.F32Format f -> 0;
            case org.mambaplayground.engine.tensor.format.F16Format f -> 1;
            case org.mambaplayground.engine.tensor.format.Q4_0Format f -> 2;
            case org.mambaplayground.engine.tensor.format.Q8_0Format f -> 7;
            case org.mambaplayground.engine.tensor.format.BF16Format f -> 32;
            case org.mambaplayground.engine.tensor.format.Q4_KFormat f -> 15; // "Q4_K_M"
            case org.mambaplayground.engine.tensor.format.Q5_KFormat f -> 17; // "Q5_K_M"
            case org.mambaplayground.engine.tensor.format.Q6_KFormat f -> 18;
        };
    }

    private static String nameOf(Path target) {
        String n = target.getFileName().toString();
        return n.endsWith(".gguf") ? n.substring(0, n.length() - 5) : n;
    }
}
