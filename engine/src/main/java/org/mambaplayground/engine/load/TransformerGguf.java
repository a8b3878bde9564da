package org.mambaplayground.engine.load;

import java.util.LinkedHashMap;
import java.util.Map;
import org.mambaplayground.engine.io.gguf.GgufFile;
import org.mambaplayground.engine.io.gguf.GgufValue;
import org.mambaplayground.engine.model.ModelFormatException;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.model.SizeLimits;
import org.mambaplayground.engine.transformer.MixtureOfExperts;
import org.mambaplayground.engine.transformer.TransformerConfig;

/**
 * Mistral's transformers in llama.cpp's {@code llama} GGUF layout. The consolidated wq and wk are already in the
 * interleaved RoPE order llama.cpp's normal rope uses, so no tensor changes form (only Hugging Face's checkpoints
 * need the permutation llama.cpp's converter undoes). key_length is written because Nemo's head_dim (128) is not
 * dim / n_heads (160). llama.cpp's llama architecture ignores a sliding window; we write and read its key
 * {@code attention.sliding_window} (the one its other architectures use) so our own files keep it. Mixtral is llama
 * with {@code expert_count} and {@code expert_used_count} (llama.cpp's keys) and the experts' tensors.
 */
final class TransformerGguf implements GgufArchitecture {
    @Override public String name() { return "llama"; }

    @Override
    public Map<String, GgufValue> metadata(ModelSpec spec) {
        TransformerConfig c = (TransformerConfig) spec;
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("llama.context_length", GgufValue.u32(c.maxContext()));
        m.put("llama.embedding_length", GgufValue.u32(c.dim()));
        m.put("llama.block_count", GgufValue.u32(c.nLayers()));
        m.put("llama.feed_forward_length", GgufValue.u32(c.hiddenDim()));
        m.put("llama.rope.dimension_count", GgufValue.u32(c.headDim()));
        m.put("llama.attention.head_count", GgufValue.u32(c.nHeads()));
        m.put("llama.attention.head_count_kv", GgufValue.u32(c.nKvHeads()));
        m.put("llama.attention.key_length", GgufValue.u32(c.headDim()));
        m.put("llama.attention.value_length", GgufValue.u32(c.headDim()));
        m.put("llama.rope.freq_base", GgufValue.f32(c.ropeTheta()));
        m.put("llama.attention.layer_norm_rms_epsilon", GgufValue.f32(c.normEps()));
        m.put("llama.vocab_size", GgufValue.u32(c.vocabSize()));
        if (c.hasSlidingWindow()) m.put("llama.attention.sliding_window", GgufValue.u32(c.slidingWindow()));
        if (c.hasMoe()) {
            m.put("llama.expert_count", GgufValue.u32(c.moe().experts()));
            m.put("llama.expert_used_count", GgufValue.u32(c.moe().expertsPerToken()));
        }
        return m;
    }

    @Override
    public ModelSpec readSpec(GgufFile g) {
        int dim = GgufSpecs.count(g, "llama.embedding_length", GgufSpecs.MAX_WIDTH);
        int layers = GgufSpecs.count(g, "llama.block_count", GgufSpecs.MAX_LAYERS);
        int heads = GgufSpecs.count(g, "llama.attention.head_count", 4096);
        int kvHeads = GgufSpecs.count(g, "llama.attention.head_count_kv", 4096, heads);
        int headDim = GgufSpecs.count(g, "llama.attention.key_length", 1 << 14, dim / heads);
        int valueDim = GgufSpecs.count(g, "llama.attention.value_length", 1 << 14, headDim);
        int ropeDim = GgufSpecs.count(g, "llama.rope.dimension_count", 1 << 14, headDim);
        if (valueDim != headDim || ropeDim != headDim) {
            throw new ModelFormatException(g.file(), "metadata llama.attention.value_length " + valueDim + " and llama.rope.dimension_count "
                    + ropeDim + " must equal key_length " + headDim + " (as llama.cpp requires for llama)");
        }
        MixtureOfExperts moe = null;
        if (g.has("llama.expert_count") && g.integer("llama.expert_count") > 0) {
            int experts = GgufSpecs.count(g, "llama.expert_count", SizeLimits.EXPERTS);
            int used = GgufSpecs.count(g, "llama.expert_used_count", experts);
            moe = new MixtureOfExperts(experts, used);
        }
        int window = GgufSpecs.count(g, "llama.attention.sliding_window", Integer.MAX_VALUE, 0);
        if (g.has("llama.rope.scaling.type") && !g.string("llama.rope.scaling.type").equals("none")
                && !g.string("llama.rope.scaling.type").equals("linear")
                || g.has("llama.rope.scaling.factor") && g.number("llama.rope.scaling.factor") != 1 && g.number("llama.rope.scaling.factor") != 0) {
            throw new ModelFormatException(g.file(), "metadata llama.rope.scaling.*: scaled RoPE is not supported (Mistral's models use none)");
        }
        int hidden = GgufSpecs.count(g, "llama.feed_forward_length", GgufSpecs.MAX_WIDTH * 8);
        double eps = g.number("llama.attention.layer_norm_rms_epsilon");
        double theta = g.has("llama.rope.freq_base") ? g.number("llama.rope.freq_base") : TransformerConfig.DEFAULT_ROPE_THETA;
        long context = g.has("llama.context_length") ? g.integer("llama.context_length") : 0;
        if (context < 0 || context > Integer.MAX_VALUE) {
            throw new ModelFormatException(g.file(), "metadata llama.context_length is " + context + ": expected 0 to " + Integer.MAX_VALUE);
        }
        if ((long) heads * headDim > GgufSpecs.MAX_WIDTH * 4) {
            throw new ModelFormatException(g.file(), "metadata llama.attention.head_count " + heads + " x key_length " + headDim + " is too large");
        }
        int vocab = GgufSpecs.vocabulary(g, dim);
        try {
            return new TransformerConfig(dim, layers, headDim, hidden, heads, kvHeads, eps, vocab, theta, window, (int) context, moe);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(g.file(), "the llama metadata does not describe a model this engine runs: " + e.getMessage());
        }
    }
}
