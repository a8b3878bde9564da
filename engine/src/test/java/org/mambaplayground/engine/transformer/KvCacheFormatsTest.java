package org.mambaplayground.engine.transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mambaplayground.engine.model.Logits;
import org.mambaplayground.engine.model.RandomWeights;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/** Which formats a KV cache may use, and how far the lossy ones move the logits from an F32 cache. */
class KvCacheFormatsTest {
    /** dim 128, 2 layers, 4 query heads sharing 2 KV heads of 32, vocabulary 256. */
    static final TransformerConfig SMALL = new TransformerConfig(128, 2, 32, 256, 4, 2, 1e-5, 256, 10_000.0, 0, 0);
    static final int TOKENS = 64;
    /**
     * Largest relative logit error (|a - b| / (1 + max |b|)) against the F32 cache over 64 decoded tokens.
     * Observed: F16 2.1e-4, BF16 1.5e-3, Q8_0 4.4e-3 (mean 1.0e-4, 8.2e-4, 2.6e-3).
     */
    static final Map<WeightFormat, Double> BOUND_VS_F32 =
            Map.of(WeightFormat.F16, 1e-3, WeightFormat.BF16, 5e-3, WeightFormat.Q8_0, 1e-2);
    /** Positions whose argmax must agree with the F32 cache's; observed 64 of 64 for each format. */
    static final int MIN_ARGMAX_AGREEMENT = 60;

    @Test
    void lossyCachesStayCloseToF32AndPickTheSameTokens() {
        int[] tokens = new int[TOKENS];
        Random r = new Random(3);
        for (int i = 0; i < TOKENS; i++) tokens[i] = r.nextInt(SMALL.vocabSize());
        float[][] reference = decodeAll(WeightFormat.F32, tokens);
        for (var bound : BOUND_VS_F32.entrySet()) {
            float[][] logits = decodeAll(bound.getKey(), tokens);
            double worst = 0;
            int agree = 0;
            for (int i = 0; i < TOKENS; i++) {
                worst = Math.max(worst, Logits.relativeError(logits[i], reference[i]));
                if (argmax(logits[i]) == argmax(reference[i])) agree++;
            }
            assertThat(worst).as("%s cache: largest relative error vs F32", bound.getKey()).isLessThanOrEqualTo(bound.getValue());
            assertThat(agree).as("%s cache: positions with F32's argmax", bound.getKey()).isGreaterThanOrEqualTo(MIN_ARGMAX_AGREEMENT);
        }
    }

    private static float[][] decodeAll(WeightFormat kv, int[] tokens) {
        TransformerModel m = new TransformerModel(SMALL, new RandomWeights(SMALL.tensorSpecs(), 21), kv);
        KvCacheState s = m.newState();
        float[][] out = new float[tokens.length][];
        for (int i = 0; i < tokens.length; i++) out[i] = m.decode(s, tokens[i]);
        return out;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    @Test
    void q4_0IsNotOfferedAndQ8_0NeedsWholeBlocksPerHead() {
        RandomWeights weights = new RandomWeights(SMALL.tensorSpecs(), 1);
        assertThatThrownBy(() -> new TransformerModel(SMALL, weights, WeightFormat.Q4_0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Q4_0 is not offered for the KV cache");
        // head_dim 16: 2 KV heads make whole 32-element blocks per token, but a block would straddle two heads.
        TransformerConfig narrow = new TransformerConfig(32, 1, 16, 32, 4, 2, 1e-5, 16, 10_000.0, 0, 0);
        assertThatThrownBy(() -> new TransformerModel(narrow, new RandomWeights(narrow.tensorSpecs(), 1), WeightFormat.Q8_0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Q8_0").hasMessageContaining("head_dim must be a multiple of 32").hasMessageContaining("head_dim is 16");
        assertThatThrownBy(() -> narrow.kvBytesPerToken(WeightFormat.Q8_0)).hasMessageContaining("head_dim is 16");
        assertThat(narrow.kvFormats()).containsExactly(WeightFormat.F32, WeightFormat.F16, WeightFormat.BF16);
        assertThat(SMALL.kvFormats()).isEqualTo(TransformerConfig.KV_FORMATS);
    }
}
