package org.mambaplayground.engine.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits: greedy (temperature 0), or softmax at a temperature, cut to the
 * top-p nucleus, drawn with a seeded random source (the same seed and logits give the same tokens).
 */
public final class Sampler {
    private final float temperature;
    private final float topP;
    private final SplittableRandom random;

    public Sampler(SamplingOptions options) {
        if (!(options.temperature() >= 0f) || Float.isInfinite(options.temperature())) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + options.temperature());
        }
        if (!(options.topP() > 0f && options.topP() <= 1f)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + options.topP());
        }
        this.temperature = options.temperature();
        this.topP = options.topP();
        this.random = new SplittableRandom(options.seed());
    }

    public boolean isGreedy() { return temperature == 0f; }

    /** The next token id. */
    public int sample(float[] logits) {
        if (isGreedy()) return argmax(logits);
        float[] probs = softmax(logits, temperature);
        int[] nucleus = topP >= 1f ? allTokens(probs.length) : nucleus(probs, topP);
        double mass = 0;
        for (int id : nucleus) mass += probs[id];
        double r = random.nextDouble() * mass;
        for (int id : nucleus) {
            r -= probs[id];
            if (r < 0) return id;
        }
        return nucleus[nucleus.length - 1]; // rounding left a sliver of mass: the last member takes it
    }

    private static int[] allTokens(int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = i;
        return ids;
    }

    /** Index of the largest logit (the lowest index among equals); NaN never wins. */
    public static int argmax(float[] logits) {
        int best = 0;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] > bestValue) {
                bestValue = logits[i];
                best = i;
            }
        }
        return best;
    }

    /** softmax(logits / temperature), computed stably by subtracting the maximum first. */
    public static float[] softmax(float[] logits, float temperature) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) if (l > max) max = l;
        float[] probs = new float[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            double e = Double.isNaN(logits[i]) ? 0 : Math.exp((logits[i] - max) / temperature);
            probs[i] = (float) e;
            sum += e;
        }
        for (int i = 0; i < probs.length; i++) probs[i] = (float) (probs[i] / sum);
        return probs;
    }

    /**
     * The nucleus: the fewest most-probable tokens whose probabilities add up to at least {@code topP},
     * most probable first (ties by lower id). topP 1 keeps every token with non-zero probability.
     */
    public static int[] nucleus(float[] probs, float topP) {
        // Sort (probability, id) pairs packed in longs: for non-negative floats the bit pattern orders
        // like the value, so inverted bits sort descending by probability, then ascending by id.
        long[] keys = new long[probs.length];
        for (int i = 0; i < probs.length; i++) {
            long inverted = ~Float.floatToRawIntBits(Math.max(probs[i], 0f)) & 0x7fffffffL;
            keys[i] = inverted << 32 | i;
        }
        Arrays.sort(keys);
        double cumulative = 0;
        int count = 0;
        while (count < keys.length) {
            float p = probs[(int) keys[count]];
            if (p <= 0f && count > 0) break;
            cumulative += p;
            count++;
            if (cumulative >= topP) break;
        }
        int[] out = new int[count];
        for (int i = 0; i < count; i++) out[i] = (int) keys[i];
        return out;
    }
}
