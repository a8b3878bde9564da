package org.mambaplayground.engine.synthetic;

import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.model.Architecture;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.transformer.MixtureOfExperts;
import org.mambaplayground.engine.transformer.TransformerConfig;

/**
 * Configurations of a requested weight size, shaped like the real models (Codestral Mamba's mixer
 * defaults, Mistral's head_dim 128 and 4:1 grouped-query attention, hidden = 3.5 x dim): the widest
 * model that still has several layers, so its matrices are as large as the real ones allow.
 */
public final class SyntheticConfigs {
    private static final int[] DIMS = {4096, 3072, 2048, 1536, 1024, 768, 512, 384, 256, 128, 64};
    private static final int MIN_LAYERS = 8;

    private SyntheticConfigs() {}

    /** A configuration whose weights take about {@code bytes} at {@code bytesPerParameter} (2 for BF16). */
    public static ModelSpec ofSize(Architecture architecture, long bytes, int bytesPerParameter) {
        return ofSize(bytes, bytesPerParameter, (dim, layers, vocab) -> build(architecture, dim, layers, vocab));
    }

    /**
     * A Mixtral-shaped transformer (the synthetic transformer's shape with {@code moe}'s experts in each layer) whose
     * weights, all experts together, take about {@code bytes}; {@code slidingWindow} 0 for full attention.
     */
    public static TransformerConfig transformerOfSize(long bytes, int bytesPerParameter, MixtureOfExperts moe, int slidingWindow) {
        return (TransformerConfig) ofSize(bytes, bytesPerParameter, (dim, layers, vocab) -> {
            TransformerConfig c = (TransformerConfig) build(Architecture.TRANSFORMER, dim, layers, vocab);
            return new TransformerConfig(c.dim(), c.nLayers(), c.headDim(), c.hiddenDim(), c.nHeads(), c.nKvHeads(), c.normEps(),
                    c.vocabSize(), c.ropeTheta(), slidingWindow, c.maxSeqLen(), moe);
        });
    }

    private interface Shape { ModelSpec build(int dim, int layers, int vocab); }

    private static ModelSpec ofSize(long bytes, int bytesPerParameter, Shape shape) {
        long params = bytes / bytesPerParameter;
        for (int minLayers : new int[] {MIN_LAYERS, 2}) {
            for (int dim : DIMS) {
                for (int vocab : new int[] {32768, 4096, 512}) {
                    ModelSpec oneLayer = shape.build(dim, 1, vocab);
                    ModelSpec twoLayers = shape.build(dim, 2, vocab);
                    long perLayer = twoLayers.parameterCount() - oneLayer.parameterCount();
                    long fixed = oneLayer.parameterCount() - perLayer;
                    if (fixed > params / 3) continue; // embeddings should not dominate
                    long layers = (params - fixed) / perLayer;
                    if (layers >= minLayers) return shape.build(dim, (int) Math.min(layers, 512), vocab);
                }
            }
        }
        return shape.build(64, 2, 256);
    }

    static ModelSpec build(Architecture architecture, int dim, int layers, int vocab) {
        return switch (architecture) {
            case MAMBA2 -> {
                int heads = 2 * dim / Mamba2Config.DEFAULT_HEAD_DIM;
                int groups = heads % 8 == 0 ? 8 : 1;
                yield new Mamba2Config(dim, layers, vocab, groups, true, true, true, 1, false,
                        Mamba2Config.DEFAULT_D_STATE, Mamba2Config.DEFAULT_D_CONV, Mamba2Config.DEFAULT_EXPAND,
                        Mamba2Config.DEFAULT_HEAD_DIM, Mamba2Config.DEFAULT_CHUNK_SIZE);
            }
            case TRANSFORMER -> {
                int headDim = dim >= 1024 ? 128 : 64;
                int heads = Math.max(1, dim / headDim);
                int kvHeads = heads % 4 == 0 ? heads / 4 : heads;
                int hidden = (int) Math.ceil(3.5 * dim / 256) * 256;
                yield new TransformerConfig(dim, layers, headDim, hidden, heads, kvHeads, 1e-5, vocab, 1_000_000.0, 0, 0);
            }
        };
    }

    /** Parses sizes such as "1GB", "500MB", "1.5 GiB", "2000000" (bytes; decimal units, binary with "iB"). */
    public static long parseSize(String text) {
        String s = text.trim().toUpperCase(java.util.Locale.ROOT).replace(" ", "");
        long unit = 1;
        String[][] units = {{"GIB", "1073741824"}, {"MIB", "1048576"}, {"KIB", "1024"}, {"GB", "1000000000"},
                {"MB", "1000000"}, {"KB", "1000"}, {"G", "1000000000"}, {"M", "1000000"}, {"K", "1000"}, {"B", "1"}};
        for (String[] u : units) {
            if (s.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                s = s.substring(0, s.length() - u[0].length());
                break;
            }
        }
        double value;
        try {
            value = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: \"" + text + "\" (examples: 1GB, 500MB, 2GiB)");
        }
        if (!(value > 0) || value * unit > 1e13) throw new IllegalArgumentException("size out of range: " + text);
        return (long) (value * unit);
    }
}
