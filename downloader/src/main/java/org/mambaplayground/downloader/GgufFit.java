package org.mambaplayground.downloader;

import java.util.List;
import java.util.Optional;

/**
 * Which GGUF choices a machine runs from memory: a GGUF file is mapped whole, so a choice needs its size plus
 * {@code headroomBytes} for the state, the application and the OS, against what the machine has available now.
 * The command line's table and the download wizard both decide with this.
 *
 * @param availableBytes what the machine can use without swapping (MemAvailable)
 * @param totalBytes     the machine's memory in all (for display)
 * @param headroomBytes  kept free beside the weights
 */
public record GgufFit(long availableBytes, long totalBytes, long headroomBytes) {
    /** A choice as a user should see it, in the order they are checked. */
    public enum Verdict { UNSUPPORTED, INCOMPLETE, TOO_BIG, FITS }

    public long memoryNeeded(GgufChoices.Choice c) { return c.bytes() + headroomBytes; }

    public boolean fits(GgufChoices.Choice c) { return memoryNeeded(c) <= availableBytes; }

    public Verdict verdict(GgufChoices.Choice c) {
        if (!c.supported()) return Verdict.UNSUPPORTED;
        if (!c.complete()) return Verdict.INCOMPLETE;
        return fits(c) ? Verdict.FITS : Verdict.TOO_BIG;
    }

    /** The largest complete choice the engine runs that fits (choices come largest first, as GgufChoices lists them). */
    public Optional<GgufChoices.Choice> recommend(List<GgufChoices.Choice> choices) {
        return choices.stream().filter(c -> verdict(c) == Verdict.FITS).findFirst();
    }

    /**
     * What to preselect: the recommendation; when nothing fits, the smallest the engine runs (it runs, reading
     * pages of weights from disk again and again); the smallest of all when the engine runs none.
     */
    public GgufChoices.Choice preselect(List<GgufChoices.Choice> choices) {
        if (choices.isEmpty()) throw new IllegalArgumentException("no GGUF choices");
        return recommend(choices).or(() -> choices.reversed().stream()
                        .filter(c -> c.supported() && c.complete()).findFirst())
                .orElse(choices.getLast());
    }
}
