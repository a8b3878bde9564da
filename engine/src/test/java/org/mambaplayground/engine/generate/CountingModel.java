package org.mambaplayground.engine.generate;

import org.mambaplayground.engine.model.InferenceState;
import org.mambaplayground.engine.model.Model;
import org.mambaplayground.engine.model.ModelSpec;

/** A real model that counts the tokens it reads: through prefill and through decode. */
final class CountingModel implements Model {
    private final Model model;
    long prefilled;
    long decoded;

    CountingModel(Model model) { this.model = model; }

    long read() { return prefilled + decoded; }

    @Override public ModelSpec spec() { return model.spec(); }

    @Override public InferenceState newState() { return model.newState(); }

    @Override
    public float[] prefill(InferenceState state, int[] tokens) {
        prefilled += tokens.length;
        return model.prefill(state, tokens);
    }

    @Override
    public float[] decode(InferenceState state, int token) {
        decoded++;
        return model.decode(state, token);
    }

    @Override public void close() { model.close(); }
}
