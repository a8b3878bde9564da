package org.mambaplayground.gui.library;

import java.nio.file.Files;
import java.nio.file.Path;
import org.mambaplayground.engine.load.MachineMemory;
import org.mambaplayground.engine.load.MemoryEstimate;
import org.mambaplayground.engine.model.Sizes;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.gui.models.LoadChoice;
import org.mambaplayground.gui.shell.Formats;

/** Words for the precision choice: fit against this machine, the converted copy's state, the machine itself. */
final class PrecisionText {
    private PrecisionText() {}

    /** "fits" or "does not fit in 12.3 GB available". */
    static String fit(MemoryEstimate estimate, MachineMemory machine) {
        return estimate.fits(machine) ? "fits" : "does not fit in " + Sizes.bytes(machine.availableBytes()) + " available";
    }

    /** "This machine: 12.3 GB available of 31.2 GB". */
    static String machine(MachineMemory machine) {
        return "This machine: " + Sizes.bytes(machine.availableBytes()) + " available of " + Sizes.bytes(machine.totalBytes());
    }

    /**
     * What loading at this precision does on disk: maps the checkpoint, reuses the converted copy, or converts once
     * (the copy's size is the estimate's weight bytes).
     */
    static String copy(Path folder, MemoryEstimate estimate) {
        WeightFormat precision = estimate.precision();
        if (!precision.quantized() || folder == null) return "Maps the checkpoint as it is: nothing is converted.";
        Path copy = LoadChoice.copyOf(folder, precision);
        if (Files.isRegularFile(copy)) return "Converted copy ready: " + copy;
        return "Will be converted once, about " + Sizes.bytes(estimate.weightBytes()) + " written to " + copy.getParent();
    }

    /** A combo box's line for a context length: "4k tokens". */
    static String context(long tokens) { return Formats.tokens(tokens) + " tokens"; }

    /** A combo box's line for a KV cache format: "F16 (default)". */
    static String kvFormat(WeightFormat kv) {
        return kv.equals(LoadChoice.DEFAULT.kvFormat()) ? kv.name() + " (default)" : kv.name();
    }
}
