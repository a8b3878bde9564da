package org.mambaplayground.server;

import org.mambaplayground.engine.generate.CancellationToken;

/**
 * Lets an application that embeds the server admit one generation at a time across all its work: the GUI
 * passes its gate, so a served request never shares the cores with a chat answer, a comparison or a sweep
 * (and none of their timings is skewed by the other).
 */
@FunctionalInterface
public interface GenerationGuard {
    /** Admits every generation at once: the standalone server. */
    GenerationGuard NONE = cancel -> () -> {};

    /** Waits until the generation may run; null when {@code cancel} was set while waiting. */
    Admission enter(CancellationToken cancel);

    /** Held while the generation runs. */
    interface Admission extends AutoCloseable {
        @Override void close();
    }
}
