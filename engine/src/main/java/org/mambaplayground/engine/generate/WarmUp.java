package org.mambaplayground.engine.generate;

import org.mambaplayground.engine.model.InferenceState;
import org.mambaplayground.engine.model.Model;

/**
 * Runs a model once on a throwaway state so the JIT compiles its kernels before the first real prompt:
 * on a cold JVM the first prefill is many times slower than the next (seconds even for a small model),
 * because the Vector API is only fast once compiled.
 */
public final class WarmUp {
    private static final int PROMPT_TOKENS = 16;
    private static final int DECODE_STEPS = 3;

    private WarmUp() {}

    /** Prefills a short prompt and decodes a few tokens; returns the milliseconds spent (up to the cancel, if any). */
    public static double run(Model model, CancellationToken cancel) {
        long start = System.nanoTime();
        int vocabulary = model.spec().vocabularySize();
        int[] prompt = new int[PROMPT_TOKENS];
        for (int i = 0; i < prompt.length; i++) prompt[i] = (i * 7919 + 1) % vocabulary;
        InferenceState state = model.newState();
        for (int from = 0; from < prompt.length; from += 8) {
            if (cancel != null && cancel.isCancelled()) return (System.nanoTime() - start) / 1e6;
            model.prefill(state, java.util.Arrays.copyOfRange(prompt, from, Math.min(prompt.length, from + 8)));
        }
        for (int i = 0; i < DECODE_STEPS; i++) {
            if (cancel != null && cancel.isCancelled()) break;
            model.decode(state, prompt[i]);
        }
        return (System.nanoTime() - start) / 1e6;
    }
}
