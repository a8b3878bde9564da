package org.mambaplayground.gui.library;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mambaplayground.engine.load.MachineMemory;
import org.mambaplayground.engine.load.MemoryEstimate;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.models.LoadChoice;
import org.mambaplayground.gui.models.ModelHandle;
import org.mambaplayground.gui.models.ModelManager;

/**
 * The precision and KV cache format the user chose for each library entry, for this session only. An entry not
 * chosen for yet shows the precision its model is active at, or else the largest that fits the machine. Shared by
 * the views that load library entries; read on the FX thread.
 */
public final class LoadChoices {
    /** The context a default is chosen at where no view picks one (a transformer's KV cache grows with it). */
    public static final long DEFAULT_CONTEXT = 4096;
    private final Map<Path, LoadChoice> chosen = new HashMap<>();
    private final ModelManager models;

    LoadChoices(ModelManager models) { this.models = models; }

    /** The application's instance. */
    public static LoadChoices of(AppContext ctx) {
        return ctx.shared(LoadChoices.class, () -> new LoadChoices(ctx.models()));
    }

    /** What {@code entry} loads with: the user's choice, else its active precision, else the largest that fits. */
    public LoadChoice choiceFor(LibraryEntry entry, long contextTokens, MachineMemory machine) {
        if (entry.folder() != null) {
            Path folder = key(entry.folder());
            LoadChoice remembered = chosen.get(folder);
            if (remembered != null) return remembered;
            ModelHandle active = models.getActiveModel();
            if (active != null && key(active.folder()).equals(folder)) return active.choice();
        }
        return defaultFor(entry, contextTokens, machine);
    }

    /** As {@link #choiceFor}, for the library's entry of {@code folder}; the checkpoint as it is for a folder it does not list. */
    public LoadChoice choiceFor(Path folder, List<LibraryEntry> entries, MachineMemory machine) {
        Path wanted = key(folder);
        return entries.stream().filter(e -> e.folder() != null && key(e.folder()).equals(wanted)).findFirst()
                .map(e -> choiceFor(e, DEFAULT_CONTEXT, machine)).orElse(LoadChoice.DEFAULT);
    }

    public void remember(LibraryEntry entry, LoadChoice choice) {
        if (entry.folder() != null) chosen.put(key(entry.folder()), choice);
    }

    /** What an entry nobody chose for loads with: a GGUF file as stored, a checkpoint at the largest precision that fits. */
    static LoadChoice defaultFor(LibraryEntry entry, long contextTokens, MachineMemory machine) {
        if (entry.spec() == null || entry.gguf()) return LoadChoice.DEFAULT;
        return LoadChoice.DEFAULT.withPrecision(largestFitting(entry.spec(), LoadChoice.DEFAULT.kvFormat(), contextTokens, machine));
    }

    /** The largest of {@link MemoryEstimate#CHOICES} that fits; the smallest when none does (it runs, slowly). */
    static WeightFormat largestFitting(ModelSpec spec, WeightFormat kvFormat, long contextTokens, MachineMemory machine) {
        for (WeightFormat p : MemoryEstimate.CHOICES) {
            if (MemoryEstimate.of(spec, p, kvFormat, contextTokens).fits(machine)) return p;
        }
        return MemoryEstimate.CHOICES.getLast();
    }

    private static Path key(Path folder) { return folder.toAbsolutePath().normalize(); }
}
