package org.mambaplayground.engine.generate;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits: greedy (temperature 0), or softmax at a temperature, cut to the
 * top-p nucleus, drawn with a seeded random source (the same seed and logits give the same tokens).
 * With frequency or presence penalties it counts the tokens it picked and lowers their logits first.
 */
public final class Sampler {
    private final float temperature;
    private final float topP;
    private final float frequencyPenalty;
    private final float presencePenalty;
    private final SplittableRandom random;
    /** How often each token id was picked so far (only kept when a penalty applies). */
    private final Map<Integer, Integer> counts = new HashMap<>();

    public Sampler(SamplingOptions options) {
        if (!(options.temperature() >= 0f) || Float.isInfinite(options.temperature())) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + options.temperature());
        }
        if (!(options.topP() > 0f && options.topP() <= 1f)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + options.topP());
        }
        for (float penalty : new float[] {options.frequencyPenalty(), options.presencePenalty()}) {
            if (!(penalty >= -2f && penalty <= 2f)) {
                throw new IllegalArgumentException("frequency and presence penalties must be in [-2, 2], got " + penalty);
            }
        }
        this.temperature = options.temperature();
        this.topP = options.topP();
        this.frequencyPenalty = options.frequencyPenalty();
        this.presencePenalty = options.presencePenalty();
        this.random = new SplittableRandom(options.seed());
    }

    private boolean penalizes() { return frequencyPenalty != 0f || presencePenalty != 0f; }

    public boolean isGreedy() { return temperature == 0f; }

    /** The next token id; it counts as picked for the penalties of later calls. */
    public int sample(float[] logits) {
        if (!penalizes()) return pick(logits);
        int token = pick(penalized(logits, counts, frequencyPenalty, presencePenalty));
        counts.merge(token, 1, Integer::sum);
        return token;
    }

    /**
     * A copy of {@code logits} with OpenAI's penalties applied:
     * {@code logit[j] -= counts[j] * frequencyPenalty + (counts[j] > 0 ? presencePenalty : 0)}.
     */
    static float[] penalized(float[] logits, Map<Integer, Integer> counts, float frequencyPenalty, float presencePenalty) {
        float[] out = logits.clone();
        counts.forEach((id, count) -> {
            if (id >= 0 && id < out.length) out[id] -= count * frequencyPenalty + presencePenalty;
        });
        return out;
    }

    private int pick(float[] logits) {
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
