import java.nio.file.Path;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.synthetic.SyntheticModelWriter;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.engine.transformer.TransformerConfig;

/**
 * Two small synthetic BF16 checkpoints whose matrices have rows of whole k-quant super-blocks (256 wide), so that
 * a Q4_K/Q5_K/Q6_K copy quantizes every projection (the demo models are 128 wide). The demo tokenizers are copied in.
 *   java -cp app/target/mamba-playground.jar tools/llama-cpp-check/KQuantModels.java OUT_DIR DEMO_DIR
 */
public class KQuantModels {
    public static void main(String[] args) {
        Path out = Path.of(args[0]), demo = Path.of(args[1]);
        // dim, layers, vocab, groups, rms, fp32 residual, fused, pad, tied, d_state, d_conv, expand, head_dim, chunk
        Mamba2Config mamba = new Mamba2Config(256, 2, 4096, 2, true, true, true, 1, false, 32, 4, 2, 64, 64);
        SyntheticModelWriter.write(mamba, out.resolve("mamba2-256"), WeightFormat.BF16, 11,
                demo.resolve("codestral-mamba-demo/tokenizer.model.v3"), b -> {}, () -> false);
        // dim, layers, head_dim, hidden, heads, kv heads, eps, vocab, rope theta, window, max_seq_len
        TransformerConfig nemo = new TransformerConfig(256, 2, 64, 768, 4, 2, 1e-5, 4096, 1_000_000.0, 0, 0);
        SyntheticModelWriter.write(nemo, out.resolve("transformer-256"), WeightFormat.BF16, 12,
                demo.resolve("mistral-nemo-demo/tekken.json"), b -> {}, () -> false);
    }
}
