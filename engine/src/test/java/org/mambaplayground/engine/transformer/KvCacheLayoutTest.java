package org.mambaplayground.engine.transformer;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * The cache's block layout read back through {@link KvCacheState#decodeKeys} and {@link KvCacheState#decodeValues}: every KV format, with and without a
 * rolling window (one of 40 slots, so its last block is a partial one and positions wrap inside a key block), runs
 * that start anywhere in a block and at any scratch column. Each key and value must come back as the format
 * decodes the bytes that were stored, in the column (keys) or row (values) asked for.
 */
class KvCacheLayoutTest {
    private static final int BLOCK = TransformerConfig.KV_BLOCK_TOKENS;

    @Test
    void runsDecodeTheStoredKeysAndValuesWhereverTheyStart() {
        for (int window : new int[] {0, 40}) {
            TransformerConfig c = new TransformerConfig(128, 2, 32, 256, 4, 2, 1e-5, 256, 10_000.0, window, 0);
            for (WeightFormat f : TransformerConfig.KV_FORMATS) check(c, f);
        }
    }

    private static void check(TransformerConfig c, WeightFormat f) {
        int positions = 100, hd = c.headDim(), kvDim = c.kvDim();
        long tokenBytes = f.bytes(kvDim);
        KvCacheState cache = new KvCacheState(c, f);
        cache.reserve(positions);
        Random r = new Random(7);
        float[][][] keys = new float[c.nLayers()][positions][], values = new float[c.nLayers()][positions][];
        for (int layer = 0; layer < c.nLayers(); layer++) {
            for (int p = 0; p < positions; p++) {
                MemorySegment k = Arena.ofAuto().allocate(tokenBytes), v = Arena.ofAuto().allocate(tokenBytes);
                f.encode(gaussian(r, kvDim), 0, k, 0, kvDim);
                f.encode(gaussian(r, kvDim), 0, v, 0, kvDim);
                keys[layer][p] = decoded(f, k, kvDim);
                values[layer][p] = decoded(f, v, kvDim);
                cache.put(layer, p, k, v, 0);
            }
        }
        long firstHeld = c.hasSlidingWindow() ? positions - c.slidingWindow() : 0;
        float[] keysT = new float[hd * BLOCK], vals = new float[BLOCK * hd], row = new float[hd];
        for (int layer = 0; layer < c.nLayers(); layer++) {
            for (int head = 0; head < c.nKvHeads(); head++) {
                for (long pos = firstHeld; pos < positions; pos += 3) {
                    for (int col : new int[] {0, (int) (pos % BLOCK), BLOCK - 1}) {
                        int max = (int) Math.min(BLOCK - col, positions - pos);
                        int run = cache.decodeKeys(layer, pos, head, max, keysT, col, row);
                        assertThat(cache.decodeValues(layer, pos, head, max, vals, col)).as("value run").isEqualTo(run);
                        String what = f.name() + " window " + c.slidingWindow() + " layer " + layer + " head " + head + " pos " + pos + " col " + col;
                        // a run ends at its block's end, which is also where a rolling buffer wraps
                        long slot = c.hasSlidingWindow() ? pos % c.slidingWindow() : pos;
                        long blockEnd = Math.min(slot - slot % BLOCK + BLOCK, c.cachedTokensAt(positions));
                        assertThat(run).as(what + ": run").isEqualTo((int) Math.min(max, blockEnd - slot));
                        for (int t = 0; t < run; t++) {
                            for (int d = 0; d < hd; d++) {
                                assertThat(keysT[d * BLOCK + col + t]).as(what + ": key %d dim %d", t, d).isEqualTo(keys[layer][(int) pos + t][head * hd + d]);
                                assertThat(vals[(col + t) * hd + d]).as(what + ": value %d dim %d", t, d).isEqualTo(values[layer][(int) pos + t][head * hd + d]);
                            }
                        }
                    }
                }
            }
        }
    }

    private static float[] gaussian(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    private static float[] decoded(WeightFormat f, MemorySegment seg, int n) {
        float[] out = new float[n];
        f.decode(seg, 0, out, 0, n);
        return out;
    }
}
