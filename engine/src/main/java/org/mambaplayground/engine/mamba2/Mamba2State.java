package org.mambaplayground.engine.mamba2;

import org.mambaplayground.engine.model.InferenceState;

/**
 * What a Mamba2 model remembers, per layer: the last d_conv - 1 inputs of the causal conv and each head's
 * SSM state matrix [head_dim x d_state]. Its size never depends on how many tokens it has seen.
 */
public final class Mamba2State implements InferenceState {
    /** Per layer, [d_conv - 1][conv_dim], oldest input first. */
    final float[][] conv;
    /** Per layer, [n_heads][head_dim][d_state]. */
    final float[][] ssm;
    int position;

    Mamba2State(Mamba2Config config) {
        conv = new float[config.nLayers()][config.convDim() * (config.dConv() - 1)];
        ssm = new float[config.nLayers()][config.nHeads() * config.headDim() * config.dState()];
    }

    private Mamba2State(float[][] conv, float[][] ssm, int position) {
        this.conv = conv;
        this.ssm = ssm;
        this.position = position;
    }

    @Override public int position() { return position; }

    @Override
    public long bytes() {
        long floats = 0;
        for (float[] c : conv) floats += c.length;
        for (float[] s : ssm) floats += s.length;
        return floats * Float.BYTES;
    }

    @Override
    public Mamba2State copy() {
        float[][] c = new float[conv.length][];
        float[][] s = new float[ssm.length][];
        for (int i = 0; i < conv.length; i++) {
            c[i] = conv[i].clone();
            s[i] = ssm[i].clone();
        }
        return new Mamba2State(c, s, position);
    }
}
