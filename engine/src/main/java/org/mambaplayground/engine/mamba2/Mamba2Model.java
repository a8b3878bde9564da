package org.mambaplayground.engine.mamba2;

import java.util.Arrays;
import org.mambaplayground.engine.model.InferenceState;
import org.mambaplayground.engine.model.LayerMath;
import org.mambaplayground.engine.model.Model;
import org.mambaplayground.engine.model.Weights;
import org.mambaplayground.engine.tensor.Kernels;
import org.mambaplayground.engine.tensor.Tensor;
import org.mambaplayground.engine.tensor.WeightSource;

/**
 * Codestral Mamba's network (mamba_ssm's MambaLMHeadModel with Mamba2 mixers): embedding, then per layer
 * x += mixer(RMSNorm(x)), then RMSNorm (norm_f) and lm_head, or the embedding when tie_embeddings.
 * Activations and the residual stream are float32 throughout, which is what residual_in_fp32 asks for;
 * fused_add_norm only fuses kernels and does not change the result.
 */
public final class Mamba2Model implements Model {
    /** Tokens run through the layers together at most (rounded to whole SSD chunks). */
    static final int MAX_PREFILL_TOKENS = 512;

    private final Mamba2Config config;
    private final WeightSource source;
    private final Tensor embedding;
    private final Tensor lmHead;
    private final float[][] blockNorms;
    private final Mamba2Mixer[] mixers;
    private final float[] finalNorm;

    public Mamba2Model(Mamba2Config config, WeightSource source) {
        this.config = config;
        this.source = source;
        Weights w = new Weights(source);
        Mamba2Tensors names = config.tensors();
        embedding = w.tensor(names.embedding());
        lmHead = config.tieEmbeddings() ? embedding : w.tensor(names.lmHead());
        blockNorms = new float[config.nLayers()][];
        mixers = new Mamba2Mixer[config.nLayers()];
        for (int i = 0; i < config.nLayers(); i++) {
            blockNorms[i] = w.floats(names.blockNorm(i));
            mixers[i] = new Mamba2Mixer(config, w, i);
        }
        finalNorm = w.floats(names.finalNorm());
    }

    @Override public Mamba2Config spec() { return config; }

    @Override public Mamba2State newState() { return new Mamba2State(config); }

    @Override
    public float[] decode(InferenceState state, int token) {
        Mamba2State s = own(state);
        LayerMath.checkToken(token, config.paddedVocabSize());
        int dim = config.dim();
        float[] x = new float[dim], normed = new float[dim], out = new float[dim];
        Kernels.row(embedding, token, x);
        for (int l = 0; l < mixers.length; l++) {
            LayerMath.rmsNorm(normed, 0, x, 0, blockNorms[l], 0, dim, Mamba2Config.NORM_EPS);
            mixers[l].step(normed, out, s.conv[l], s.ssm[l]);
            LayerMath.addInPlace(x, out);
        }
        s.position++;
        return logits(x, 0);
    }

    @Override
    public float[] prefill(InferenceState state, int[] tokens) {
        Mamba2State s = own(state);
        if (tokens.length == 0) throw new IllegalArgumentException("prefill needs at least one token");
        // Every id is checked before any is processed, so a bad one leaves the state untouched.
        for (int t : tokens) LayerMath.checkToken(t, config.paddedVocabSize());
        // Long prompts go through in whole chunks at a time, bounding the activation memory; the SSD carries
        // the state across calls exactly as it does across chunks.
        int batch = Math.max(1, MAX_PREFILL_TOKENS / config.chunkSize()) * config.chunkSize();
        float[] logits = null;
        for (int from = 0; from < tokens.length; from += batch) {
            logits = prefillBatch(s, Arrays.copyOfRange(tokens, from, Math.min(tokens.length, from + batch)));
        }
        return logits;
    }

    private float[] prefillBatch(Mamba2State s, int[] tokens) {
        int n = tokens.length, dim = config.dim();
        float[] x = new float[n * dim], normed = new float[n * dim], row = new float[dim];
        for (int t = 0; t < n; t++) {
            Kernels.row(embedding, tokens[t], row);
            System.arraycopy(row, 0, x, t * dim, dim);
        }
        for (int l = 0; l < mixers.length; l++) {
            LayerMath.rmsNormRows(normed, x, blockNorms[l], n, dim, Mamba2Config.NORM_EPS);
            LayerMath.addInPlace(x, mixers[l].forward(normed, n, s.conv[l], s.ssm[l]));
        }
        s.position += n;
        return logits(x, (n - 1) * dim);
    }

    private float[] logits(float[] x, int offset) {
        float[] normed = new float[config.dim()];
        LayerMath.rmsNorm(normed, 0, x, offset, finalNorm, 0, config.dim(), Mamba2Config.NORM_EPS);
        float[] logits = new float[config.paddedVocabSize()];
        Kernels.matvec(lmHead, normed, logits);
        return logits;
    }

    private static Mamba2State own(InferenceState state) {
        if (state instanceof Mamba2State s) return s;
        throw new IllegalArgumentException("a Mamba2 model needs its own state, got " + state.getClass().getSimpleName());
    }

    @Override public void close() { source.close(); }
}
