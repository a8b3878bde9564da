package org.mambaplayground.engine.mamba2;

import java.util.ArrayList;
import java.util.List;
import org.mambaplayground.engine.model.TensorSpec;

/**
 * Every tensor of a Mamba2 checkpoint, written once: its name in Codestral Mamba's consolidated.safetensors
 * (mamba_ssm's MambaLMHeadModel names after the {@code model.} prefix that mistral-inference's wrapper adds),
 * its name in llama.cpp's {@code mamba2} GGUF files, and its shape.
 */
public final class Mamba2Tensors {
    /**
     * Prefix of every tensor name in Codestral Mamba's consolidated.safetensors: mistral-inference's {@code Mamba}
     * module holds mamba_ssm's MambaLMHeadModel as its attribute {@code model} and loads the file into itself
     * with strict=True, so the file's names are "model." + mamba_ssm's (Hugging Face's converter strips it).
     */
    public static final String PREFIX = "model.";

    private final Mamba2Config c;

    Mamba2Tensors(Mamba2Config c) { this.c = c; }

    public TensorSpec embedding() { return spec("backbone.embedding.weight", "token_embd.weight", c.paddedVocabSize(), c.dim()); }

    /** The output head; with tied embeddings the embedding serves (safetensors stores a shared tensor once). */
    public TensorSpec lmHead() { return c.tieEmbeddings() ? embedding() : spec("lm_head.weight", "output.weight", c.paddedVocabSize(), c.dim()); }

    public TensorSpec finalNorm() { return spec("backbone.norm_f.weight", "output_norm.weight", c.dim()); }

    public TensorSpec blockNorm(int layer) { return spec("backbone.layers." + layer + ".norm.weight", blk(layer, "attn_norm.weight"), c.dim()); }

    public TensorSpec dtBias(int layer) { return mixer(layer, "dt_bias", "ssm_dt.bias", c.nHeads()); }

    /** A_log; GGUF files hold A = -exp(A_log) under this name instead, as a column. */
    public TensorSpec aLog(int layer) { return mixer(layer, "A_log", "ssm_a", shape(c.nHeads()), shape(c.nHeads(), 1)); }

    public TensorSpec d(int layer) { return mixer(layer, "D", "ssm_d", shape(c.nHeads()), shape(c.nHeads(), 1)); }

    public TensorSpec inProj(int layer) { return mixer(layer, "in_proj.weight", "ssm_in.weight", c.inProjDim(), c.dim()); }

    /** The depthwise conv kernel; GGUF squeezes out its middle dimension of 1. */
    public TensorSpec convWeight(int layer) {
        return mixer(layer, "conv1d.weight", "ssm_conv1d.weight", shape(c.convDim(), 1, c.dConv()), shape(c.convDim(), c.dConv()));
    }

    public TensorSpec convBias(int layer) { return mixer(layer, "conv1d.bias", "ssm_conv1d.bias", c.convDim()); }

    /** The gated norm's weight; GGUF groups it by the n_groups groups it normalises. */
    public TensorSpec norm(int layer) {
        return mixer(layer, "norm.weight", "ssm_norm.weight", shape(c.innerDim()), shape(c.nGroups(), c.innerDim() / c.nGroups()));
    }

    public TensorSpec outProj(int layer) { return mixer(layer, "out_proj.weight", "ssm_out.weight", c.dim(), c.innerDim()); }

    /** All of them, in the order the checkpoints store them. */
    public List<TensorSpec> all() {
        List<TensorSpec> specs = new ArrayList<>();
        specs.add(embedding());
        for (int i = 0; i < c.nLayers(); i++) {
            specs.add(dtBias(i));
            specs.add(aLog(i));
            specs.add(d(i));
            specs.add(inProj(i));
            specs.add(convWeight(i));
            specs.add(convBias(i));
            specs.add(norm(i));
            specs.add(outProj(i));
            specs.add(blockNorm(i));
        }
        specs.add(finalNorm());
        if (!c.tieEmbeddings()) specs.add(lmHead());
        return specs;
    }

    private static String blk(int layer, String name) { return "blk." + layer + "." + name; }

    private static TensorSpec mixer(int layer, String mambaSsmName, String ggufName, long... shape) {
        return mixer(layer, mambaSsmName, ggufName, shape, shape);
    }

    private static TensorSpec mixer(int layer, String mambaSsmName, String ggufName, long[] shape, long[] ggufShape) {
        return new TensorSpec(PREFIX + "backbone.layers." + layer + ".mixer." + mambaSsmName, blk(layer, ggufName), shape, ggufShape);
    }

    private static long[] shape(long... dims) { return dims; }

    private static TensorSpec spec(String mambaSsmName, String ggufName, long... shape) {
        return new TensorSpec(PREFIX + mambaSsmName, ggufName, shape);
    }
}
