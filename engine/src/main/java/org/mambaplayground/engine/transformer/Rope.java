package org.mambaplayground.engine.transformer;

/**
 * Rotary position embedding as mistral-inference applies it to consolidated checkpoints: each head vector is
 * read as head_dim / 2 complex numbers from interleaved pairs (v[2i], v[2i+1]) and multiplied by
 * e^{i * pos * theta^(-2i / head_dim)}. (Hugging Face checkpoints permute wq/wk to use split halves instead;
 * consolidated files do not.) Frequencies and angles are float32, as the reference computes them.
 */
final class Rope {
    private final float[] frequencies;

    Rope(int headDim, double theta) {
        frequencies = new float[headDim / 2];
        for (int i = 0; i < frequencies.length; i++) {
            frequencies[i] = 1f / (float) Math.pow(theta, (float) (2 * i) / headDim);
        }
    }

    /** cos and sin of every pair's angle at {@code position}: [cos0, sin0, cos1, sin1, ...]. */
    float[] table(long position) {
        float[] cs = new float[frequencies.length * 2];
        for (int i = 0; i < frequencies.length; i++) {
            float angle = position * frequencies[i];
            cs[2 * i] = (float) Math.cos(angle);
            cs[2 * i + 1] = (float) Math.sin(angle);
        }
        return cs;
    }

    /** Rotates {@code heads} consecutive head vectors starting at v[offset] in place. */
    static void rotate(float[] v, int offset, int heads, int headDim, float[] table) {
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headDim;
            for (int i = 0; i < headDim / 2; i++) {
                float re = v[base + 2 * i], im = v[base + 2 * i + 1];
                float cos = table[2 * i], sin = table[2 * i + 1];
                v[base + 2 * i] = re * cos - im * sin;
                v[base + 2 * i + 1] = re * sin + im * cos;
            }
        }
    }
}
