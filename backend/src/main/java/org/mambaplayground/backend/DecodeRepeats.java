package org.mambaplayground.backend;

import java.util.ArrayList;
import java.util.List;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.GenerationListener;
import org.mambaplayground.engine.generate.GenerationResult;
import org.mambaplayground.engine.generate.GenerationStats;
import org.mambaplayground.engine.generate.Generator;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.model.InferenceState;

/**
 * Prefills a prompt once, then decodes the same short answer several times from the state the prompt left
 * (a KV cache rewinds to it, a Mamba2 state is copied): one short sample of ms per token swings with a
 * pause or a busy core, the median of a few does not.
 */
final class DecodeRepeats {
    /** The engine's figures of every repeat (the first holds the prefill) and their median ms per token. */
    record Measured(List<GenerationResult> repeats, GenerationStats stats) {
        double[] millisPerToken() { return repeats.stream().mapToDouble(r -> r.stats().millisPerToken()).toArray(); }
    }

    private DecodeRepeats() {}

    /**
     * @param afterRepeat told the number of repeats done so far
     * @return null when cancelled before the first repeat ended; otherwise the repeats done (fewer when
     *         cancelled part way, or when a sliding window no longer holds the prompt's end)
     */
    static Measured measure(Generator generator, int[] prompt, int repeats, int tokens, CancellationToken cancel,
                            GenerationListener progress, java.util.function.IntConsumer afterRepeat) {
        InferenceState state = generator.model().newState();
        InferenceState[] snapshot = new InferenceState[1];
        float[][] logitsAtEnd = new float[1][];
        GenerationListener events = new GenerationListener() {
            @Override public void onPrefillProgress(int done, int total) { if (progress != null) progress.onPrefillProgress(done, total); }

            @Override public void onPromptRead(InferenceState read, float[] logits) {
                snapshot[0] = read.rewinds() ? null : read.copy(); // a Mamba2 state is small; a KV cache rewinds
                logitsAtEnd[0] = logits.clone();
            }
        };
        List<GenerationResult> done = new ArrayList<>();
        GenerationResult first = generator.generate(state, prompt, SamplingOptions.greedy(tokens), new int[0], cancel, events);
        if (cancel.isCancelled() || logitsAtEnd[0] == null) return null;
        done.add(first);
        afterRepeat.accept(1);
        for (int i = 1; i < repeats && !cancel.isCancelled(); i++) {
            InferenceState again;
            if (snapshot[0] != null) {
                again = snapshot[0].copy();
            } else if (state.canRewindTo(prompt.length)) {
                state.rewindTo(prompt.length);
                again = state;
            } else {
                break;
            }
            GenerationResult result = generator.generate(again, new int[0], logitsAtEnd[0].clone(),
                    SamplingOptions.greedy(tokens), new int[0], cancel, null);
            if (cancel.isCancelled()) break;
            done.add(result);
            afterRepeat.accept(done.size());
        }
        GenerationStats s = first.stats();
        double median = Median.of(done.stream().mapToDouble(r -> r.stats().millisPerToken()).toArray());
        GenerationStats stats = new GenerationStats(s.promptTokens(), s.generatedTokens(), s.prefillMillis(),
                s.timeToFirstTokenMillis(), median, s.stateBytes(), s.contextTokens(), s.finishReason());
        return new Measured(List.copyOf(done), stats);
    }
}
