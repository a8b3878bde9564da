package org.mambaplayground.app;

import java.io.PrintStream;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.mambaplayground.downloader.Bytes;
import org.mambaplayground.downloader.DownloadListener;
import org.mambaplayground.downloader.FileProgress;
import org.mambaplayground.downloader.Progress;

/**
 * A one-line progress bar redrawn with a carriage return (percent, bytes, speed, ETA, files), with file
 * events (done, retrying, failed) printed above it. Without a terminal it prints a plain line every few seconds.
 */
final class TerminalProgress implements DownloadListener {

    private static final int BAR = 24;
    private static final long PLAIN_EVERY_NANOS = 5_000_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private int lastWidth;
    private long lastPlain;
    private Progress last;
    private final Set<String> slowVerifications = new HashSet<>();

    TerminalProgress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public synchronized void onProgress(Progress p) {
        last = p;
        if (terminal) {
            redraw(line(p));
        } else if (System.nanoTime() - lastPlain > PLAIN_EVERY_NANOS) {
            lastPlain = System.nanoTime();
            out.println(line(p));
        }
    }

    @Override
    public synchronized void onFile(FileProgress f) {
        String message = switch (f.phase()) {
            case DONE -> "done       " + f.path() + " (" + Bytes.format(f.bytesTotal()) + ")";
            case RETRYING -> "retrying   " + f.path() + ": " + f.detail();
            case WAITING_FOR_LOCK -> "waiting    " + f.path() + ": " + f.detail();
            case FAILED -> "failed     " + f.path() + ": " + (f.error() != null ? f.error().getMessage() : f.detail());
            // Announced once, and only when it takes long enough to report a percentage (the hash fell behind).
            case VERIFYING -> f.detail().endsWith("%") && slowVerifications.add(f.path())
                    ? "verifying  " + f.path() + " (" + Bytes.format(f.bytesTotal()) + ")" : null;
            default -> null;
        };
        if (message == null) return;
        if (terminal) {
            out.print("\r" + " ".repeat(lastWidth) + "\r");
            lastWidth = 0;
        }
        out.println(message);
        if (terminal && last != null) redraw(line(last));
    }

    /** Ends the bar's line so what follows starts on a fresh one. */
    synchronized void finish() {
        if (last != null) {
            if (terminal) out.println();
            else out.println(line(last));
        }
    }

    private void redraw(String line) {
        int pad = Math.max(0, lastWidth - line.length());
        out.print("\r" + line + " ".repeat(pad));
        out.flush();
        lastWidth = line.length();
    }

    static String line(Progress p) {
        double f = p.fraction();
        int filled = (int) Math.round(f * BAR);
        String bar = "#".repeat(filled) + "-".repeat(BAR - filled);
        String state = p.paused() ? "paused" : Bytes.speed(p.bytesPerSecond()) + "  ETA " + Bytes.duration(p.eta());
        return String.format(Locale.ROOT, "[%s] %5.1f%%  %s / %s  %s  %d/%d files", bar, f * 100, Bytes.format(p.bytesDone()),
                Bytes.format(p.bytesTotal()), state, p.filesDone(), p.filesTotal());
    }
}
