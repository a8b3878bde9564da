package org.mambaplayground.gui.chat;

import java.util.concurrent.atomic.AtomicBoolean;
import javafx.application.Platform;
import org.mambaplayground.backend.ReplyListener;
import org.mambaplayground.backend.ReplyStats;

/**
 * Carries a generation's events from the generating thread to the FX thread in batches: pieces of text
 * are collected and handed over at most about 30 times a second (and at once for the first piece, the
 * end of prefill and the finish), with never more than one hand-over queued, so a fast model cannot
 * flood the UI and a slow one is shown token by token.
 */
public final class StreamBatcher implements ReplyListener {
    /** What the UI does with a batch; called on the FX thread. */
    public interface Sink {
        void prefill(int done, int total);

        void text(String appended);

        void finished(ReplyStats stats);
    }

    static final long MIN_INTERVAL_NANOS = 33_000_000L;

    private final Sink sink;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final StringBuilder text = new StringBuilder();
    private int prefillDone = -1;
    private int prefillTotal;
    private ReplyStats stats;
    private boolean sawText;
    private volatile long lastPost;

    public StreamBatcher(Sink sink) {
        this.sink = sink;
    }

    @Override
    public void onPrefill(int done, int total) {
        synchronized (this) {
            prefillDone = done;
            prefillTotal = total;
        }
        post(done == 0 || done == total);
    }

    @Override
    public void onText(String piece, int tokens) {
        boolean first;
        synchronized (this) {
            text.append(piece);
            first = !sawText && !piece.isEmpty();
            sawText |= first;
        }
        post(first);
    }

    @Override
    public void onFinished(ReplyStats finished) {
        synchronized (this) {
            stats = finished;
        }
        post(true);
    }

    /**
     * Hands over whatever is still collected (text that came within the last interval), at once: called when a
     * generation ended without a finish event (it failed), so what arrived before the failure is shown.
     */
    public void flush() { post(true); }

    private void post(boolean now) {
        long time = System.nanoTime();
        if (!now && time - lastPost < MIN_INTERVAL_NANOS) return;
        if (scheduled.compareAndSet(false, true)) {
            lastPost = time;
            Platform.runLater(this::drain);
        }
    }

    /** FX thread: hands over everything collected so far. */
    private void drain() {
        scheduled.set(false); // before taking the data: events after this point schedule a new drain
        int done;
        int total;
        String appended;
        ReplyStats finished;
        synchronized (this) {
            done = prefillDone;
            total = prefillTotal;
            prefillDone = -1;
            appended = text.toString();
            text.setLength(0);
            finished = stats;
            stats = null;
        }
        if (done >= 0) sink.prefill(done, total);
        if (!appended.isEmpty()) sink.text(appended);
        if (finished != null) sink.finished(finished);
    }
}
