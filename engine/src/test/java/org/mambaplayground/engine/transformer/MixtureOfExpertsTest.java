package org.mambaplayground.engine.transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mambaplayground.engine.model.Logits.assertClose;
import static org.mambaplayground.engine.model.Logits.relativeError;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.model.InferenceState;
import org.mambaplayground.engine.model.Model;
import org.mambaplayground.engine.model.ModelFormatException;
import org.mambaplayground.engine.model.RandomWeights;
import org.mambaplayground.engine.synthetic.SyntheticModelWriter;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * Mixtral's sparse feed-forward: prefill equals decode (also under a sliding window, across its boundary), decode
 * reads exactly the chosen experts, prefill reads each chosen expert once per batch, every weight format runs it,
 * and params.json's moe object is checked. The logits themselves are checked against PyTorch in ReferenceVectorsTest.
 */
class MixtureOfExpertsTest {
    /** dim 64, 2 layers, 4 experts of hidden 96, 2 per token; the windowed one attends to 12 tokens. */
    static final TransformerConfig MOE = new TransformerConfig(64, 2, 32, 96, 4, 2, 1e-5, 53, 10_000.0, 0, 0, new MixtureOfExperts(4, 2));
    static final TransformerConfig MOE_WINDOWED = new TransformerConfig(64, 2, 32, 96, 4, 2, 1e-5, 53, 10_000.0, 12, 0, new MixtureOfExperts(4, 2));

    @TempDir Path dir;

    static TransformerModel model(TransformerConfig c) {
        return new TransformerModel(c, new RandomWeights(c.tensorSpecs(), 21), WeightFormat.F32);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 11, 13, 40})
    void prefillEqualsTokenByTokenDecode(int n) {
        for (TransformerConfig c : List.of(MOE, MOE_WINDOWED)) {
            TransformerModel m = model(c);
            int[] prompt = TransformerModelTest.tokens(n, 100 + n);
            KvCacheState prefilled = m.newState(), decoded = m.newState();
            float[] viaPrefill = m.prefill(prefilled, prompt);
            float[] viaDecode = null;
            for (int t : prompt) viaDecode = m.decode(decoded, t);
            String what = "n=" + n + " window=" + c.slidingWindow();
            assertClose(viaPrefill, viaDecode, TransformerModelTest.TOLERANCE, what);
            assertClose(m.decode(prefilled, 7), m.decode(decoded, 7), TransformerModelTest.TOLERANCE, "next token, " + what);
            assertThat(prefilled.bytes()).isEqualTo(decoded.bytes()).isEqualTo(c.stateBytesAt(n + 1, WeightFormat.F32));
        }
    }

    @Test
    void decodeReadsOnlyTheChosenExpertsAndPrefillReadsEachOncePerBatch() {
        TransformerModel m = model(MOE);
        int[] prompt = TransformerModelTest.tokens(40, 5);
        InferenceState s = m.newState();
        long before = m.expertsRead();
        for (int t : prompt) m.decode(s, t);
        // Each token runs through exactly 2 of the 4 experts in each of the 2 layers.
        assertThat(m.expertsRead() - before).isEqualTo(40L * 2 * 2);

        before = m.expertsRead();
        m.prefill(m.newState(), prompt);
        // 40 tokens grouped by expert: each (layer, expert) pair read at most once, and these tokens use them all.
        assertThat(m.expertsRead() - before).isEqualTo(4L * 2);
        assertThat(MOE.parametersPerToken()).isLessThan(MOE.parameterCount());
    }

    @Test
    void mixtralCountsMatchItsPublishedFigures() {
        TransformerConfig mixtral = TransformerConfig.mixtral8x7B();
        // Mistral's announcement: 46.7B parameters in total, 12.9B used per token.
        assertThat(mixtral.parameterCount() / 1e9).isBetween(46.6, 46.8);
        assertThat(mixtral.parametersPerToken() / 1e9).isBetween(12.8, 13.0);
        assertThat(mixtral.weightBytesPerToken(WeightFormat.BF16))
                .isEqualTo(2 * (mixtral.parametersPerToken() - (long) mixtral.vocabSize() * mixtral.dim() + mixtral.dim()));
        TransformerConfig dense = TransformerConfig.mistral7B();
        assertThat(dense.parametersPerToken()).isEqualTo(dense.parameterCount());
    }

    /**
     * Every weight format through the loader: F32, F16, BF16 checkpoints, and quantized copies (Q8_0, Q4_0, the
     * k-quants: dim and hidden 256 so the expert matrices really are in them). Each keeps prefill equal to decode and
     * stays near the F32 logits. Measured relative to them: F16 0.0004, BF16 0.003, Q8_0 0.013, Q6_K 0.025, Q4_0 0.10,
     * Q4_K 0.11, Q5_K 0.15 (a coarse router can send a token to another expert, so the bound is loose).
     */
    @Test
    void everyWeightFormatRunsTheExperts() {
        TransformerConfig c = new TransformerConfig(256, 2, 64, 256, 4, 2, 1e-5, 64, 10_000.0, 0, 0, new MixtureOfExperts(4, 2));
        int[] prompt = TransformerModelTest.tokens(9, 3);
        float[] reference = null;
        for (WeightFormat f : WeightFormat.ALL) {
            Path folder = dir.resolve(f.quantized() ? "bf16" : f.name());
            SyntheticModelWriter.write(c, folder, f.quantized() ? WeightFormat.BF16 : f, 7);
            ModelLoader.Options options = ModelLoader.Options.DEFAULT.withKvFormat(WeightFormat.F32);
            if (f.quantized()) options = options.withPrecision(f).withCacheDir(dir.resolve("cache"));
            try (Model m = ModelLoader.loadModel(folder, options)) {
                InferenceState decoded = m.newState();
                float[] viaDecode = null;
                for (int t : prompt) viaDecode = m.decode(decoded, t);
                assertClose(m.prefill(m.newState(), prompt), viaDecode, TransformerModelTest.TOLERANCE, f.name());
                assertThat(m.expertsRead()).as(f.name()).isGreaterThan(0);
                if (reference == null) reference = viaDecode;
                double error = relativeError(viaDecode, reference);
                System.out.printf("MoE %s: relative logit difference from F32 %.4f%n", f, error);
                assertThat(error).as(f.name()).isLessThan(0.2);
            }
        }
    }

    @Test
    void moeParamsAreChecked() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode p = MOE.toParams();
        Path file = Path.of("params.json");
        assertThat(TransformerConfig.fromParams(json.readTree(p.toString()), file)).isEqualTo(MOE);
        ((ObjectNode) p.get("moe")).put("num_experts_per_tok", 5);
        assertThatThrownBy(() -> TransformerConfig.fromParams(p, file)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("'moe.num_experts_per_tok'").hasMessageContaining("num_experts 4");
        ((ObjectNode) p.get("moe")).remove("num_experts");
        assertThatThrownBy(() -> TransformerConfig.fromParams(p, file)).hasMessageContaining("missing the key 'moe.num_experts'");
        p.put("moe", 8);
        assertThatThrownBy(() -> TransformerConfig.fromParams(p, file)).hasMessageContaining("'moe' must be a JSON object");
        p.putObject("moe").put("num_experts", 1 << 20).put("num_experts_per_tok", 2);
        assertThatThrownBy(() -> TransformerConfig.fromParams(p, file)).hasMessageContaining("'moe.num_experts'");
    }
}
