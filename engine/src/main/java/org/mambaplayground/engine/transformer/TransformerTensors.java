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

    /** A mixture of experts' router: one logit per expert (llama.cpp: ffn_gate_inp). */
    public TensorSpec router(int layer) {
        return layer(layer, "feed_forward.gate.weight", "ffn_gate_inp.weight", c.moe().experts(), c.dim());
    }

    /*
     * One expert's SwiGLU matrices, named as mistral-inference's MoeLayer holds them (feed_forward.experts.E.w1).
     * In GGUF, llama.cpp stacks a layer's experts into one 3-D tensor (ffn_gate_exps, ffn_up_exps, ffn_down_exps);
     * our converter writes them one per expert under llama.cpp's older per-expert names (blk.N.ffn_gate.E), which
     * GgufWeights also reads back from a stacked file by slicing (see GgufWeights).
     */
    public TensorSpec expertW1(int layer, int expert) { return expert(layer, expert, "w1", "ffn_gate", c.hiddenDim(), c.dim()); }

    public TensorSpec expertW2(int layer, int expert) { return expert(layer, expert, "w2", "ffn_down", c.dim(), c.hiddenDim()); }

    public TensorSpec expertW3(int layer, int expert) { return expert(layer, expert, "w3", "ffn_up", c.hiddenDim(), c.dim()); }

    /** The llama.cpp name of the stacked tensor holding every expert's {@code spec} (an expert tensor of this layout). */
    public static String stackedGgufName(TensorSpec expert) {
        String[] parts = expert.ggufName().split("\\.");  // blk, N, ffn_gate, E, weight
        return parts[0] + "." + parts[1] + "." + parts[2] + "_exps.weight";
    }

    /** The expert index of an expert tensor's GGUF name, or -1 for any other tensor. */
    public static int expertIndex(TensorSpec t) {
        String[] parts = t.ggufName().split("\\.");
        return parts.length == 5 && parts[2].startsWith("ffn_") && parts[3].chars().allMatch(Character::isDigit)
                ? Integer.parseInt(parts[3]) : -1;
    }

    public TensorSpec attentionNorm(int layer) { return layer(layer, "attention_norm.weight", "attn_norm.weight", c.dim()); }

    public TensorSpec ffnNorm(int layer) { return layer(layer, "ffn_norm.weight", "ffn_norm.weight", c.dim()); }

    /** All of them, in the order the checkpoints store them. */
    public List<TensorSpec> all() { return withExperts(c.hasMoe() ? c.moe().experts() : 0); }

    /** The tensors one token reads: {@link #all()} with only the first num_experts_per_tok experts of each layer. */
    public List<TensorSpec> readPerToken() { return c.hasMoe() ? withExperts(c.moe().expertsPerToken()) : all(); }

    /** Every tensor in checkpoint order, a mixture of experts' layers listing their first {@code experts} experts. */
    private List<TensorSpec> withExperts(int experts) {
        List<TensorSpec> specs = new ArrayList<>();
        specs.add(embedding());
        for (int i = 0; i < c.nLayers(); i++) {
            specs.add(wq(i));
            specs.add(wk(i));
            specs.add(wv(i));
            specs.add(wo(i));
            addFeedForward(specs, i, experts);
            specs.add(attentionNorm(i));
            specs.add(ffnNorm(i));
        }
        specs.add(finalNorm());
        specs.add(output());
        return specs;
    }

    /** The dense w1, w2, w3, or the router and {@code experts} experts' matrices (mistral-inference's order). */
    private void addFeedForward(List<TensorSpec> specs, int layer, int experts) {
        if (!c.hasMoe()) {
            specs.add(w1(layer));
            specs.add(w2(layer));
            specs.add(w3(layer));
            return;
        }
        specs.add(router(layer));
        for (int e = 0; e < experts; e++) {
            specs.add(expertW1(layer, e));
            specs.add(expertW2(layer, e));
            specs.add(expertW3(layer, e));
        }
    }

    private static TensorSpec layer(int layer, String name, String ggufName, long... shape) {
        return new TensorSpec("layers." + layer + "." + name, "blk." + layer + "." + ggufName, shape);
    }

    private static TensorSpec expert(int layer, int expert, String name, String ggufName, long... shape) {
        return new TensorSpec("layers." + layer + ".feed_forward.experts." + expert + "." + name + ".weight",
                "blk." + layer + "." + ggufName + "." + expert + ".weight", shape);
    }

    private static TensorSpec spec(String name, String ggufName, long... shape) {
        return new TensorSpec(name, ggufName, shape);
    }
}
