package org.mambaplayground.engine.generate;

import java.util.Arrays;
import org.mambaplayground.engine.model.InferenceState;
import org.mambaplayground.engine.model.Model;

/**
 * An inference state together with the tokens it has consumed, and its {@link StateCheckpoints}, so that a
 * token sequence is made ready by processing as little of it as possible: the state is reused when its tokens
 * start the sequence; a KV cache is rewound to the longest common prefix (no copy); otherwise the longest
 * checkpoint copy that starts the sequence is restored (Mamba2); only then does it start over. Not thread-safe.
 */
public final class ReusableState {
    /** What {@link #prepare} left to do: the tokens still to feed, or none and the logits to sample from. */
    public record Prepared(int[] tail, float[] logits, int reused) {}

    private final Model model;
    private final StateCheckpoints checkpoints;
    private InferenceState state;
    private int[] consumed;
    /** The logits after {@link #consumed} when known (kept from the last feed or restored checkpoint), else null. */
    private float[] logits;

    public ReusableState(Model model) { this(model, new StateCheckpoints()); }

    public ReusableState(Model model, StateCheckpoints checkpoints) {
        this.model = model;
        this.checkpoints = checkpoints;
        reset();
    }

    public InferenceState state() { return state; }

    /** The tokens the state has consumed, in order. */
    public int[] consumed() { return consumed.clone(); }

    public StateCheckpoints checkpoints() { return checkpoints; }

    /** Starts over from a fresh state (checkpoints are kept: they still describe their own tokens). */
    public void reset() {
        state = model.newState();
        consumed = new int[0];
        logits = null;
    }

    /**
     * Makes the state hold a prefix of {@code tokens} (never empty) and returns the rest to feed. The tail is
     * empty only when logits for the whole sequence are known (a checkpoint, or the state's last feed), so a
     * regeneration from a checkpoint reads no token at all.
     */
    public Prepared prepare(int[] tokens) {
        if (tokens.length == 0) throw new IllegalArgumentException("there are no tokens to prepare");
        // a failed or interrupted step can leave the state ahead of the tokens on record: do not trust it then
        if (state.position() != consumed.length) reset();
        int reused = reuse(tokens, tokens.length);
        float[] known = reused == tokens.length ? logitsAfter(tokens) : null;
        if (reused == tokens.length && known == null) reused = reuse(tokens, tokens.length - 1); // need >= 1 token
        return new Prepared(Arrays.copyOfRange(tokens, reused, tokens.length), known, reused);
    }

    /** Prepares {@code tokens} and feeds the rest: the state then holds exactly them. Returns the next logits. */
    public float[] feed(int[] tokens) {
        Prepared p = prepare(tokens);
        if (p.tail().length == 0) return p.logits();
        float[] next = model.prefill(state, p.tail());
        consumed = tokens.clone();
        logits = next;
        return next;
    }

    /**
     * Keeps the point where the state holds exactly {@code tokens} (it may be ahead of the record in the middle
     * of a generation), with the {@code next} logits and, when the state cannot rewind, a copy of it.
     */
    public void checkpoint(int[] tokens, float[] next) {
        if (state.position() != tokens.length) {
            throw new IllegalStateException("the state holds " + state.position() + " tokens, not the " + tokens.length + " to checkpoint");
        }
        checkpoints.add(new StateCheckpoints.Checkpoint(tokens.clone(), state.rewinds() ? null : state.copy(), next.clone()));
    }

    /**
     * Records what a generation fed into the state: the prepared tail and then the generated tokens, as far as
     * the state's position says they went in; {@code next} (may be null) are the logits after them.
     */
    public void advance(int[] tail, int[] generated, float[] next) {
        int total = state.position();
        int[] all = new int[consumed.length + tail.length + generated.length];
        System.arraycopy(consumed, 0, all, 0, consumed.length);
        System.arraycopy(tail, 0, all, consumed.length, tail.length);
        System.arraycopy(generated, 0, all, consumed.length + tail.length, generated.length);
        logits = null;
        if (total > all.length || total < consumed.length) {
            reset(); // the state moved in a way the tokens cannot explain: do not trust it
            return;
        }
        consumed = Arrays.copyOf(all, total);
        logits = next;
    }

    /** Goes to the best starting point for {@code tokens} among at most {@code limit} of them; returns its length. */
    private int reuse(int[] tokens, int limit) {
        int common = Math.min(limit, commonPrefix(consumed, tokens));
        int live = common == consumed.length || state.canRewindTo(common) ? common : 0;
        StateCheckpoints.Checkpoint copy = checkpoints.longestCopyWithin(tokens, limit);
        if (copy != null && copy.tokens().length > live) {
            state = copy.state().copy(); // the checkpoint stays, for the next time
            consumed = copy.tokens().clone();
            logits = copy.logits();
            return consumed.length;
        }
        if (live == 0) {
            reset();
            return 0;
        }
        if (live < consumed.length) {
            state.rewindTo(live);
            consumed = Arrays.copyOf(consumed, live);
            logits = null;
        }
        return live;
    }

    private float[] logitsAfter(int[] tokens) {
        if (logits != null && Arrays.equals(consumed, tokens)) return logits;
        return checkpoints.logitsFor(tokens);
    }

    private static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        int i = Arrays.mismatch(a, 0, n, b, 0, n);
        return i < 0 ? n : i;
    }
}
