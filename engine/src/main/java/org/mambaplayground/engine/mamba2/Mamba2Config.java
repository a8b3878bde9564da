package org.mambaplayground.engine.mamba2;

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

/**
 * A Mamba2 language model as Codestral Mamba's params.json describes it. mistral-inference turns these keys
 * into mamba_ssm's {@code MambaLMHeadModel} with {@code ssm_cfg={"ngroups": n_groups, "layer": "Mamba2"}},
 * so the mixer sizes are mamba_ssm's code defaults: d_state 128, d_conv 4, expand 2, headdim 64, chunk
 * size 256, norm epsilon 1e-5. Our own small demo and test models may override those five with the
 * optional keys {@code d_state}, {@code d_conv}, {@code expand}, {@code head_dim}, {@code chunk_size}
 * (written only when they differ from the defaults, so a real model's params.json round-trips unchanged).
 */
public record Mamba2Config(
        int dim,
        int nLayers,
        int vocabSize,
        int nGroups,
        boolean rmsNorm,
        boolean residualInFp32,
        boolean fusedAddNorm,
        int padVocabSizeMultiple,
        boolean tieEmbeddings,
        int dState,
        int dConv,
        int expand,
        int headDim,
        int chunkSize) implements ModelSpec {

    public static final int DEFAULT_D_STATE = 128;
    public static final int DEFAULT_D_CONV = 4;
    public static final int DEFAULT_EXPAND = 2;
    public static final int DEFAULT_HEAD_DIM = 64;
    public static final int DEFAULT_CHUNK_SIZE = 256;
    /** mamba_ssm's norm_epsilon default, used by the block norms, norm_f and the gated mixer norm. */
    public static final float NORM_EPS = 1e-5f;

    /** Checks the sizes fit together; {@link #fromParams} reports the same problems against the file. */
    public Mamba2Config {
        if (dim <= 0 || nLayers <= 0 || vocabSize <= 0 || nGroups <= 0 || padVocabSizeMultiple <= 0
                || dState <= 0 || dConv <= 0 || expand <= 0 || headDim <= 0 || chunkSize <= 0) {
            throw new IllegalArgumentException("Mamba2 sizes must be positive");
        }
        long inner = (long) expand * dim;
        if (inner % headDim != 0) throw new IllegalArgumentException("expand * dim must be a multiple of head_dim");
        if ((inner / headDim) % nGroups != 0) throw new IllegalArgumentException("the head count must be a multiple of n_groups");
    }

    /** Codestral Mamba 7B (mistralai/Mamba-Codestral-7B-v0.1). */
    public static Mamba2Config codestralMamba7B() {
        return new Mamba2Config(4096, 64, 32768, 8, true, true, true, 1, false,
                DEFAULT_D_STATE, DEFAULT_D_CONV, DEFAULT_EXPAND, DEFAULT_HEAD_DIM, DEFAULT_CHUNK_SIZE);
    }

    /** Reads params.json; a missing or mistyped key, or sizes that do not fit, name the file and the key. */
    public static Mamba2Config fromParams(JsonNode json, Path file) {
        Params p = new Params(json, file);
        Architecture.requireModelType(p, Architecture.MAMBA2);
        int dim = p.requireCount("dim", SizeLimits.WIDTH);
        int layers = p.requireCount("n_layers", SizeLimits.LAYERS);
        int vocab = p.requireCount("vocab_size", SizeLimits.VOCABULARY);
        int groups = p.requireCount("n_groups", SizeLimits.HEADS);
        boolean rmsNorm = p.requireBoolean("rms_norm");
        if (!rmsNorm) throw p.invalid("rms_norm", "only RMSNorm Mamba2 models are supported (false means LayerNorm)");
        boolean residualInFp32 = p.requireBoolean("residual_in_fp32");
        boolean fusedAddNorm = p.requireBoolean("fused_add_norm");
        int padMultiple = p.requireCount("pad_vocab_size_multiple", SizeLimits.SMALL);
        boolean tie = p.requireBoolean("tie_embeddings");
        int dState = p.optionalCount("d_state", DEFAULT_D_STATE, SizeLimits.HEADS);
        int dConv = p.optionalCount("d_conv", DEFAULT_D_CONV, SizeLimits.SMALL);
        int expand = p.optionalCount("expand", DEFAULT_EXPAND, SizeLimits.SMALL);
        int headDim = p.optionalCount("head_dim", DEFAULT_HEAD_DIM, SizeLimits.HEADS);
        int chunk = p.optionalCount("chunk_size", DEFAULT_CHUNK_SIZE, SizeLimits.SMALL);
        long inner = (long) expand * dim;
        p.checkProduct("expand", "expand * dim", inner, SizeLimits.DERIVED_WIDTH);
        if (inner % headDim != 0) {
            throw p.invalid("head_dim", "expand * dim = " + inner + " is not a multiple of head_dim " + headDim);
        }
        if ((inner / headDim) % groups != 0) {
            throw p.invalid("n_groups", "the head count " + inner / headDim + " is not a multiple of n_groups " + groups);
        }
        long groupState = 2L * groups * dState;
        p.checkProduct("d_state", "in_proj's rows (2 * expand * dim + 2 * n_groups * d_state + heads)",
                2 * inner + groupState + inner / headDim, SizeLimits.DERIVED_WIDTH);
        p.checkProduct("chunk_size", "n_groups * chunk_size^2 (the SSD scan's scores)", (long) groups * chunk * chunk, SizeLimits.DERIVED_WIDTH);
        long stateBytes = (long) layers * ((inner + groupState) * (dConv - 1) + inner * dState) * Float.BYTES;
        p.checkProduct("n_layers", "the state's bytes (n_layers * (conv + SSM state))", stateBytes, SizeLimits.STATE_BYTES);
        Mamba2Config config = new Mamba2Config(dim, layers, vocab, groups, rmsNorm, residualInFp32, fusedAddNorm, padMultiple, tie,
                dState, dConv, expand, headDim, chunk);
        p.checkProduct("n_layers", "the parameter count", config.parameterCount(), SizeLimits.PARAMETERS);
        return config;
    }

    /** params.json as Mistral writes it, plus the optional mixer keys where they differ from the defaults. */
    public ObjectNode toParams() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("dim", dim);
        o.put("n_layers", nLayers);
        o.put("vocab_size", vocabSize);
        o.put("n_groups", nGroups);
        o.put("rms_norm", rmsNorm);
        o.put("residual_in_fp32", residualInFp32);
        o.put("fused_add_norm", fusedAddNorm);
        o.put("pad_vocab_size_multiple", padVocabSizeMultiple);
        o.put("tie_embeddings", tieEmbeddings);
        o.put("model_type", "mamba");
        if (dState != DEFAULT_D_STATE) o.put("d_state", dState);
        if (dConv != DEFAULT_D_CONV) o.put("d_conv", dConv);
        if (expand != DEFAULT_EXPAND) o.put("expand", expand);
        if (headDim != DEFAULT_HEAD_DIM) o.put("head_dim", headDim);
        if (chunkSize != DEFAULT_CHUNK_SIZE) o.put("chunk_size", chunkSize);
        return o;
    }

    /** The same model with another SSD chunk length (a compute setting: results agree up to rounding). */
    public Mamba2Config withChunkSize(int chunk) {
        return new Mamba2Config(dim, nLayers, vocabSize, nGroups, rmsNorm, residualInFp32, fusedAddNorm,
                padVocabSizeMultiple, tieEmbeddings, dState, dConv, expand, headDim, chunk);
    }

    // ---- derived sizes (mamba_ssm's Mamba2 names in comments) ----

    /** d_inner = d_ssm: width of x, z and y. */
    public int innerDim() { return expand * dim; }

    /** nheads. */
    public int nHeads() { return innerDim() / headDim; }

    /** Heads sharing one B and C group. */
    public int headsPerGroup() { return nHeads() / nGroups; }

    /** Channels through the depthwise conv: x, B and C. */
    public int convDim() { return innerDim() + 2 * nGroups * dState; }

    /** in_proj output, in order [z, x, B, C, dt]. */
    public int inProjDim() { return 2 * innerDim() + 2 * nGroups * dState + nHeads(); }

    /** mamba_ssm pads the embedding and lm_head rows up to a multiple of pad_vocab_size_multiple. */
    public int paddedVocabSize() {
        int rem = vocabSize % padVocabSizeMultiple;
        return rem == 0 ? vocabSize : vocabSize + padVocabSizeMultiple - rem;
    }

    /** Names and shapes of this configuration's tensors. */
    public Mamba2Tensors tensors() { return new Mamba2Tensors(this); }

    /** Every tensor of consolidated.safetensors, with its exact shape. */
    public List<TensorSpec> tensorSpecs() { return tensors().all(); }

    /** Floats of one layer's state: the last d_conv - 1 conv inputs and the heads' SSM states. */
    public long stateFloatsPerLayer() {
        return (long) convDim() * (dConv - 1) + (long) nHeads() * headDim * dState;
    }

    @Override public Architecture architecture() { return Architecture.MAMBA2; }
    @Override public int layers() { return nLayers; }
    @Override public int vocabularySize() { return paddedVocabSize(); }

    @Override
    public long parameterCount() {
        return tensorSpecs().stream().mapToLong(TensorSpec::size).sum();
    }

    @Override public TensorSpec outputHead() { return tensors().lmHead(); }

    /** Constant: a Mamba2 state does not depend on how many tokens it has seen. */
    @Override
    public long stateBytesAt(long contextTokens) { return (long) nLayers * stateFloatsPerLayer() * Float.BYTES; }

    @Override public long maxContext() { return -1; }

    @Override
    public SequencedMap<String, String> describe() {
        SequencedMap<String, String> rows = new LinkedHashMap<>();
        rows.put("Architecture", "Mamba2 (selective state space, SSD)");
        rows.put("Parameters", Sizes.count(parameterCount()));
        rows.put("Layers", Integer.toString(nLayers));
        rows.put("Model dim", Integer.toString(dim));
        rows.put("SSM heads", nHeads() + " x " + headDim + " (" + nGroups + " B/C groups)");
        rows.put("State dim", Integer.toString(dState));
        rows.put("Conv kernel", Integer.toString(dConv));
        rows.put("Vocabulary", Integer.toString(paddedVocabSize()));
        rows.put("Context", "unbounded");
        rows.put("State memory", Sizes.bytes(stateBytesAt(0)) + " (constant)");
        return rows;
    }
}
