package org.mambaplayground.engine.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mambaplayground.engine.model.InferenceState;

/**
 * A bounded store of points a conversation can go back to without reading its tokens again: each is the token
 * sequence read so far, the logits that predict the next token, and, for a state that cannot rewind (Mamba2), a
 * copy of the state. A KV cache rewinds instead, so its checkpoints hold no copy (only tokens and logits).
 * Bounded by a count and by bytes; the least recently used checkpoint goes first. Not thread-safe.
 */
public final class StateCheckpoints {
    /** 8 checkpoints and 1 GiB: three copies of Codestral Mamba 7B's 276 MB state, hundreds of the demo's. */
    public static final int DEFAULT_MAX_COUNT = 8;
    public static final long DEFAULT_MAX_BYTES = 1L << 30;

    /** One point: {@code state} is null when the live state rewinds to it. */
    public record Checkpoint(int[] tokens, InferenceState state, float[] logits) {
        public long bytes() {
            return (state == null ? 0 : state.bytes()) + (long) Float.BYTES * logits.length + (long) Integer.BYTES * tokens.length;
        }
    }

    private final int maxCount;
    private final long maxBytes;
    /** Least recently used first. */
    private final List<Checkpoint> entries = new ArrayList<>();

    public StateCheckpoints() { this(DEFAULT_MAX_COUNT, DEFAULT_MAX_BYTES); }

    public StateCheckpoints(int maxCount, long maxBytes) {
        if (maxCount < 0 || maxBytes < 0) throw new IllegalArgumentException("checkpoint limits must be >= 0, got " + maxCount + " and " + maxBytes);
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
    }

    public int maxCount() { return maxCount; }

    public long maxBytes() { return maxBytes; }

    /** How many checkpoints are held now. */
    public int count() { return entries.size(); }

    /** Bytes the held checkpoints take (state copies, logits, tokens). */
    public long bytes() {
        long total = 0;
        for (Checkpoint c : entries) total += c.bytes();
        return total;
    }

    /** Keeps {@code checkpoint} (replacing one of the same tokens), then drops the least recently used over the limits. */
    public void add(Checkpoint checkpoint) {
        entries.removeIf(c -> Arrays.equals(c.tokens(), checkpoint.tokens()));
        entries.add(checkpoint);
        while (!entries.isEmpty() && (entries.size() > maxCount || bytes() > maxBytes)) entries.removeFirst();
    }

    /** The checkpoint with a state copy whose tokens are the longest prefix of {@code tokens} not longer than {@code limit}. */
    public Checkpoint longestCopyWithin(int[] tokens, int limit) {
        Checkpoint best = null;
        for (Checkpoint c : entries) {
            if (c.state() != null && c.tokens().length <= limit && (best == null || c.tokens().length > best.tokens().length)
                    && isPrefix(c.tokens(), tokens)) best = c;
        }
        if (best != null) touch(best);
        return best;
    }

    /** The logits kept for exactly this token sequence, or null. */
    public float[] logitsFor(int[] tokens) {
        for (Checkpoint c : entries) {
            if (Arrays.equals(c.tokens(), tokens)) {
                touch(c);
                return c.logits();
            }
        }
        return null;
    }

    public void clear() { entries.clear(); }

    private void touch(Checkpoint c) {
        entries.remove(c);
        entries.add(c);
    }

    static boolean isPrefix(int[] prefix, int[] tokens) {
        return prefix.length <= tokens.length && Arrays.equals(prefix, 0, prefix.length, tokens, 0, prefix.length);
    }
}
