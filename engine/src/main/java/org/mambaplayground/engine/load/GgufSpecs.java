package org.mambaplayground.engine.load;

import org.mambaplayground.engine.io.gguf.GgufFile;
import org.mambaplayground.engine.model.ModelFormatException;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.tensor.Tensor;

/**
 * The configuration of a GGUF file from llama.cpp's own metadata keys ({@code general.architecture}, then
 * {@code {arch}.embedding_length}, {@code block_count}, {@code ssm.*} or {@code attention.*}...), for files made
 * by llama.cpp's converters (bartowski's, LM Studio's, Ollama's), which do not carry a params.json. Every count is
 * bounded before anything is sized from it; the vocabulary is the embedding's row count, as llama.cpp takes it.
 */
final class GgufSpecs {
    /** Larger than any model these architectures have (Nemo: 5,120 wide, 40 layers; llama.cpp caps layers at 512). */
    static final long MAX_WIDTH = 1 << 20, MAX_LAYERS = 4096;

    private GgufSpecs() {}

    /** The architecture {@code general.architecture} names; refused with the names this engine runs otherwise. */
    static GgufArchitecture architecture(GgufFile g) {
        String name = g.string("general.architecture");
        return switch (name) {
            case "mamba2" -> new Mamba2Gguf();
            case "llama" -> new TransformerGguf();
            default -> throw new ModelFormatException(g.file(), "general.architecture is \"" + name
                    + "\", which this engine does not run (supported: mamba2 for Codestral Mamba, llama for Mistral 7B, Nemo and other Mistral transformers)");
        };
    }

    static ModelSpec read(GgufFile g) {
        return architecture(g).readSpec(g);
    }

    /** A count key that must be present, positive and at most {@code max}. */
    static int count(GgufFile g, String key, long max) {
        long v = g.integer(key);
        if (v <= 0 || v > max) throw new ModelFormatException(g.file(), "metadata " + key + " is " + v + ": expected 1 to " + max);
        return (int) v;
    }

    /** Like {@link #count} for a key that may be absent ({@code absent} then). */
    static int count(GgufFile g, String key, long max, int absent) {
        return g.has(key) ? count(g, key, max) : absent;
    }

    /** The vocabulary size: rows of token_embd.weight (GGUF dims [width, vocab]). */
    static int vocabulary(GgufFile g, int width) {
        Tensor embedding = g.tensor("token_embd.weight");
        if (embedding.rank() != 2 || embedding.dim(1) != width || embedding.dim(0) > MAX_WIDTH) {
            throw new ModelFormatException(g.file(), "tensor token_embd.weight has shape " + java.util.Arrays.toString(embedding.shape())
                    + ": expected [vocabulary, " + width + "] with at most " + MAX_WIDTH + " tokens");
        }
        return (int) embedding.dim(0);
    }
}
