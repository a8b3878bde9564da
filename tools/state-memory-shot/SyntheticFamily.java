import java.nio.file.Path;
import org.mambaplayground.engine.synthetic.SyntheticConfigs;
import org.mambaplayground.engine.synthetic.SyntheticModelWriter;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.engine.transformer.MixtureOfExperts;
import org.mambaplayground.engine.transformer.TransformerConfig;

/**
 * The two small synthetic models of the state-memory screenshot, written by the engine's synthetic writer with the
 * Nemo demo tokenizer copied in: a transformer with a 64-token sliding window (its KV cache stops growing at 64
 * tokens, well inside a sweep up to 512) and a mixture of 4 experts, 2 per token. The sizes are chosen so that
 * SyntheticConfigs picks the demo tokenizer's 4,096-token vocabulary.
 *   java -cp CLASSPATH tools/state-memory-shot/SyntheticFamily.java OUT_DIR DEMO_DIR
 */
public class SyntheticFamily {
    public static void main(String[] args) {
        Path out = Path.of(args[0]), tekken = Path.of(args[1], "mistral-nemo-demo", "tekken.json");
        write(SyntheticConfigs.transformerOfSize(8_000_000, 2, null, 64), out.resolve("synthetic-window-64"), tekken);
        write(SyntheticConfigs.transformerOfSize(16_000_000, 2, new MixtureOfExperts(4, 2), 0), out.resolve("synthetic-moe-4x2"), tekken);
    }

    private static void write(TransformerConfig spec, Path folder, Path tokenizer) {
        if (spec.vocabSize() != 4096) throw new IllegalStateException(folder + ": vocabulary " + spec.vocabSize() + ", not the tokenizer's 4096");
        SyntheticModelWriter.write(spec, folder, WeightFormat.BF16, 7, tokenizer, b -> {}, () -> false);
        System.out.println(folder + ": dim " + spec.dim() + ", " + spec.nLayers() + " layers, window " + spec.slidingWindow()
                + ", experts " + spec.moe() + ", " + SyntheticModelWriter.weightBytes(spec, WeightFormat.BF16) / 1000 + " kB");
    }
}
