package org.mambaplayground.engine.mamba2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mambaplayground.engine.model.Logits.assertClose;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.mambaplayground.engine.model.RandomWeights;

/**
 * Exactness of the chunked SSD prefill against the recurrent decode step (two independent formulations of the
 * same recurrence), state continuation and copies, and the constant state size.
 */
class Mamba2ModelTest {
    /** Float32 round-off between the two formulations, relative to the logits' scale. */
    static final double TOLERANCE = 2e-5;
    /**
     * The same arithmetic run twice: not always bit-identical, because the Vector API leaves the order of a
     * lane reduction open (interpreted and compiled code may differ), so allow the last float bits only.
     */
    static final double SAME_COMPUTATION = 1e-6;

    /** dim 32, 2 layers, 8 heads of 8 in 2 groups, d_state 16, chunk 8: small enough to cross many chunks. */
    static final Mamba2Config SMALL = new Mamba2Config(32, 2, 61, 2, true, true, true, 8, false, 16, 4, 2, 8, 8);

    private final Mamba2Model model = new Mamba2Model(SMALL, new RandomWeights(SMALL.tensorSpecs(), 1));

    static int[] tokens(int n, long seed) {
        Random r = new Random(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = r.nextInt(SMALL.vocabSize());
        return t;
    }

    private float[] decodeAll(Mamba2State state, int[] tokens) {
        float[] logits = null;
        for (int t : tokens) logits = model.decode(state, t);
        return logits;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 8, 9, 16, 17, 40})
    void prefillEqualsTokenByTokenDecode(int n) {
        int[] prompt = tokens(n, n);
        Mamba2State prefilled = model.newState(), decoded = model.newState();
        float[] viaPrefill = model.prefill(prefilled, prompt);
        float[] viaDecode = decodeAll(decoded, prompt);
        assertClose(viaPrefill, viaDecode, TOLERANCE, "prefill vs decode, n=" + n);
        assertThat(prefilled.position()).isEqualTo(decoded.position()).isEqualTo(n);
        // The states agree too: the next decoded token gives the same logits.
        assertClose(model.decode(prefilled, 3), model.decode(decoded, 3), TOLERANCE, "after prefill, n=" + n);
    }

    @Test
    void prefillInPiecesEqualsOnePrefill() {
        int[] prompt = tokens(37, 5);
        float[] whole = model.prefill(model.newState(), prompt);
        for (int split : new int[] {1, 3, 8, 13, 36}) {
            Mamba2State s = model.newState();
            model.prefill(s, Arrays.copyOfRange(prompt, 0, split));
            float[] pieces = model.prefill(s, Arrays.copyOfRange(prompt, split, prompt.length));
            assertClose(pieces, whole, TOLERANCE, "split at " + split);
        }
    }

    @Test
    void promptLongerThanOneBatchEqualsDecode() {
        int n = Mamba2Model.MAX_PREFILL_TOKENS + 77;
        int[] prompt = tokens(n, 12);
        assertClose(model.prefill(model.newState(), prompt), decodeAll(model.newState(), prompt), TOLERANCE, "n=" + n);
    }

    @Test
    void differentChunkSizesAgree() {
        int[] prompt = tokens(45, 6);
        float[] reference = model.prefill(model.newState(), prompt);
        for (int chunk : new int[] {1, 5, 64}) {
            Mamba2Model other = new Mamba2Model(SMALL.withChunkSize(chunk), new RandomWeights(SMALL.tensorSpecs(), 1));
            assertClose(other.prefill(other.newState(), prompt), reference, TOLERANCE, "chunk " + chunk);
        }
    }

    @Test
    void copiedStateContinuesExactlyLikeTheOriginal() {
        Mamba2State original = model.newState();
        model.prefill(original, tokens(20, 7));
        Mamba2State copy = original.copy();
        // Drive the copy elsewhere first: the original must not notice.
        Mamba2State scratch = original.copy();
        model.prefill(scratch, tokens(9, 8));
        for (int t : tokens(6, 9)) assertClose(model.decode(copy, t), model.decode(original, t), SAME_COMPUTATION, "copy");
        assertThat(copy.position()).isEqualTo(original.position()).isEqualTo(26);
    }

    @Test
    void stateBytesStayConstantFrom16To4096Tokens() {
        // A tiny model so 4096 tokens run in well under a second.
        Mamba2Config tiny = new Mamba2Config(8, 1, 16, 1, true, true, true, 1, true, 4, 4, 2, 4, 64);
        Mamba2Model m = new Mamba2Model(tiny, new RandomWeights(tiny.tensorSpecs(), 2));
        Mamba2State s = m.newState();
        // Formula by hand: per layer (conv_dim 16 + 2*4 = 24) x 3 history + 4 heads x 4 x 4 state, floats.
        long expected = 1L * (24 * 3 + 4 * 4 * 4) * Float.BYTES;
        assertThat(tiny.stateBytesAt(0)).isEqualTo(expected);
        Random r = new Random(3);
        int seen = 0;
        for (int target : new int[] {16, 256, 1024, 4096}) {
            int[] piece = new int[target - seen];
            for (int i = 0; i < piece.length; i++) piece[i] = r.nextInt(16);
            m.prefill(s, piece);
            seen = target;
            assertThat(s.position()).isEqualTo(target);
            assertThat(s.bytes()).as("bytes after %d tokens", target).isEqualTo(expected).isEqualTo(tiny.stateBytesAt(target));
        }
    }

    @Test
    void tiedEmbeddingsAndPaddedVocabulary() {
        Mamba2Config tied = new Mamba2Config(16, 1, 30, 1, true, true, true, 16, true, 8, 4, 2, 8, 4);
        Mamba2Model m = new Mamba2Model(tied, new RandomWeights(tied.tensorSpecs(), 4));
        int[] prompt = {1, 5, 29, 7, 2, 9};
        float[] logits = m.prefill(m.newState(), prompt);
        assertThat(logits).hasSize(32);
        Mamba2State s = m.newState();
        float[] stepped = null;
        for (int t : prompt) stepped = m.decode(s, t);
        assertClose(logits, stepped, TOLERANCE, "tied");
    }

    @Test
    void rejectsTokensOutsideTheVocabulary() {
        assertThatThrownBy(() -> model.prefill(model.newState(), new int[] {1, 64}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id 64");
        assertThatThrownBy(() -> model.decode(model.newState(), -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> model.prefill(model.newState(), new int[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
