package org.mambaplayground.engine.load;

import java.util.LinkedHashMap;
import java.util.Map;
import org.mambaplayground.engine.io.TensorValues;
import org.mambaplayground.engine.io.gguf.GgufFile;
import org.mambaplayground.engine.io.gguf.GgufValue;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.model.ModelFormatException;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.model.TensorSpec;
import org.mambaplayground.engine.tensor.Tensor;

/**
 * Codestral Mamba in llama.cpp's {@code mamba2} GGUF layout: the ssm.* keys (time_step_rank is the head count),
 * and A stored as {@code -exp(A_log)} (what llama.cpp's scan multiplies by), so A_log is recovered as log(-A).
 */
final class Mamba2Gguf implements GgufArchitecture {
    /** What llama.cpp's converter writes as the context of a model without one. */
    static final long CONTEXT = 1L << 20;

    @Override public String name() { return "mamba2"; }

    @Override
    public Map<String, GgufValue> metadata(ModelSpec spec) {
        Mamba2Config c = (Mamba2Config) spec;
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("mamba2.context_length", GgufValue.u32(CONTEXT));
        m.put("mamba2.embedding_length", GgufValue.u32(c.dim()));
        m.put("mamba2.feed_forward_length", GgufValue.u32(0));
        m.put("mamba2.attention.head_count", GgufValue.u32(0));
        m.put("mamba2.block_count", GgufValue.u32(c.nLayers()));
        m.put("mamba2.ssm.conv_kernel", GgufValue.u32(c.dConv()));
        m.put("mamba2.ssm.inner_size", GgufValue.u32(c.innerDim()));
        m.put("mamba2.ssm.state_size", GgufValue.u32(c.dState()));
        m.put("mamba2.ssm.time_step_rank", GgufValue.u32(c.nHeads()));
        m.put("mamba2.ssm.group_count", GgufValue.u32(c.nGroups()));
        m.put("mamba2.attention.layer_norm_rms_epsilon", GgufValue.f32(Mamba2Config.NORM_EPS));
        return m;
    }

    @Override
    public ModelSpec readSpec(GgufFile g) {
        int dim = GgufSpecs.count(g, "mamba2.embedding_length", GgufSpecs.MAX_WIDTH);
        int inner = GgufSpecs.count(g, "mamba2.ssm.inner_size", GgufSpecs.MAX_WIDTH * 4);
        int heads = GgufSpecs.count(g, "mamba2.ssm.time_step_rank", GgufSpecs.MAX_WIDTH);
        int groups = GgufSpecs.count(g, "mamba2.ssm.group_count", GgufSpecs.MAX_WIDTH);
        int state = GgufSpecs.count(g, "mamba2.ssm.state_size", 4096);
        int conv = GgufSpecs.count(g, "mamba2.ssm.conv_kernel", 64);
        int layers = GgufSpecs.count(g, "mamba2.block_count", GgufSpecs.MAX_LAYERS);
        if (inner % dim != 0) {
            throw new ModelFormatException(g.file(), "metadata mamba2.ssm.inner_size " + inner + " is not a multiple of mamba2.embedding_length " + dim);
        }
        if (inner % heads != 0) {
            throw new ModelFormatException(g.file(), "metadata mamba2.ssm.inner_size " + inner + " is not a multiple of mamba2.ssm.time_step_rank " + heads);
        }
        if (g.has("mamba2.attention.layer_norm_rms_epsilon")) {
            double eps = g.number("mamba2.attention.layer_norm_rms_epsilon");
            if (Math.abs(eps - Mamba2Config.NORM_EPS) > 1e-9) {
                throw new ModelFormatException(g.file(), "metadata mamba2.attention.layer_norm_rms_epsilon is " + eps
                        + ": this engine runs Mamba2 with mamba_ssm's " + Mamba2Config.NORM_EPS);
            }
        }
        int vocab = GgufSpecs.vocabulary(g, dim);
        boolean tied = !g.names().contains("output.weight");
        try {
            return new Mamba2Config(dim, layers, vocab, groups, true, true, true, 1, tied, state, conv,
                    inner / dim, inner / heads, Mamba2Config.DEFAULT_CHUNK_SIZE);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(g.file(), "the mamba2 metadata does not describe a model this engine runs: " + e.getMessage());
        }
    }

    @Override
    public TensorValues toGguf(TensorSpec t, Tensor source) {
        if (!t.ggufName().endsWith(".ssm_a")) return TensorValues.of(source);
        return (offset, chunk, count) -> {
            for (int i = 0; i < count; i++) chunk[i] = (float) -Math.exp(source.get(offset + i));
        };
    }

    @Override
    public Tensor fromGguf(TensorSpec t, Tensor stored, GgufFile file) {
        Tensor viewed = GgufArchitecture.asCheckpointShape(t, stored, file);
        if (!t.ggufName().endsWith(".ssm_a")) return viewed;
        float[] aLog = viewed.toFloatArray();
        for (int i = 0; i < aLog.length; i++) {
            if (!(aLog[i] < 0)) throw new ModelFormatException(file.file(), "tensor " + t.ggufName() + " holds A = " + aLog[i] + "; A must be negative");
            aLog[i] = (float) Math.log(-aLog[i]);
        }
        return Tensor.ofFloats(t.name(), aLog, t.shape());
    }
}
