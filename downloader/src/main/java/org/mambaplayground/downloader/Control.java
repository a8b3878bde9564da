package org.mambaplayground.downloader;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.Call;

/**
 * Pause, resume and cancel shared by every worker of one download. Pausing or cancelling aborts the
 * HTTP calls in flight (their bytes are already in the part files); workers then park in
 * {@link #checkpoint()} until resumed, or leave with a {@link CancellationException}.
 */
final class Control {

    enum State { RUNNING, PAUSED, CANCELLED }

    private State state = State.RUNNING;
    private final Set<Call> calls = ConcurrentHashMap.newKeySet();

    synchronized State state() {
        return state;
    }

    synchronized boolean pause() {
        if (state != State.RUNNING) return false;
        state = State.PAUSED;
        abortCalls();
        notifyAll();
        return true;
    }

    synchronized boolean resume() {
        if (state != State.PAUSED) return false;
        state = State.RUNNING;
        notifyAll();
        return true;
    }

    synchronized boolean cancel() {
        if (state == State.CANCELLED) return false;
        state = State.CANCELLED;
        abortCalls();
        notifyAll();
        return true;
    }

    /** True when the current call was aborted on purpose (pause or cancel), not by the network. */
    synchronized boolean stopping() {
        return state != State.RUNNING;
    }

    /** Blocks while paused; throws when cancelled. */
    synchronized void checkpoint() {
        while (state == State.PAUSED) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted");
            }
        }
        if (state == State.CANCELLED) throw new CancellationException("download cancelled");
    }

    /** Sleeps, waking early when paused or cancelled (the caller's loop then checkpoints). */
    synchronized void sleep(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        while (state == State.RUNNING) {
            long left = end - System.nanoTime();
            if (left <= 0) return;
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted");
            }
        }
        checkpoint();
    }

    void register(Call call) {
        calls.add(call);
        if (stopping()) call.cancel();
    }

    void unregister(Call call) {
        calls.remove(call);
    }

    private void abortCalls() {
        calls.forEach(Call::cancel);
    }
}
