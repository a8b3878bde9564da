package org.mambaplayground.engine.transformer;

import java.util.ArrayList;
import java.util.List;
import org.mambaplayground.engine.model.TensorSpec;

/**
 * Every tensor of a Mistral transformer checkpoint, written once: its name in consolidated.safetensors (the
 * reference Transformer's state dict), its name in llama.cpp's {@code llama} GGUF files, and its shape.
 */
public final class TransformerTensors {
    private final TransformerConfig c;

    TransformerTensors(TransformerConfig c) { this.c = c; }

    public TensorSpec embedding() { return spec("tok_embeddings.weight", "token_embd.weight", c.vocabSize(), c.dim()); }

    public TensorSpec output() { return spec("output.weight", "output.weight", c.vocabSize(), c.dim()); }

    public TensorSpec finalNorm() { return spec("norm.weight", "output_norm.weight", c.dim()); }

    public TensorSpec wq(int layer) { return layer(layer, "attention.wq.weight", "attn_q.weight", c.qDim(), c.dim()); }

    public TensorSpec wk(int layer) { return layer(layer, "attention.wk.weight", "attn_k.weight", c.kvDim(), c.dim()); }

    public TensorSpec wv(int layer) { return layer(layer, "attention.wv.weight", "attn_v.weight", c.kvDim(), c.dim()); }

    public TensorSpec wo(int layer) { return layer(layer, "attention.wo.weight", "attn_output.weight", c.dim(), c.qDim()); }

    /** The SwiGLU gate (silu(w1 x) * w3 x). */
    public TensorSpec w1(int layer) { return layer(layer, "feed_forward.w1.weight", "ffn_gate.weight", c.hiddenDim(), c.dim()); }

    public TensorSpec w2(int layer) { return layer(layer, "feed_forward.w2.weight", "ffn_down.weight", c.dim(), c.hiddenDim()); }

    public TensorSpec w3(int layer) { return layer(layer, "feed_forward.w3.weight", "ffn_up.weight", c.hiddenDim(), c.dim()); }

    public TensorSpec attentionNorm(int layer) { return layer(layer, "attention_norm.weight", "attn_norm.weight", c.dim()); }

    public TensorSpec ffnNorm(int layer) { return layer(layer, "ffn_norm.weight", "ffn_norm.weight", c.dim()); }

    /** All of them, in the order the checkpoints store them. */
    public List<TensorSpec> all() {
        List<TensorSpec> specs = new ArrayList<>();
        specs.add(embedding());
        for (int i = 0; i < c.nLayers(); i++) {
            specs.add(wq(i));
            specs.add(wk(i));
            specs.add(wv(i));
            specs.add(wo(i));
            specs.add(w1(i));
            specs.add(w2(i));
            specs.add(w3(i));
            specs.add(attentionNorm(i));
            specs.add(ffnNorm(i));
        }
        specs.add(finalNorm());
        specs.add(output());
        return specs;
    }

    private static TensorSpec layer(int layer, String name, String ggufName, long... shape) {
        return new TensorSpec("layers." + layer + "." + name, "blk." + layer + "." + ggufName, shape);
    }

    private static TensorSpec spec(String name, String ggufName, long... shape) {
        return new TensorSpec(name, ggufName, shape);
    }
}
