package org.mambaplayground.engine.transformer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import org.mambaplayground.engine.model.Architecture;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.model.Params;
import org.mambaplayground.engine.model.SizeLimits;
import org.mambaplayground.engine.model.Sizes;
import org.mambaplayground.engine.model.TensorSpec;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * A Mistral decoder-only transformer as its consolidated params.json describes it.
 *
 * @param ropeTheta     RoPE base. When params.json has no {@code rope_theta} we use 10000: the only
 *                      Mistral release without the key is Mistral 7B v0.1, trained with 10000 (its original
 *                      reference code's default). Current mistral-inference would fall back to 1e6, which is
 *                      right for newer models, and all of those write the key.
 * @param slidingWindow attention window in tokens (a rolling KV cache), or 0 when params.json has none
 * @param maxSeqLen     {@code max_seq_len} when params.json declares it, else 0
 * @param moe           params.json's {@code moe} (Mixtral's sparse feed-forward), or null for a dense one
 */
public record TransformerConfig(
        int dim,
        int nLayers,
        int headDim,
        int hiddenDim,
        int nHeads,
        int nKvHeads,
        double normEps,
        int vocabSize,
        double ropeTheta,
        int slidingWindow,
        int maxSeqLen,
        MixtureOfExperts moe) implements ModelSpec {

    public static final double DEFAULT_ROPE_THETA = 10_000.0;
    /**
     * Longest context when params.json declares none: mistral-inference precomputes its RoPE table for
     * 128,000 positions, so no longer context runs in the reference code.
     */
    public static final int DEFAULT_MAX_CONTEXT = 128_000;
    /** The KV cache grows by this many tokens at a time (see {@link KvCacheState}). */
    public static final int KV_BLOCK_TOKENS = 32;
    /** The formats a KV cache can be stored in. Q4_0 is left out on purpose: nothing measures 4-bit keys and values yet. */
    public static final List<WeightFormat> KV_FORMATS =
            List.of(WeightFormat.F32, WeightFormat.F16, WeightFormat.BF16, WeightFormat.Q8_0);
    /**
     * The KV cache's format unless a caller picks one: half the bytes of F32, with logits within a few 1e-4 of
     * an F32 cache (KvCacheFormatsTest, ReferenceVectorsTest measure it). {@link #kvBytesPerToken()},
     * {@link #stateBytesAt(long)} and {@link #describe()} speak of this format.
     */
    public static final WeightFormat DEFAULT_KV_FORMAT = WeightFormat.F16;

    public TransformerConfig {
        if (dim <= 0 || nLayers <= 0 || headDim <= 0 || hiddenDim <= 0 || nHeads <= 0 || nKvHeads <= 0
                || vocabSize <= 0 || slidingWindow < 0 || maxSeqLen < 0 || !(normEps > 0) || !(ropeTheta > 0)) {
            throw new IllegalArgumentException("transformer sizes must be positive");
        }
        if (nHeads % nKvHeads != 0) throw new IllegalArgumentException("n_heads must be a multiple of n_kv_heads");
        if (headDim % 2 != 0) throw new IllegalArgumentException("head_dim must be even for RoPE");
    }

    /** A dense transformer (one SwiGLU feed-forward per layer). */
    public TransformerConfig(int dim, int nLayers, int headDim, int hiddenDim, int nHeads, int nKvHeads, double normEps,
                             int vocabSize, double ropeTheta, int slidingWindow, int maxSeqLen) {
        this(dim, nLayers, headDim, hiddenDim, nHeads, nKvHeads, normEps, vocabSize, ropeTheta, slidingWindow, maxSeqLen, null);
    }

    /** Mistral 7B v0.1: sliding-window attention over 4096 tokens. */
    public static TransformerConfig mistral7B() {
        return new TransformerConfig(4096, 32, 128, 14336, 32, 8, 1e-5, 32000, DEFAULT_ROPE_THETA, 4096, 0);
    }

    /**
     * Mixtral 8x7B v0.1 as its consolidated params.json has it: Mistral 7B's shape with 8 experts per layer (2 per
     * token), rope_theta 1e6 and full attention over the 32k context Mistral announced it with.
     */
    public static TransformerConfig mixtral8x7B() {
        return new TransformerConfig(4096, 32, 128, 14336, 32, 8, 1e-5, 32000, 1_000_000.0, 0, 32_768, MixtureOfExperts.mixtral());
    }

    /** Mistral Nemo 12B (Mistral-Nemo-Base/Instruct-2407): full attention, 128k context. */
    public static TransformerConfig mistralNemo12B() {
        return new TransformerConfig(5120, 40, 128, 14336, 32, 8, 1e-5, 131072, 1_000_000.0, 0, 0);
    }

    /** Reads params.json; a missing or mistyped key, or sizes that do not fit, name the file and the key. */
    public static TransformerConfig fromParams(JsonNode json, Path file) {
        Params p = new Params(json, file);
        Architecture.requireModelType(p, Architecture.TRANSFORMER);
        int dim = p.requireCount("dim", SizeLimits.WIDTH);
        int layers = p.requireCount("n_layers", SizeLimits.LAYERS);
        int headDim = p.requireCount("head_dim", SizeLimits.HEADS);
        int hidden = p.requireCount("hidden_dim", SizeLimits.WIDTH);
        int heads = p.requireCount("n_heads", SizeLimits.HEADS);
        int kvHeads = p.requireCount("n_kv_heads", SizeLimits.HEADS);
        double eps = p.requireDouble("norm_eps");
        if (!(eps > 0)) throw p.invalid("norm_eps", "must be positive, got " + eps);
        int vocab = p.requireCount("vocab_size", SizeLimits.VOCABULARY);
        double theta = p.optionalDouble("rope_theta", DEFAULT_ROPE_THETA);
        if (!(theta > 0)) throw p.invalid("rope_theta", "must be positive, got " + theta);
        int window = p.has("sliding_window") ? p.requirePositiveInt("sliding_window") : 0;
        int maxSeqLen = p.has("max_seq_len") ? p.requirePositiveInt("max_seq_len") : 0;
        MixtureOfExperts moe = p.has("moe") ? MixtureOfExperts.fromParams(p.requireObject("moe")) : null;
        if (heads % kvHeads != 0) {
            throw p.invalid("n_kv_heads", "n_heads " + heads + " is not a multiple of n_kv_heads " + kvHeads);
        }
        if (headDim % 2 != 0) throw p.invalid("head_dim", "must be even for rotary embeddings, got " + headDim);
        p.checkProduct("n_heads", "n_heads * head_dim", (long) heads * headDim, SizeLimits.DERIVED_WIDTH);
        TransformerConfig config = new TransformerConfig(dim, layers, headDim, hidden, heads, kvHeads, eps, vocab, theta, window, maxSeqLen, moe);
        p.checkProduct("n_layers", "the parameter count", config.parameterCount(), SizeLimits.PARAMETERS);
        return config;
    }

    /** params.json as Mistral writes it (rope_theta always written, so no reader has to guess a default). */
    public ObjectNode toParams() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("dim", dim);
        o.put("n_layers", nLayers);
        o.put("head_dim", headDim);
        o.put("hidden_dim", hiddenDim);
        o.put("n_heads", nHeads);
        o.put("n_kv_heads", nKvHeads);
        o.put("norm_eps", normEps);
        o.put("vocab_size", vocabSize);
        o.put("rope_theta", ropeTheta);
        if (slidingWindow > 0) o.put("sliding_window", slidingWindow);
        if (maxSeqLen > 0) o.put("max_seq_len", maxSeqLen);
        if (moe != null) {
            ObjectNode m = o.putObject("moe");
            m.put("num_experts", moe.experts());
            m.put("num_experts_per_tok", moe.expertsPerToken());
        }
        return o;
    }

    public boolean hasSlidingWindow() { return slidingWindow > 0; }

    /** Whether each layer's feed-forward is a sparse mixture of experts. */
    public boolean hasMoe() { return moe != null; }

    /** Width of one token's keys (or values) in one layer. */
    public int kvDim() { return nKvHeads * headDim; }

    /** Query heads sharing one key/value head (grouped-query attention). */
    public int queriesPerKvHead() { return nHeads / nKvHeads; }

    /** Width of all query heads of one token. */
    public int qDim() { return nHeads * headDim; }

    /** Names and shapes of this configuration's tensors. */
    public TransformerTensors tensors() { return new TransformerTensors(this); }

    /** Every tensor of consolidated.safetensors, with its exact shape. */
    public List<TensorSpec> tensorSpecs() { return tensors().all(); }

    /** Tokens the KV cache holds room for after {@code contextTokens}: whole blocks, at most the window. */
    public long cachedTokensAt(long contextTokens) {
        long blocks = (contextTokens + KV_BLOCK_TOKENS - 1) / KV_BLOCK_TOKENS;
        long tokens = blocks * KV_BLOCK_TOKENS;
        return hasSlidingWindow() ? Math.min(tokens, slidingWindow) : tokens;
    }

    /** Keys and values of one token across all layers, in {@link #DEFAULT_KV_FORMAT}. */
    public long kvBytesPerToken() { return kvBytesPerToken(DEFAULT_KV_FORMAT); }

    /** Keys and values of one token across all layers, stored in {@code kv} (checked by {@link #checkKvFormat}). */
    public long kvBytesPerToken(WeightFormat kv) {
        checkKvFormat(kv);
        return 2L * nLayers * kv.bytes(kvDim());
    }

    /** The formats of {@link #KV_FORMATS} this configuration's cache can use. */
    public List<WeightFormat> kvFormats() {
        return KV_FORMATS.stream().filter(f -> kvFormatProblem(f) == null).toList();
    }

    /** Throws IllegalArgumentException saying why, unless the KV cache can be stored in {@code kv}. */
    public void checkKvFormat(WeightFormat kv) {
        String problem = kvFormatProblem(kv);
        if (problem != null) throw new IllegalArgumentException(problem);
    }

    private String kvFormatProblem(WeightFormat kv) {
        if (kv == null) return "no KV cache format given";
        if (!KV_FORMATS.contains(kv)) {
            String offered = String.join(", ", KV_FORMATS.stream().map(WeightFormat::name).toList());
            return kv + " is not offered for the KV cache (choose one of " + offered + ")";
        }
        // Attention reads one head's key at a time, so a block must not straddle two heads.
        if (headDim % kv.blockElements() != 0) {
            return "a " + kv + " KV cache stores blocks of " + kv.blockElements() + " elements per head, so head_dim must be a"
                    + " multiple of " + kv.blockElements() + ", but head_dim is " + headDim;
        }
        return null;
    }

    @Override public Architecture architecture() { return Architecture.TRANSFORMER; }
    @Override public int layers() { return nLayers; }
    @Override public int vocabularySize() { return vocabSize; }

    @Override
    public long parameterCount() {
        return tensorSpecs().stream().mapToLong(TensorSpec::size).sum();
    }

    @Override public TensorSpec outputHead() { return tensors().output(); }

    @Override public int expertsPerToken() { return hasMoe() ? moe.expertsPerToken() * nLayers : 0; }

    /** Everything but the experts a token is not routed to: a MoE layer's first {@code num_experts_per_tok} stand for the chosen ones. */
    @Override
    public List<TensorSpec> tensorsReadPerToken() { return tensors().readPerToken(); }

    /** Bytes of one expert's three matrices (w1, w2, w3) stored at {@code precision}; 0 for a dense model. */
    @Override
    public long expertBytes(WeightFormat precision) {
        if (!hasMoe()) return 0;
        TransformerTensors names = tensors();
        long bytes = 0;
        for (TensorSpec t : List.of(names.expertW1(0, 0), names.expertW2(0, 0), names.expertW3(0, 0))) {
            bytes += org.mambaplayground.engine.model.PrecisionPlan.formatOf(t, precision, false).bytes(t.size());
        }
        return bytes;
    }

    /** The KV cache allocated in {@link #DEFAULT_KV_FORMAT}: grows in blocks with the context, stops at the sliding window. */
    @Override
    public long stateBytesAt(long contextTokens) { return stateBytesAt(contextTokens, DEFAULT_KV_FORMAT); }

    /** The KV cache really allocated when stored in {@code kv} (null: the default), as {@link KvCacheState#bytes()} reports it. */
    @Override
    public long stateBytesAt(long contextTokens, WeightFormat kv) {
        return cachedTokensAt(contextTokens) * kvBytesPerToken(kv == null ? DEFAULT_KV_FORMAT : kv);
    }

    @Override public long maxContext() { return maxSeqLen > 0 ? maxSeqLen : DEFAULT_MAX_CONTEXT; }

    @Override
    public SequencedMap<String, String> describe() {
        SequencedMap<String, String> rows = new LinkedHashMap<>();
        rows.put("Architecture", hasMoe() ? "Transformer (grouped-query attention, RoPE, sparse mixture of SwiGLU experts)"
                : "Transformer (grouped-query attention, RoPE, SwiGLU)");
        rows.put("Parameters", Sizes.count(parameterCount()));
        if (hasMoe()) rows.put("Experts", moe.experts() + " per layer, " + moe.expertsPerToken() + " per token");
        rows.put("Layers", Integer.toString(nLayers));
        rows.put("Model dim", Integer.toString(dim));
        rows.put("Attention heads", nHeads + " x " + headDim + " (" + nKvHeads + " KV heads)");
        rows.put("FFN hidden", Integer.toString(hiddenDim));
        rows.put("Vocabulary", Integer.toString(vocabSize));
        rows.put("RoPE theta", String.format(java.util.Locale.ROOT, "%.0f", ropeTheta));
        rows.put("Sliding window", hasSlidingWindow() ? slidingWindow + " tokens" : "none (full attention)");
        rows.put("Context", maxContext() + " tokens");
        String kv = " (" + DEFAULT_KV_FORMAT + ")";
        rows.put("KV cache per token", Sizes.bytes(kvBytesPerToken()) + kv);
        if (hasSlidingWindow()) rows.put("KV cache at most", Sizes.bytes(stateBytesAt(slidingWindow)) + kv);
        return rows;
    }
}
