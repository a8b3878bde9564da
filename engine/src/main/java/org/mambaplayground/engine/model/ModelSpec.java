package org.mambaplayground.engine.model;

/**
 * Architecture facts of a configuration, for the library, the memory estimate and the comparison table.
 * Implemented by each architecture's config; all arithmetic about the model lives here, not in the GUI.
 */
public interface ModelSpec {
    Architecture architecture();

    int layers();

    int dim();

    int vocabularySize();

    /** Total parameter count of the weights. */
    long parameterCount();

    /** Bytes of the weights stored at {@code precision} (BF16: as Mistral ships them; Q8_0, Q4_0: quantized matrices). */
    default long weightBytes(org.mambaplayground.engine.tensor.format.WeightFormat precision) {
        return PrecisionPlan.weightBytes(this, precision);
    }

    /**
     * The tensors one token's forward pass multiplies with: all of them, except in a mixture of experts, where
     * only {@code num_experts_per_tok} of each layer's experts run (the first ones stand for whichever are chosen:
     * all experts have the same shapes).
     */
    default java.util.List<TensorSpec> tensorsReadPerToken() { return tensorSpecs(); }

    /** Parameters used per token (Mixtral 8x7B: 12.9B of its 46.7B; a dense model: all of them). */
    default long parametersPerToken() {
        return tensorsReadPerToken().stream().mapToLong(TensorSpec::size).sum();
    }

    /** Weight bytes one decode step reads at {@code precision} (see {@link PrecisionPlan#bytesReadPerToken}). */
    default long weightBytesPerToken(org.mambaplayground.engine.tensor.format.WeightFormat precision) {
        return PrecisionPlan.bytesReadPerToken(this, precision);
    }

    /** Bytes of one expert's weights at {@code precision} in a mixture of experts; 0 for a dense model. */
    default long expertBytes(org.mambaplayground.engine.tensor.format.WeightFormat precision) { return 0; }

    /** Experts one decode step runs, all layers together (Mixtral: 2 x 32); 0 for a dense model. */
    default int expertsPerToken() { return 0; }

    /** The tensor that projects to the logits (the embedding itself when they are tied). */
    TensorSpec outputHead();

    /**
     * Bytes of inference state after {@code contextTokens} tokens in the architecture's default storage (Mamba2:
     * F32; a transformer's KV cache: {@code TransformerConfig.DEFAULT_KV_FORMAT}): the analytic formula.
     */
    long stateBytesAt(long contextTokens);

    /**
     * The same with the KV cache stored in {@code kvFormat} (transformers); a Mamba2 state is always F32, since it
     * is small and its recurrence accumulates rounding error.
     */
    default long stateBytesAt(long contextTokens, org.mambaplayground.engine.tensor.format.WeightFormat kvFormat) {
        return stateBytesAt(contextTokens);
    }

    /** Longest context the model supports (tokens), or -1 when unbounded (Mamba2). */
    long maxContext();

    /** Every tensor consolidated.safetensors holds for this configuration, with its exact shape. */
    java.util.List<TensorSpec> tensorSpecs();

    /** params.json as Mistral writes it for this configuration. */
    com.fasterxml.jackson.databind.node.ObjectNode toParams();

    /** Short human-readable rows for the comparison table: name -> value. */
    java.util.SequencedMap<String, String> describe();
}
