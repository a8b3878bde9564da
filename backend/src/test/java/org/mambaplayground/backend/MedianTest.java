package org.mambaplayground.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MedianTest {
    @Test
    void theMiddleSampleWhateverTheOrder() {
        assertThat(Median.of(2.0, 9.5, 3.0)).isEqualTo(3.0);
        assertThat(Median.of(40.0, 1.0, 1.2, 1.1, 0.9)).isEqualTo(1.1); // one slow outlier does not move it
        assertThat(Median.of(7.0)).isEqualTo(7.0);
    }

    @Test
    void theMeanOfTheTwoMiddleSamplesForAnEvenCount() {
        assertThat(Median.of(4.0, 1.0, 3.0, 2.0)).isEqualTo(2.5);
    }

    @Test
    void leavesTheSamplesAsTheyWere() {
        double[] samples = {3.0, 1.0, 2.0};
        Median.of(samples);
        assertThat(samples).containsExactly(3.0, 1.0, 2.0);
    }

    @Test
    void noSamplesIsAnError() {
        assertThatThrownBy(Median::of).isInstanceOf(IllegalArgumentException.class);
    }
}
