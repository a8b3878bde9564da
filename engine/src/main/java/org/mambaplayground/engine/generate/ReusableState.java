package org.mambaplayground.engine.generate;

import java.util.Arrays;
import org.mambaplayground.engine.model.InferenceState;
import org.mambaplayground.engine.model.Model;

/**
 * An inference state together with the tokens it has consumed, so a prompt that starts with those
 * tokens (the next turn of a conversation) only needs its new tail processed. A state cannot be
 * rewound: a prompt that diverges starts over from a fresh state.
 */
public final class ReusableState {
    private final Model model;
    private InferenceState state;
    private int[] consumed;

    public ReusableState(Model model) {
        this.model = model;
        reset();
    }

    private ReusableState(Model model, InferenceState state, int[] consumed) {
        this.model = model;
        this.state = state;
        this.consumed = consumed;
    }

    public InferenceState state() { return state; }

    /** The tokens the state has consumed, in order. */
    public int[] consumed() { return consumed.clone(); }

    public void reset() {
        state = model.newState();
        consumed = new int[0];
    }

    /**
     * Makes the state ready for {@code prompt} and returns the part of it still to be processed, never
     * empty: the tail after the consumed tokens when they are a strict prefix of it, else the whole
     * prompt on a fresh state.
     */
    public int[] prepare(int[] prompt) {
        // a failed or interrupted step can leave the state ahead of the tokens on record: start over then
        if (!isStrictPrefix(consumed, prompt) || state.position() != consumed.length) reset();
        return Arrays.copyOfRange(prompt, consumed.length, prompt.length);
    }

    /** True when {@link #prepare} would reuse the state (the consumed tokens start the prompt). */
    public boolean reuses(int[] prompt) {
        return consumed.length > 0 && state.position() == consumed.length && isStrictPrefix(consumed, prompt);
    }

    /**
     * Records what a generation fed into the state: the prepared tail and then the generated tokens, as
     * far as the state's position says they went in.
     */
    public void advance(int[] tail, int[] generated) {
        int total = state.position();
        int[] all = new int[consumed.length + tail.length + generated.length];
        System.arraycopy(consumed, 0, all, 0, consumed.length);
        System.arraycopy(tail, 0, all, consumed.length, tail.length);
        System.arraycopy(generated, 0, all, consumed.length + tail.length, generated.length);
        if (total > all.length || total < consumed.length) {
            reset(); // the state moved in a way the tokens cannot explain: do not trust it
            return;
        }
        consumed = Arrays.copyOf(all, total);
    }

    /** An independent checkpoint (copy of the state and its tokens). */
    public ReusableState copy() { return new ReusableState(model, state.copy(), consumed.clone()); }

    private static boolean isStrictPrefix(int[] prefix, int[] tokens) {
        if (prefix.length >= tokens.length) return false;
        for (int i = 0; i < prefix.length; i++) if (prefix[i] != tokens[i]) return false;
        return true;
    }
}
