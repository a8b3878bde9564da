package org.mambaplayground.engine.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.mambaplayground.engine.io.gguf.GgufFile;
import org.mambaplayground.engine.model.Model;
import org.mambaplayground.engine.model.ModelFormatException;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.tokenizer.GgufTokenizerLoader;
import org.mambaplayground.engine.tokenizer.Tokenizers;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * Opens a llama.cpp GGUF file as a model: the configuration from llama.cpp's metadata ({@link GgufSpecs}), the
 * tensors by llama.cpp's names in the types the file stores them (mapped, never converted), and the tokenizer
 * from the file's tokenizer metadata. A folder holding one GGUF model and no params.json opens the same way; a model
 * split by llama.cpp's gguf-split ({@code -00001-of-00003.gguf}) opens as one, from any of its parts.
 */
public final class GgufModels {
    private GgufModels() {}

    /**
     * Whether {@code path} is a GGUF file: named .gguf, or a file starting with GGUF's magic (Ollama keeps its
     * models as blobs named by digest). The rest of the header is checked when it is opened.
     */
    public static boolean isGgufFile(Path path) {
        Path name = path.getFileName();
        if (name == null || Files.isDirectory(path)) return false;
        if (name.toString().toLowerCase(Locale.ROOT).endsWith(".gguf")) return true;
        if (!Files.isRegularFile(path)) return false;
        try (java.io.InputStream in = Files.newInputStream(path)) {
            byte[] magic = in.readNBytes(4);
            return java.util.Arrays.equals(magic, "GGUF".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return false;
        }
    }

    /** Summary of a GGUF model for the Library: its configuration, tensor bytes and main matrix format. */
    public record Summary(ModelSpec spec, long weightBytes, WeightFormat mainFormat) {
        public MemoryEstimate estimate(WeightFormat kvFormat, long contextTokens) {
            long context = spec.maxContext() > 0 ? Math.min(contextTokens, spec.maxContext()) : contextTokens;
            return new MemoryEstimate(spec, mainFormat, kvFormat, weightBytes, spec.stateBytesAt(context, kvFormat), context);
        }
    }

    public static Summary summary(Path file) {
        try (GgufFile g = GgufFile.openModel(file)) {
            ModelSpec spec = GgufSpecs.read(g);
            long bytes = 0;
            java.util.Map<WeightFormat, Long> byFormat = new java.util.HashMap<>();
            for (String name : g.names()) {
                org.mambaplayground.engine.tensor.Tensor t = g.tensor(name);
                bytes += t.byteSize();
                byFormat.merge(t.format(), t.byteSize(), Long::sum);
            }
            WeightFormat main = byFormat.entrySet().stream().max(java.util.Map.Entry.comparingByValue()).orElseThrow().getKey();
            return new Summary(spec, bytes, main);
        }
    }

    /**
     * The GGUF model a folder without params.json holds, if any: its one .gguf file. Several are refused with
     * their names (the user picks one); null when there is none.
     */
    public static Path soleModelIn(Path folder) {
        if (!Files.isDirectory(folder) || Files.exists(folder.resolve(ModelLoader.PARAMS))) return null;
        List<Path> files;
        try (Stream<Path> list = Files.list(folder)) {
            // a split model is one model: its first part stands for it
            files = list.filter(GgufModels::isGgufFile).map(GgufModels::firstPart).distinct().sorted().toList();
        } catch (IOException e) {
            return null;
        }
        if (files.isEmpty()) return null;
        if (files.size() > 1) {
            throw new ModelFormatException(folder, "holds " + files.size() + " GGUF files ("
                    + String.join(", ", files.stream().map(f -> f.getFileName().toString()).toList()) + "): open one of them");
        }
        return files.getFirst();
    }

    /** The configuration of a GGUF file (for the Library and memory estimates), without building the model. */
    public static ModelSpec readSpec(Path file) {
        try (GgufFile g = GgufFile.openModel(file)) {
            return GgufSpecs.read(g);
        }
    }

    /**
     * The memory a GGUF model needs: its tensors' bytes as stored (all parts) plus the state at {@code contextTokens};
     * the precision shown is the format most of its matrix bytes are in (a Q4_K_M file: Q4_K).
     */
    public static MemoryEstimate memoryEstimate(Path file, WeightFormat kvFormat, long contextTokens) {
        return summary(file).estimate(kvFormat, contextTokens);
    }

    public static LoadedModel load(Path file, ModelLoader.Options options) {
        GgufFile g = GgufFile.openModel(file);
        Model model = null;
        try {
            model = loadModel(g, options);
            options.listener().progress("Reading tokenizer", 0.95);
            Tokenizers.Loaded tokenizer = GgufTokenizerLoader.load(g);
            if (tokenizer.tokenizer().vocabularySize() > model.spec().vocabularySize()) {
                throw new ModelFormatException(file, "the tokenizer has " + tokenizer.tokenizer().vocabularySize()
                        + " tokens but token_embd.weight has " + model.spec().vocabularySize() + " rows");
            }
            options.listener().progress("Ready", 1);
            return new LoadedModel(file, displayName(file), model, tokenizer.tokenizer(), tokenizer.chatFormat());
        } catch (RuntimeException e) {
            if (model != null) model.close();
            else g.close();
            throw e;
        }
    }

    public static Model loadModel(Path file, ModelLoader.Options options) {
        GgufFile g = GgufFile.openModel(file);
        try {
            return loadModel(g, options);
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
    }

    /** The model over {@code g}; closing the model closes the file. */
    private static Model loadModel(GgufFile g, ModelLoader.Options options) {
        if (options.quantized()) {
            throw new ModelFormatException(g.file(), "a GGUF file runs in the types it stores; a --precision of "
                    + options.precision() + " applies to Mistral's BF16 folders");
        }
        options.listener().progress("Reading GGUF metadata", 0.01);
        ModelSpec spec = GgufSpecs.read(g);
        GgufWeights weights = new GgufWeights(g, spec);
        if (options.pretouch()) ModelLoader.pretouch(weights, options);
        if (options.isCancelled()) throw new java.util.concurrent.CancellationException("loading " + g.file() + " was cancelled");
        options.listener().progress("Building the model", 0.9);
        return ModelLoader.build(spec, weights, options);
    }

    /** The first part of the split model {@code file} belongs to, or {@code file} itself. */
    static Path firstPart(Path file) {
        String first = GgufFile.splitPart(file, 1);
        return first == null ? file : file.resolveSibling(first);
    }

    private static String displayName(Path file) {
        String n = file.getFileName().toString();
        if (n.toLowerCase(Locale.ROOT).endsWith(".gguf")) n = n.substring(0, n.length() - ".gguf".length());
        int count = GgufFile.splitCount(file);
        return count > 1 ? n.substring(0, n.length() - "-00001-of-00000".length()) : n;
    }
}
