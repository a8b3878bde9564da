package org.mambaplayground.app;

import java.util.Locale;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code --precision} and {@code --kv}: the formats a command runs a model in (a picocli mixin). */
final class WeightOptions {
    @Option(names = "--precision", paramLabel = "P",
            description = "Weights: bf16 (the checkpoint as it is, the default), q8_0, q4_0, q4_k, q5_k or q6_k (a quantized copy, converted once "
                    + "into a cache folder beside the model and reused).")
    String precision;

    @Option(names = "--kv", paramLabel = "F", description = "KV cache of transformers: f16 (default), bf16, f32 or q8_0.")
    String kv;

    /** The formats asked for: the precision (null: the checkpoint as it is) and the KV cache's (null: the default). */
    record Formats(WeightFormat precision, WeightFormat kv) {}

    /** Both, or a usage error for {@code commandLine} naming the bad option. */
    Formats parse(CommandLine commandLine) {
        try {
            return new Formats(precision(), kv());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(commandLine, e.getMessage());
        }
    }

    /** The quantized precision asked for, or null for the checkpoint as it is. */
    WeightFormat precision() {
        if (precision == null || precision.equalsIgnoreCase("bf16") || precision.equalsIgnoreCase("original")) return null;
        return WeightFormat.named(precision).filter(WeightFormat::quantized).orElseThrow(() -> new IllegalArgumentException(
                "--precision must be bf16, q8_0, q4_0, q4_k, q5_k or q6_k, got \"" + precision + "\""));
    }

    /** The KV cache format asked for, or null for the default. */
    WeightFormat kv() { return parseKv(kv); }

    /** A {@code --kv} value (null: the default). */
    static WeightFormat parseKv(String kv) {
        if (kv == null) return null;
        return WeightFormat.named(kv).filter(f -> f != WeightFormat.Q4_0).orElseThrow(() -> new IllegalArgumentException(
                "--kv must be f16, bf16, f32 or q8_0, got \"" + kv.toLowerCase(Locale.ROOT) + "\""));
    }
}
