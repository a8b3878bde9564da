package org.mambaplayground.engine.transformer;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.mambaplayground.engine.model.InferenceState;
import org.mambaplayground.engine.model.LayerMath;
import org.mambaplayground.engine.model.Model;
import org.mambaplayground.engine.model.Weights;
import org.mambaplayground.engine.tensor.Kernels;
import org.mambaplayground.engine.tensor.Tensor;
import org.mambaplayground.engine.tensor.WeightSource;
import org.mambaplayground.engine.tensor.format.InPlaceCacheFormat;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * A Mistral transformer read from consolidated weights (Mistral 7B, Mistral Nemo, Mixtral): token embedding, blocks of
 * RoPE grouped-query attention and SwiGLU feed-forward, final RMSNorm and the output projection. Decoding is
 * the same block code with one token, using the matrix-vector kernel.
 */
public final class TransformerModel implements Model {
    /** Tokens run through the layers together at most. */
    static final int MAX_PREFILL_TOKENS = 512;

    private final TransformerConfig config;
    private final WeightSource source;
    private final Tensor embedding;
    private final Tensor output;
    private final TransformerLayer[] layers;
    private final float[] finalNorm;
    private final Rope rope;
    private final WeightFormat kvFormat;

    /** With the KV cache in {@link TransformerConfig#DEFAULT_KV_FORMAT}. */
    public TransformerModel(TransformerConfig config, WeightSource source) {
        this(config, source, TransformerConfig.DEFAULT_KV_FORMAT);
    }

    /**
     * With the KV cache stored in {@code kvFormat} (one of {@link TransformerConfig#kvFormats()}; anything else
     * is refused with the reason before a weight is read).
     */
    public TransformerModel(TransformerConfig config, WeightSource source, WeightFormat kvFormat) {
        config.checkKvFormat(kvFormat);
        // a first decode step after a long prompt would otherwise run them interpreted (0.35 s more at 2,048 tokens)
        if (kvFormat instanceof InPlaceCacheFormat f) f.warmUpInBackground(config.headDim());
        this.kvFormat = kvFormat;
        this.config = config;
        this.source = source;
        Weights w = new Weights(source);
        TransformerTensors names = config.tensors();
        embedding = w.tensor(names.embedding());
        layers = new TransformerLayer[config.nLayers()];
        for (int i = 0; i < layers.length; i++) layers[i] = new TransformerLayer(config, w, i);
        finalNorm = w.floats(names.finalNorm());
        output = w.tensor(names.output());
        rope = new Rope(config.headDim(), config.ropeTheta());
    }

    @Override public TransformerConfig spec() { return config; }

    /** The format new states store their keys and values in. */
    public WeightFormat kvFormat() { return kvFormat; }

    /** Expert weight sets (one expert's w1, w2, w3 in one layer) read by all forward passes so far; 0 when dense. */
    @Override
    public long expertsRead() {
        long n = 0;
        for (TransformerLayer layer : layers) n += layer.expertsRead();
        return n;
    }

    @Override public KvCacheState newState() { return new KvCacheState(config, kvFormat); }

    @Override
    public float[] prefill(InferenceState state, int[] tokens) {
        if (tokens.length == 0) throw new IllegalArgumentException("prefill needs at least one token");
        KvCacheState cache = own(state);
        // Every id is checked before any is processed, so a bad one leaves the state untouched.
        for (int t : tokens) LayerMath.checkToken(t, config.vocabSize());
        // Long prompts go through a bounded number of tokens at a time, bounding the activation memory;
        // the cache makes consecutive batches exactly equivalent to one.
        float[] logits = null;
        for (int from = 0; from < tokens.length; from += MAX_PREFILL_TOKENS) {
            logits = forward(cache, Arrays.copyOfRange(tokens, from, Math.min(tokens.length, from + MAX_PREFILL_TOKENS)));
        }
        return logits;
    }

    @Override
    public float[] decode(InferenceState state, int token) {
        KvCacheState cache = own(state);
        LayerMath.checkToken(token, config.vocabSize());
        return forward(cache, new int[] {token});
    }

    /** Runs tokens the caller has checked against the vocabulary. */
    private float[] forward(KvCacheState cache, int[] tokens) {
        int n = tokens.length, dim = config.dim();
        long start = cache.position;
        float[] x = new float[n * dim], row = new float[dim];
        float[][] ropeTables = new float[n][];
        for (int t = 0; t < n; t++) {
            Kernels.row(embedding, tokens[t], row);
            System.arraycopy(row, 0, x, t * dim, dim);
            ropeTables[t] = rope.table(start + t);
        }
        cache.reserve(start + n);
        // Room for the new tokens' keys and values in the cache's format, reused by every layer.
        long batchBytes = cache.format().bytes((long) n * config.kvDim());
        MemorySegment newK = KvCacheState.allocate(batchBytes), newV = KvCacheState.allocate(batchBytes);
        for (TransformerLayer layer : layers) layer.forward(x, n, start, cache, ropeTables, newK, newV);
        cache.position += n;

        float[] normed = new float[dim];
        LayerMath.rmsNorm(normed, 0, x, (n - 1) * dim, finalNorm, 0, dim, (float) config.normEps());
        float[] logits = new float[config.vocabSize()];
        Kernels.matvec(output, normed, logits);
        return logits;
    }

    private static KvCacheState own(InferenceState state) {
        if (state instanceof KvCacheState s) return s;
        throw new IllegalArgumentException("a transformer needs its own KV cache state, got " + state.getClass().getSimpleName());
    }

    @Override public void close() { source.close(); }
}
