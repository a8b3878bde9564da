package org.mambaplayground.engine.load;

import java.util.LinkedHashMap;
import java.util.Map;
import org.mambaplayground.engine.io.gguf.GgufValue;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.transformer.TransformerConfig;

/**
 * Mistral's transformers in llama.cpp's {@code llama} GGUF layout. The consolidated wq and wk are already in the
 * interleaved RoPE order llama.cpp's normal rope uses, so no tensor changes form (only Hugging Face's checkpoints
 * need the permutation llama.cpp's converter undoes). key_length is written because Nemo's head_dim (128) is not
 * dim / n_heads (160). llama.cpp has no sliding window for this architecture; our own params key keeps it.
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
        return m;
    }
}
