package org.mambaplayground.engine.transformer;

import java.util.ArrayList;
import java.util.List;
import org.mambaplayground.engine.model.InferenceState;

/**
 * A transformer's keys and values per layer, allocated in blocks of {@link TransformerConfig#KV_BLOCK_TOKENS}
 * tokens as the context grows. Under a sliding window it is a rolling buffer of window slots: position p lives
 * in slot p mod window, so it stops growing at the window and old positions are overwritten.
 */
public final class KvCacheState implements InferenceState {
    private static final int BLOCK = TransformerConfig.KV_BLOCK_TOKENS;

    private final TransformerConfig config;
    /** Per layer, the key blocks and value blocks; block b holds slots [b * BLOCK, b * BLOCK + length / kvDim). */
    private final List<List<float[]>> keys;
    private final List<List<float[]>> values;
    private int slots;
    int position;

    KvCacheState(TransformerConfig config) {
        this.config = config;
        keys = new ArrayList<>();
        values = new ArrayList<>();
        for (int l = 0; l < config.nLayers(); l++) {
            keys.add(new ArrayList<>());
            values.add(new ArrayList<>());
        }
    }

    private KvCacheState(KvCacheState other) {
        config = other.config;
        keys = deepCopy(other.keys);
        values = deepCopy(other.values);
        slots = other.slots;
        position = other.position;
    }

    @Override public int position() { return position; }

    @Override
    public long bytes() {
        long floats = 0;
        for (List<float[]> layer : keys) for (float[] b : layer) floats += b.length;
        for (List<float[]> layer : values) for (float[] b : layer) floats += b.length;
        return floats * Float.BYTES;
    }

    @Override public KvCacheState copy() { return new KvCacheState(this); }

    /** Allocates blocks so that positions up to {@code tokens - 1} have a slot. */
    void reserve(long tokens) {
        long needed = config.cachedTokensAt(tokens);
        int kvDim = config.kvDim();
        while (slots < needed) {
            int blockTokens = (int) Math.min(BLOCK, needed - slots);
            for (int l = 0; l < config.nLayers(); l++) {
                keys.get(l).add(new float[blockTokens * kvDim]);
                values.get(l).add(new float[blockTokens * kvDim]);
            }
            slots += blockTokens;
        }
    }

    private int slot(long pos) {
        return (int) (config.hasSlidingWindow() ? pos % config.slidingWindow() : pos);
    }

    /** The block holding position {@code pos}'s key in {@code layer}; its offset is {@link #offset}. */
    float[] keyBlock(int layer, long pos) { return keys.get(layer).get(slot(pos) / BLOCK); }

    float[] valueBlock(int layer, long pos) { return values.get(layer).get(slot(pos) / BLOCK); }

    int offset(long pos) { return (slot(pos) % BLOCK) * config.kvDim(); }

    /** Stores one position's key and value, read from k[from..] and v[from..] (kvDim floats each). */
    void put(int layer, long pos, float[] k, float[] v, int from) {
        int o = offset(pos);
        System.arraycopy(k, from, keyBlock(layer, pos), o, config.kvDim());
        System.arraycopy(v, from, valueBlock(layer, pos), o, config.kvDim());
    }

    private static List<List<float[]>> deepCopy(List<List<float[]>> blocks) {
        List<List<float[]>> out = new ArrayList<>();
        for (List<float[]> layer : blocks) {
            List<float[]> copy = new ArrayList<>(layer.size());
            for (float[] b : layer) copy.add(b.clone());
            out.add(copy);
        }
        return out;
    }
}
