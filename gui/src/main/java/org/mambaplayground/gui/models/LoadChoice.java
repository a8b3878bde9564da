package org.mambaplayground.gui.models;

import java.nio.file.Path;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.load.QuantizedCopies;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.engine.transformer.TransformerConfig;

/**
 * How to load a model folder: the weight matrices' precision (BF16: the checkpoint as it is; Q8_0 or Q4_0: its
 * quantized copy, converted once) and the KV cache's format (transformers only; Mamba2 ignores it).
 */
public record LoadChoice(WeightFormat precision, WeightFormat kvFormat) {
    /** The checkpoint as shipped, with the engine's default KV cache. */
    public static final LoadChoice DEFAULT = new LoadChoice(WeightFormat.BF16, TransformerConfig.DEFAULT_KV_FORMAT);

    /** Nulls mean the defaults, so equal choices are equal records (the manager shares handles by choice). */
    public LoadChoice {
        if (precision == null) precision = WeightFormat.BF16;
        if (kvFormat == null) kvFormat = TransformerConfig.DEFAULT_KV_FORMAT;
    }

    public LoadChoice withPrecision(WeightFormat p) { return new LoadChoice(p, kvFormat); }

    public LoadChoice withKvFormat(WeightFormat kv) { return new LoadChoice(precision, kv); }

    /** The loader's options for this choice. */
    public ModelLoader.Options applyTo(ModelLoader.Options options) {
        return options.withPrecision(precision).withKvFormat(kvFormat);
    }

    /** "Q8_0", or "Q8_0 · KV BF16" when the KV cache is not in its default format. */
    public String label() {
        return kvFormat.equals(TransformerConfig.DEFAULT_KV_FORMAT) ? precision.name() : precision.name() + " \u00b7 KV " + kvFormat.name();
    }

    /** Whether loading makes (or reuses) a converted copy rather than mapping the checkpoint. */
    public boolean converts() { return precision.quantized(); }

    /** Where the converted copy of {@code folder} lives (the engine's default cache), whether or not it exists yet. */
    public static Path copyOf(Path folder, WeightFormat precision) {
        return QuantizedCopies.fileFor(folder, precision, QuantizedCopies.defaultCacheDir(folder));
    }

    /** The file whose pages are mapped when {@code folder} is loaded with this choice. */
    public Path weightsFile(Path folder) {
        if (org.mambaplayground.engine.load.GgufModels.isGgufFile(folder)) return folder; // a GGUF file is mapped as it is
        return converts() ? copyOf(folder, precision) : folder.resolve(ModelLoader.WEIGHTS);
    }
}
