package org.mambaplayground.engine.transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mambaplayground.engine.model.Logits.assertClose;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/** Rewinding a KV cache to a position (no copy) continues exactly like a fresh state fed only the shorter prefix. */
class KvCacheRewindTest {
    @ParameterizedTest
    @MethodSource("org.mambaplayground.engine.transformer.TransformerModelTest#kvFormats")
    void aRewoundCacheGivesTheLogitsOfAFreshPrefillOfTheShorterSequence(WeightFormat kv) {
        TransformerModel model = TransformerModelTest.model(TransformerModelTest.FULL, kv);
        int[] conversation = TransformerModelTest.tokens(40, 3);
        int[] other = TransformerModelTest.tokens(9, 8); // a different continuation after position 17
        int[] edited = concat(Arrays.copyOf(conversation, 17), other);

        KvCacheState state = model.newState();
        model.prefill(state, conversation);
        long bytes = state.bytes();
        assertThat(state.canRewindTo(17)).isTrue();
        state.rewindTo(17);
        assertThat(state.position()).isEqualTo(17);
        assertThat(state.bytes()).as("no copy, no new block").isEqualTo(bytes);
        float[] rewound = model.prefill(state, other);
        float[] rewoundDecode = model.decode(state, 5);

        KvCacheState fresh = model.newState();
        model.prefill(fresh, Arrays.copyOf(conversation, 17));
        float[] same = model.prefill(fresh, other);
        // the same arithmetic on the same entries: identical
        assertThat(rewound).containsExactly(same);
        assertThat(rewoundDecode).containsExactly(model.decode(fresh, 5));
        // and one prefill of the whole edited sequence agrees within the batched kernels' rounding
        assertClose(rewound, model.prefill(model.newState(), edited), TransformerModelTest.TOLERANCE, "rewound vs one prefill");
    }

    @Test
    void aSlidingWindowCacheRewindsOnlyWhileNothingWasOverwritten() {
        TransformerModel model = TransformerModelTest.model(TransformerModelTest.WINDOWED, WeightFormat.F32);
        KvCacheState state = model.newState();
        model.prefill(state, TransformerModelTest.tokens(10, 1));
        assertThat(state.canRewindTo(4)).isTrue(); // 10 <= window 12: every entry still held
        model.prefill(state, TransformerModelTest.tokens(6, 2)); // position 16: slots 0..3 overwritten
        assertThat(state.canRewindTo(15)).isFalse();
        assertThat(state.canRewindTo(16)).isTrue();
        assertThatThrownBy(() -> state.rewindTo(4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("from position 16 to 4");
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
