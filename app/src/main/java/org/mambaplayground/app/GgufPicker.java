package org.mambaplayground.app;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import org.mambaplayground.downloader.Bytes;
import org.mambaplayground.downloader.GgufChoices;
import org.mambaplayground.engine.load.MachineMemory;
import org.mambaplayground.engine.load.MemoryEstimate;

/**
 * The GGUF files of a repository as a table to choose from: each quantization's size, the memory it needs to run
 * (the file is mapped whole, plus {@link MemoryEstimate#HEADROOM} for the state, the application and the OS)
 * against this machine, and the recommendation: the largest the engine runs that fits.
 */
final class GgufPicker {
    private GgufPicker() {}

    static long memoryNeeded(GgufChoices.Choice c) { return c.bytes() + MemoryEstimate.HEADROOM; }

    static boolean fits(GgufChoices.Choice c, MachineMemory machine) { return memoryNeeded(c) <= machine.availableBytes(); }

    /** The largest complete choice the engine runs that fits in what the machine has available. */
    static Optional<GgufChoices.Choice> recommend(List<GgufChoices.Choice> choices, MachineMemory machine) {
        return choices.stream().filter(c -> c.supported() && c.complete() && fits(c, machine)).findFirst();
    }

    static void print(PrintStream out, List<GgufChoices.Choice> choices, MachineMemory machine) {
        Optional<GgufChoices.Choice> best = recommend(choices, machine);
        out.printf("GGUF files (memory: %s available of %s):%n", Bytes.format(machine.availableBytes()), Bytes.format(machine.totalBytes()));
        for (GgufChoices.Choice c : choices) {
            String note = !c.supported() ? "types this engine does not run"
                    : !c.complete() ? "parts missing from the repository"
                    : fits(c, machine) ? "fits" + (best.isPresent() && best.get() == c ? "  <- recommended" : "")
                    : "does not fit (needs " + Bytes.format(memoryNeeded(c)) + ")";
            String parts = c.files().size() > 1 ? " (" + c.files().size() + " parts)" : "";
            out.printf("  %-10s %10s  %-44s %s%n", c.quantization(), Bytes.format(c.bytes()), c.name() + parts, note);
        }
    }
}
