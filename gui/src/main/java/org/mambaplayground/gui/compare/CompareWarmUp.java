package org.mambaplayground.gui.compare;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.mambaplayground.backend.ModelBackend;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.gui.models.LoadChoice;

/**
 * Warms a model up before its first timed comparison, once per model (a local folder and load choice, or a remote
 * model): on a cold JVM the first prefill is several times slower than the next (the JIT is still compiling the
 * kernels), so without it the first run of a model measured the compiler, not the model. The backend's warm-up
 * runs untimed and unrecorded (locally: the kernels, then answers to the same prompt in the timed run's exact
 * path, as the sweep's unplotted first run does).
 */
final class CompareWarmUp {
    /** A finished warm-up: which model (a local folder and choice; null for a remote one), and when it ended. */
    record Warmed(String model, Path folder, LoadChoice choice, Instant finished) {}

    private final Set<String> warm = new HashSet<>();
    private final List<Warmed> history = new ArrayList<>();

    synchronized boolean isWarm(String key) { return warm.contains(key); }

    /** The key of a local model at a load choice; a remote one is keyed by its label. */
    static String key(ModelBackend backend, Path folder, LoadChoice choice) {
        return folder == null ? "remote|" + backend.label() : folder.toAbsolutePath().normalize() + "|" + choice;
    }

    /**
     * Warms {@code backend} unless it already was. Background thread. A cancelled warm-up does not count, so the
     * next run warms again.
     *
     * @return true when it ran to the end now
     */
    boolean warm(ModelBackend backend, Path folder, LoadChoice choice, String prompt, boolean chatFormat, CancellationToken cancel) {
        String key = key(backend, folder, choice);
        if (isWarm(key)) return false;
        backend.warmUp(prompt, chatFormat, cancel);
        if (cancel.isCancelled()) return false;
        synchronized (this) {
            warm.add(key);
            history.add(new Warmed(backend.name(), folder, choice, Instant.now()));
        }
        return true;
    }

    /** Every warm-up that ran to the end, oldest first. */
    synchronized List<Warmed> history() { return List.copyOf(history); }
}
