package org.mambaplayground.gui.metrics;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.mambaplayground.engine.generate.CancellationToken;

/**
 * Lets one of the app's generations (a chat answer, one prompt of a sweep, one side of a comparison) run
 * at a time, so two of them never share the CPU cores and skew each other's measured timings. Waiting
 * happens on the background thread, never on the FX thread, and gives up when the work is cancelled.
 */
public final class GenerationGate {
    private final Semaphore permit = new Semaphore(1, true);

    /** Held while a generation runs; closing it lets the next one in. */
    public final class Pass implements AutoCloseable {
        private boolean closed;

        private Pass() {}

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                permit.release();
            }
        }
    }

    /**
     * Waits until no other generation runs. Calls {@code whenWaiting} once if it has to wait (to say so
     * in the UI). Returns null when {@code cancel} is set while waiting.
     */
    public Pass enter(CancellationToken cancel, Runnable whenWaiting) {
        if (permit.tryAcquire()) return new Pass();
        whenWaiting.run();
        try {
            while (!permit.tryAcquire(50, TimeUnit.MILLISECONDS)) {
                if (cancel.isCancelled()) return null;
            }
            return new Pass();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** True while a generation holds the gate. */
    public boolean busy() { return permit.availablePermits() == 0; }
}
