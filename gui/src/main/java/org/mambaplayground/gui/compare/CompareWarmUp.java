package org.mambaplayground.gui.compare;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.ChatSession;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.generate.WarmUp;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.gui.models.LoadChoice;

/**
 * Warms a model up before its first timed comparison, once per model folder and load choice: on a cold JVM
 * the first prefill is several times slower than the next (the JIT is still compiling the kernels), so
 * without it the first run of a model measured the compiler, not the model. The engine's warm-up runs the
 * kernels, then one untimed, unrecorded answer to the same prompt takes the timed run's exact path (its
 * prompt length and chat format), as the sweep's unplotted first run does.
 */
final class CompareWarmUp {
    /** Tokens of the untimed answer: enough to compile the decode step, short for a large model. */
    static final int ANSWER_TOKENS = 4;
    /** Untimed answers at most: each round repeats while the prefill still gets markedly faster. */
    static final int MAX_ROUNDS = 3;
    private static final double SETTLED = 0.8;

    /** A finished warm-up: which model and choice, and when it ended (before that model's timed run). */
    record Warmed(Path folder, LoadChoice choice, Instant finished) {}

    private final Set<String> warm = new HashSet<>();
    private final List<Warmed> history = new ArrayList<>();

    synchronized boolean isWarm(Path folder, LoadChoice choice) { return warm.contains(key(folder, choice)); }

    /**
     * Warms {@code model} unless it already was with this choice. Background thread. A cancelled warm-up does
     * not count, so the next run warms again.
     *
     * @return true when it ran to the end now
     */
    boolean warm(LoadedModel model, LoadChoice choice, String prompt, boolean chatFormat, CancellationToken cancel) {
        if (isWarm(model.folder(), choice)) return false;
        WarmUp.run(model.model(), cancel);
        if (cancel.isCancelled()) return false;
        double previous = Double.MAX_VALUE;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            double prefill = new ChatSession(model.model(), model.tokenizer(), model.chatFormat(), chatFormat)
                    .send(prompt, SamplingOptions.greedy(ANSWER_TOKENS), cancel, null).stats().prefillMillis();
            if (cancel.isCancelled()) return false;
            if (prefill > previous * SETTLED) break; // no faster than the round before: compiled
            previous = prefill;
        }
        synchronized (this) {
            warm.add(key(model.folder(), choice));
            history.add(new Warmed(model.folder(), choice, Instant.now()));
        }
        return true;
    }

    /** Every warm-up that ran to the end, oldest first. */
    synchronized List<Warmed> history() { return List.copyOf(history); }

    private static String key(Path folder, LoadChoice choice) {
        return folder.toAbsolutePath().normalize() + "|" + choice;
    }
}
