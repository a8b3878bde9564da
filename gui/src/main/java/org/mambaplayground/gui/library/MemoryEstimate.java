package org.mambaplayground.gui.library;

import org.mambaplayground.engine.model.Architecture;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.model.Sizes;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.gui.shell.Formats;

/**
 * Memory a model needs before it is loaded: its weights (BF16 on disk, memory-mapped) plus the inference
 * state at a context length. All numbers come from the engine's {@link ModelSpec}.
 */
public record MemoryEstimate(long weightBytes, long stateBytes, long contextTokens, boolean stateGrows) {

    /** For a model not on disk yet: BF16 weights, as the real checkpoints ship. */
    public static MemoryEstimate of(ModelSpec spec, long contextTokens) {
        return of(spec, contextTokens, spec.weightBytes(WeightFormat.BF16));
    }

    /** @param weightBytes size of the weights file on disk (it is mapped as it is, whatever its dtype) */
    public static MemoryEstimate of(ModelSpec spec, long contextTokens, long weightBytes) {
        long context = spec.maxContext() > 0 ? Math.min(contextTokens, spec.maxContext()) : contextTokens;
        return new MemoryEstimate(weightBytes, spec.stateBytesAt(context), context,
                spec.architecture() == Architecture.TRANSFORMER);
    }

    public long totalBytes() { return weightBytes + stateBytes; }

    /** e.g. "14.6 GB weights + 38.3 MB state (the same at any context)". */
    public String describe() {
        String state = stateGrows
                ? Sizes.bytes(stateBytes) + " KV cache at " + Formats.tokens(contextTokens) + " tokens"
                : Sizes.bytes(stateBytes) + " state (the same at any context)";
        return Sizes.bytes(weightBytes) + " weights + " + state;
    }
}
