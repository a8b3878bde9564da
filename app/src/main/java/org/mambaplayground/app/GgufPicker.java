package org.mambaplayground.app;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import org.mambaplayground.downloader.Bytes;
import org.mambaplayground.downloader.GgufChoices;
import org.mambaplayground.downloader.GgufFit;
import org.mambaplayground.engine.load.MachineMemory;
import org.mambaplayground.engine.load.MemoryEstimate;

/**
 * The GGUF files of a repository as a table to choose from: each quantization's size, whether it fits this
 * machine ({@link GgufFit}: the file mapped whole plus {@link MemoryEstimate#HEADROOM}), and the recommendation.
 */
final class GgufPicker {
    private GgufPicker() {}

    static GgufFit fit(MachineMemory machine) {
        return new GgufFit(machine.availableBytes(), machine.totalBytes(), MemoryEstimate.HEADROOM);
    }

    static void print(PrintStream out, List<GgufChoices.Choice> choices, GgufFit fit) {
        Optional<GgufChoices.Choice> best = fit.recommend(choices);
        out.printf("GGUF files (memory: %s available of %s):%n", Bytes.format(fit.availableBytes()), Bytes.format(fit.totalBytes()));
        for (GgufChoices.Choice c : choices) {
            String note = switch (fit.verdict(c)) {
                case UNSUPPORTED -> "types this engine does not run";
                case INCOMPLETE -> "parts missing from the repository";
                case FITS -> "fits" + (best.isPresent() && best.get() == c ? "  <- recommended" : "");
                case TOO_BIG -> "does not fit (needs " + Bytes.format(fit.memoryNeeded(c)) + ")";
            };
            String parts = c.files().size() > 1 ? " (" + c.files().size() + " parts)" : "";
            out.printf("  %-10s %10s  %-44s %s%n", c.quantization(), Bytes.format(c.bytes()), c.name() + parts, note);
        }
    }
}
