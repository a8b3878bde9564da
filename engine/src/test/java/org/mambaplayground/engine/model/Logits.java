package org.mambaplayground.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

/** Logit comparison with a tolerance relative to the logits' scale. */
public final class Logits {
    private Logits() {}

    /** Largest |a - b| divided by (1 + max |b|). */
    public static double relativeError(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double maxDiff = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return maxDiff / (1 + scale);
    }

    public static void assertClose(float[] actual, float[] expected, double tolerance, String what) {
        assertThat(relativeError(actual, expected)).as(what).isLessThanOrEqualTo(tolerance);
    }
}
