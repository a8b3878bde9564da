package org.mambaplayground.engine.load;

import java.util.List;
import java.util.Locale;
import org.mambaplayground.engine.model.Architecture;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.model.Sizes;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * Memory a model needs at a precision, before it is loaded: its weights (memory-mapped, so they count against RAM
 * to run at full speed) plus the inference state at a context length, and whether that fits this machine.
 *
 * @param precision     the weight matrices' format (BF16 for the checkpoint as Mistral ships it)
 * @param kvFormat      the KV cache's format (transformers; null for the default; ignored for Mamba2)
 * @param contextTokens the context the state is counted at (capped at the model's longest)
 */
public record MemoryEstimate(ModelSpec spec, WeightFormat precision, WeightFormat kvFormat, long weightBytes, long stateBytes,
                             long contextTokens) {
    /** The precisions a user can choose for a checkpoint, from the largest to the smallest. */
    public static final List<WeightFormat> CHOICES = List.of(WeightFormat.BF16, WeightFormat.Q8_0, WeightFormat.Q4_0);
    /** Headroom kept free beside the model for the application, the OS and the page cache's working set. */
    public static final long HEADROOM = 1_000_000_000L;

    public static MemoryEstimate of(ModelSpec spec, WeightFormat precision, WeightFormat kvFormat, long contextTokens) {
        long context = spec.maxContext() > 0 ? Math.min(contextTokens, spec.maxContext()) : contextTokens;
        return new MemoryEstimate(spec, precision, kvFormat, spec.weightBytes(precision), spec.stateBytesAt(context, kvFormat), context);
    }

    public long totalBytes() { return weightBytes + stateBytes; }

    public boolean stateGrows() { return spec.architecture() == Architecture.TRANSFORMER; }

    /** Whether it fits in what the machine has available now, with {@link #HEADROOM} to spare. */
    public boolean fits(MachineMemory machine) { return totalBytes() + HEADROOM <= machine.availableBytes(); }

    /** e.g. "14.6 GB weights (BF16) + 276 MB state (the same at any context)". */
    public String describe() {
        String state = stateGrows()
                ? Sizes.bytes(stateBytes) + " KV cache" + (kvFormat == null ? "" : " (" + kvFormat + ")") + " at " + String.format(Locale.ROOT, "%,d", contextTokens) + " tokens"
                : Sizes.bytes(stateBytes) + " state (the same at any context)";
        return Sizes.bytes(weightBytes) + " weights (" + precision + ") + " + state;
    }

    /**
     * What to tell a user about this choice on {@code machine}: empty when it fits; otherwise how much is missing
     * and the largest precision that does fit, or that none does.
     */
    public String advice(MachineMemory machine) {
        if (fits(machine)) return "";
        String need = "needs " + Sizes.bytes(totalBytes()) + " but this machine has " + Sizes.bytes(machine.availableBytes())
                + " available (" + Sizes.bytes(machine.totalBytes()) + " in all)";
        for (WeightFormat p : CHOICES) {
            MemoryEstimate other = of(spec, p, kvFormat, contextTokens);
            if (other.weightBytes < weightBytes && other.fits(machine)) {
                return precision + " " + need + ": choose " + p + " (" + Sizes.bytes(other.totalBytes()) + ")";
            }
        }
        return precision + " " + need + "; no precision fits: it will run, but pages of weights will be read from disk again and again";
    }
}
