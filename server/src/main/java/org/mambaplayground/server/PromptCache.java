package org.mambaplayground.server;

import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.GenerationListener;
import org.mambaplayground.engine.generate.GenerationResult;
import org.mambaplayground.engine.generate.GenerationStats;
import org.mambaplayground.engine.generate.Generator;
import org.mambaplayground.engine.generate.ReusableState;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.generate.StateCheckpoints;
import org.mambaplayground.engine.model.InferenceState;

/**
 * What a worker remembers of the requests it ran, so that a request continuing an earlier conversation only has
 * its new tokens processed. Matching is on tokens, never text: the state is reused when what it read starts the
 * new prompt; a KV cache rewinds to the longest common prefix; a Mamba2 state, which cannot rewind, goes back to
 * the checkpoint taken when an earlier prompt had been read (a client resends the answer as text, whose tokens
 * rarely are the ones sampled, so the state after the answer seldom matches, but the one before it does).
 * The same prompt again (another sample) reads nothing. One job at a time, on the worker's thread.
 */
final class PromptCache {
    /** Two Mamba2 copies at most (Codestral Mamba 7B: 2 x 276 MB); a KV cache's checkpoints hold only logits. */
    static final int CHECKPOINTS = 4;
    static final long CHECKPOINT_BYTES = 600L << 20;

    private final Generator generator;
    private final ReusableState state;

    PromptCache(Generator generator) {
        this.generator = generator;
        this.state = new ReusableState(generator.model(), new StateCheckpoints(CHECKPOINTS, CHECKPOINT_BYTES));
    }

    /** Generates for {@code prompt}; the result's {@link GenerationStats#promptTokens()} counts the tokens really processed. */
    GenerationResult generate(int[] prompt, SamplingOptions options, int[] stopTokens, CancellationToken cancel,
                              GenerationListener listener) {
        GenerationListener events = listener == null ? new GenerationListener() {} : listener;
        ReusableState.Prepared prepared = state.prepare(prompt);
        try {
            GenerationResult result = generator.generate(state.state(), prepared.tail(), prepared.logits(), options, stopTokens,
                    cancel, new GenerationListener() {
                        @Override public void onPromptRead(InferenceState s, float[] logits) {
                            if (prepared.tail().length > 0) state.checkpoint(prompt, logits); // else it is one already
                        }
                        @Override public void onPrefillProgress(int done, int total) { events.onPrefillProgress(done, total); }
                        @Override public void onToken(int token, String text) { events.onToken(token, text); }
                        @Override public void onFinished(GenerationStats stats) { events.onFinished(stats); }
                    });
            state.advance(prepared.tail(), result.tokens(), result.nextLogits());
            return result;
        } catch (RuntimeException e) {
            state.reset(); // a failed step may have left the state half-updated
            throw e;
        }
    }
}
