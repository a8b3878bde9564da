package org.mambaplayground.engine.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static float[] randomLogits(Random random, int n) {
        float[] logits = new float[n];
        for (int i = 0; i < n; i++) logits[i] = (float) (random.nextGaussian() * 3);
        return logits;
    }

    @Test
    void greedyPicksTheArgmaxOfRandomLogits() {
        Random random = new Random(1);
        Sampler sampler = new Sampler(SamplingOptions.greedy(10));
        for (int trial = 0; trial < 200; trial++) {
            float[] logits = randomLogits(random, 1 + random.nextInt(500));
            int expected = 0;
            for (int i = 1; i < logits.length; i++) if (logits[i] > logits[expected]) expected = i;
            assertThat(sampler.sample(logits)).isEqualTo(expected);
        }
    }

    @Test
    void greedyBreaksTiesTowardTheLowerIdAndIgnoresNaN() {
        assertThat(Sampler.argmax(new float[] {1f, 3f, 3f, 2f})).isEqualTo(1);
        assertThat(Sampler.argmax(new float[] {Float.NaN, -5f, Float.NaN})).isEqualTo(1);
    }

    @Test
    void nucleusIsTheSmallestSetOfMostProbableTokensReachingTopP() {
        Random random = new Random(2);
        for (int trial = 0; trial < 200; trial++) {
            float[] probs = Sampler.softmax(randomLogits(random, 2 + random.nextInt(300)), 1f);
            float topP = 0.05f + random.nextFloat() * 0.9f;
            int[] nucleus = Sampler.nucleus(probs, topP);
            double mass = 0;
            for (int id : nucleus) mass += probs[id];
            assertThat(mass).isGreaterThanOrEqualTo(topP - 1e-6);
            // minimal: without its least probable member it would fall short
            double withoutLast = mass - probs[nucleus[nucleus.length - 1]];
            assertThat(withoutLast).isLessThan(topP);
            // every member is at least as probable as every token left out
            float smallestIn = Float.MAX_VALUE;
            for (int id : nucleus) smallestIn = Math.min(smallestIn, probs[id]);
            boolean[] in = new boolean[probs.length];
            for (int id : nucleus) in[id] = true;
            for (int i = 0; i < probs.length; i++) if (!in[i]) assertThat(probs[i]).isLessThanOrEqualTo(smallestIn);
        }
    }

    @Test
    void nucleusOfAKnownDistribution() {
        float[] probs = {0.1f, 0.5f, 0.25f, 0.15f};
        assertThat(Sampler.nucleus(probs, 0.5f)).containsExactly(1);
        assertThat(Sampler.nucleus(probs, 0.6f)).containsExactly(1, 2);
        assertThat(Sampler.nucleus(probs, 0.8f)).containsExactly(1, 2, 3);
        assertThat(Sampler.nucleus(probs, 1f)).containsExactly(1, 2, 3, 0);
    }

    @Test
    void topPSamplingNeverLeavesTheNucleus() {
        float[] logits = {0f, 2f, 1.5f, -1f, 1f, -3f};
        float topP = 0.7f;
        int[] nucleus = Sampler.nucleus(Sampler.softmax(logits, 0.8f), topP);
        Sampler sampler = new Sampler(new SamplingOptions(0.8f, topP, 7, 10));
        boolean[] seen = new boolean[logits.length];
        for (int i = 0; i < 5000; i++) seen[sampler.sample(logits)] = true;
        for (int id = 0; id < logits.length; id++) {
            int finalId = id;
            boolean inNucleus = Arrays.stream(nucleus).anyMatch(n -> n == finalId);
            assertThat(seen[id]).as("token %d seen", id).isEqualTo(inNucleus);
        }
    }

    @Test
    void temperatureSamplingFollowsTheSoftmaxDistribution() {
        float[] logits = {1f, 0f, 2f, -1f};
        float temperature = 0.7f;
        float[] expected = Sampler.softmax(logits, temperature);
        Sampler sampler = new Sampler(new SamplingOptions(temperature, 1f, 42, 10));
        int draws = 40_000;
        int[] counts = new int[logits.length];
        for (int i = 0; i < draws; i++) counts[sampler.sample(logits)]++;
        // chi-square against exp(l/T)/Z; 3 degrees of freedom, 99.9% quantile 16.27
        double chi2 = 0;
        for (int i = 0; i < logits.length; i++) {
            double e = expected[i] * draws;
            chi2 += (counts[i] - e) * (counts[i] - e) / e;
        }
        assertThat(chi2).isLessThan(16.27);
        // and the formula itself, independently of softmax(): p2/p0 = exp((2-1)/T)
        assertThat((double) expected[2] / expected[0]).isCloseTo(Math.exp(1 / temperature), org.assertj.core.data.Offset.offset(1e-4));
    }

    @Test
    void lowTemperatureConcentratesOnTheArgmax() {
        float[] logits = {1f, 1.5f, 0.5f};
        Sampler sampler = new Sampler(new SamplingOptions(0.01f, 1f, 3, 10));
        for (int i = 0; i < 1000; i++) assertThat(sampler.sample(logits)).isEqualTo(1);
    }

    @Test
    void sameSeedSameTokensDifferentSeedDifferentTokens() {
        Random random = new Random(5);
        float[][] steps = new float[100][];
        for (int i = 0; i < steps.length; i++) steps[i] = randomLogits(random, 50);
        int[] a = drawAll(new Sampler(new SamplingOptions(1f, 0.9f, 1234, 10)), steps);
        int[] b = drawAll(new Sampler(new SamplingOptions(1f, 0.9f, 1234, 10)), steps);
        int[] c = drawAll(new Sampler(new SamplingOptions(1f, 0.9f, 1235, 10)), steps);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    private static int[] drawAll(Sampler sampler, float[][] steps) {
        int[] out = new int[steps.length];
        for (int i = 0; i < steps.length; i++) out[i] = sampler.sample(steps[i]);
        return out;
    }

    @Test
    void rejectsBadOptionsWithTheirNames() {
        assertThatThrownBy(() -> new Sampler(new SamplingOptions(-1f, 1f, 0, 1))).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new Sampler(new SamplingOptions(Float.NaN, 1f, 0, 1))).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new Sampler(new SamplingOptions(1f, 0f, 0, 1))).hasMessageContaining("top_p");
        assertThatThrownBy(() -> new Sampler(new SamplingOptions(1f, 1.5f, 0, 1))).hasMessageContaining("top_p");
    }

    @Test
    void penaltiesLowerTheLogitsOfTokensAlreadyPickedAsOpenAIDefinesThem() {
        float[] logits = {2f, 1.5f, 0f, -1f};
        // token 0 picked twice, token 2 once: logit -= count * frequency + (count > 0) * presence
        float[] out = Sampler.penalized(logits, java.util.Map.of(0, 2, 2, 1), 0.5f, 0.25f);
        assertThat(out).containsExactly(2f - 2 * 0.5f - 0.25f, 1.5f, 0f - 0.5f - 0.25f, -1f);
        assertThat(logits[0]).as("the model's logits are left alone").isEqualTo(2f);
    }

    @Test
    void greedyWithPenaltiesStopsRepeatingTheSameToken() {
        float[] logits = {2f, 1.5f, 0f};
        assertThat(drawFixed(new Sampler(SamplingOptions.greedy(10)), logits, 5)).containsExactly(0, 0, 0, 0, 0);
        // frequency 0.6: token 0 falls below token 1 after one use, then they alternate as their counts grow
        assertThat(drawFixed(new Sampler(new SamplingOptions(0f, 1f, 0, 10, 0.6f, 0f)), logits, 5)).containsExactly(0, 1, 0, 1, 0);
        // presence 0.6: each token is lowered once, however often it is used
        assertThat(drawFixed(new Sampler(new SamplingOptions(0f, 1f, 0, 10, 0f, 0.6f)), logits, 5)).containsExactly(0, 1, 0, 0, 0);
        // negative penalties encourage repetition
        float[] close = {1f, 1.1f};
        assertThat(drawFixed(new Sampler(new SamplingOptions(0f, 1f, 0, 10, -1f, 0f)), close, 3)).containsExactly(1, 1, 1);
        assertThatThrownBy(() -> new Sampler(new SamplingOptions(1f, 1f, 0, 1, 2.5f, 0f))).hasMessageContaining("penalt");
    }

    private static int[] drawFixed(Sampler sampler, float[] logits, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = sampler.sample(logits);
        return out;
    }
}
