package org.mambaplayground.engine.tensor.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.mambaplayground.engine.tensor.Kernels;

/**
 * The in-place cache kernels against the float kernels decode attention runs over decoded elements: the same
 * floats, to the last bit, with the operands times the format's scale. Halves span the whole finite range
 * (subnormals and signed zeros included), at several head sizes and key counts.
 */
class InPlaceCacheFormatTest {
    private final SplittableRandom random = new SplittableRandom(11);

    @Test
    void scoresEqualTheBroadcastProductOfDecodedKeys() {
        for (InPlaceCacheFormat f : formats()) {
            WeightFormat w = (WeightFormat) f;
            for (int dims : new int[] {16, 48, 128}) {
                for (int keys : new int[] {InPlaceCacheFormat.keyMultiple(), 32, 64}) {
                    MemorySegment k = randomHalves(dims * keys);
                    float[] decoded = new float[dims * keys], q = gaussians(4 * dims), scaled = new float[q.length];
                    w.decode(k, 0, decoded, 0, dims * keys);
                    for (int i = 0; i < q.length; i++) scaled[i] = q[i] * f.operandScale();
                    float[] expected = new float[4 * keys], actual = new float[4 * keys + 3];
                    Kernels.broadcastProduct(q, 0, dims, 1, 4, dims, decoded, keys, expected, false);
                    f.scores4(k, 0, keys, scaled, 0, dims, actual, 3);
                    assertThat(java.util.Arrays.copyOfRange(actual, 3, 3 + 4 * keys)).as("%s dims %d keys %d", w, dims, keys)
                            .containsExactly(expected);
                }
            }
        }
    }

    @Test
    void weightedValuesEqualTheDecodedRowsWeighed() {
        int chunk = InPlaceCacheFormat.VALUE_CHUNK;
        for (InPlaceCacheFormat f : formats()) {
            WeightFormat w = (WeightFormat) f;
            for (int dims : new int[] {16, 48, 128}) {
                if (!f.readsInPlace(dims)) continue;
                for (int count : new int[] {1, 7, 32}) {
                    int keys = 32; // a block's worth of keys stored; count of them weighed
                    MemorySegment v = randomHalves(dims * keys);
                    // decoded [key][dims] from the chunked layout: dimension d of key j at (d / 16) * keys * 16 + j * 16 + d % 16
                    float[] rows = new float[keys * dims];
                    for (int j = 0; j < keys; j++) {
                        for (int d = 0; d < dims; d++) rows[j * dims + d] = w.get(v, (long) d / chunk * keys * chunk + j * chunk + d % chunk);
                    }
                    float[] weights = new float[4 * keys], scaled = new float[weights.length];
                    for (int i = 0; i < weights.length; i++) scaled[i] = (weights[i] = (float) random.nextDouble()) * f.operandScale();
                    float[] expected = gaussians(4 * dims), actual = expected.clone();
                    Kernels.addWeightedRows4(weights, 0, keys, count, rows, 0, dims, dims, expected, 0, dims);
                    f.addWeighted4(scaled, 0, keys, count, v, 0, w.bytes((long) keys * chunk), dims, actual, 0, dims);
                    assertThat(actual).as("%s dims %d count %d", w, dims, count).containsExactly(expected);
                }
            }
        }
    }

    @Test
    void f16ReadsExactlyOnlyWithoutInfinitiesOrNaN() {
        InPlaceCacheFormat f16 = (InPlaceCacheFormat) WeightFormat.F16, bf16 = (InPlaceCacheFormat) WeightFormat.BF16;
        MemorySegment halves = randomHalves(64);
        assertThat(f16.readsExactly(halves, 0, 64)).isTrue();
        for (short special : new short[] {0x7C00, (short) 0xFC00, 0x7E00}) { // +inf, -inf, NaN
            halves.set(Simd.I16_LE, 2 * 40, special);
            assertThat(f16.readsExactly(halves, 0, 64)).as("%04x", special).isFalse();
            assertThat(f16.readsExactly(halves, 0, 40)).as("%04x past the range", special).isTrue();
            assertThat(bf16.readsExactly(halves, 0, 64)).isTrue();
        }
    }

    private static InPlaceCacheFormat[] formats() {
        return new InPlaceCacheFormat[] {(InPlaceCacheFormat) WeightFormat.F16, (InPlaceCacheFormat) WeightFormat.BF16};
    }

    /** Random finite halves of every exponent, subnormals and zeros of both signs among them (the bits are valid bfloat16 too). */
    private MemorySegment randomHalves(int n) {
        MemorySegment seg = Arena.ofAuto().allocate(2L * n, 64);
        for (int i = 0; i < n; i++) {
            short h;
            do {
                h = (short) random.nextInt(1 << 16);
            } while ((h & 0x7C00) == 0x7C00 || (h & 0x7F80) == 0x7F80); // no F16 nor BF16 infinity or NaN
            if (i % 17 == 0) h &= (short) 0x83FF; // a subnormal (or zero)
            seg.set(Simd.I16_LE, 2L * i, h);
        }
        return seg;
    }

    private float[] gaussians(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian();
        return x;
    }
}
