package org.mambaplayground.engine.model;

import java.util.List;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * The format each tensor is stored in at a chosen precision. A plain float precision (BF16, F16, F32) is the
 * checkpoint as Mistral ships it, every tensor in that format. A quantized precision (Q8_0, Q4_0) applies to the
 * weight matrices only; norms, biases, A_log, D, dt_bias and conv1d stay F32 (they are small, and the recurrence
 * and the norms amplify their error). Under Q4_0 the output head is Q8_0, as llama.cpp keeps it at a higher
 * precision: the logits are the most sensitive product.
 */
public final class PrecisionPlan {
    private PrecisionPlan() {}

    public static WeightFormat formatOf(TensorSpec tensor, WeightFormat precision, boolean outputHead) {
        if (!precision.quantized()) return precision;
        if (!tensor.isMatrix() || !precision.fitsRow(tensor.columns())) return WeightFormat.F32;
        if (outputHead && precision == WeightFormat.Q4_0) return WeightFormat.Q8_0;
        return precision;
    }

    /** Bytes of all weights of {@code spec} at {@code precision}. */
    public static long weightBytes(ModelSpec spec, WeightFormat precision) {
        long bytes = 0;
        for (TensorSpec t : spec.tensorSpecs()) bytes += formatOf(t, precision, isOutputHead(spec, t)).bytes(t.size());
        return bytes;
    }

    /** Whether {@code t} is the output projection (also when tied to the embedding). */
    public static boolean isOutputHead(ModelSpec spec, TensorSpec t) { return t.equals(spec.outputHead()); }

    /**
     * Weight bytes one decode step reads at {@code precision}: each of {@link ModelSpec#tensorsReadPerToken} once,
     * except that the embedding table contributes one row (unless it doubles as the output head).
     */
    public static long bytesReadPerToken(ModelSpec spec, WeightFormat precision) {
        List<TensorSpec> specs = spec.tensorSpecs();
        boolean tied = specs.stream().noneMatch(t -> t.name().endsWith("lm_head.weight") || t.name().equals("output.weight"));
        long bytes = 0;
        for (TensorSpec t : spec.tensorsReadPerToken()) {
            boolean embedding = t.name().endsWith("embedding.weight") || t.name().equals("tok_embeddings.weight");
            long elements = embedding && !tied ? t.shape()[1] : t.size();
            bytes += formatOf(t, precision, isOutputHead(spec, t)).bytes(elements);
        }
        return bytes;
    }
}
