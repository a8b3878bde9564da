package org.mambaplayground.backend;

import java.util.Arrays;

/** The median of repeated measurements: one slow sample (a pause, another process) does not move it. */
public final class Median {
    private Median() {}

    /** The middle sample, or the mean of the two middle ones for an even count. */
    public static double of(double... samples) {
        if (samples.length == 0) throw new IllegalArgumentException("the median of no samples");
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
