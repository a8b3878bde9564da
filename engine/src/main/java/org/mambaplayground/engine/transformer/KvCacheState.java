package org.mambaplayground.engine.transformer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.mambaplayground.engine.model.InferenceState;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * A transformer's keys and values per layer, stored in one {@link WeightFormat} (F32, F16, BF16 or Q8_0) and
 * allocated in blocks of {@link TransformerConfig#KV_BLOCK_TOKENS} tokens as the context grows. Attention reads
 * them in that format through its kernels ({@link #keyBlock}, {@link #offset}), never as decoded floats.
 * Under a sliding window it is a rolling buffer of window slots: position p lives in slot p mod window, so it
 * stops growing at the window and old positions are overwritten. Inside a block the keys (and values) are
 * stored head by head ([kv head][token][head_dim]): attention reads one KV head's keys of a block as one
 * contiguous run instead of a head's slice of every token at the token's stride.
 */
public final class KvCacheState implements InferenceState {
    private static final int BLOCK = TransformerConfig.KV_BLOCK_TOKENS;

    private final TransformerConfig config;
    private final WeightFormat format;
    /** Bytes of one token's keys (or values) in one layer. */
    private final long tokenBytes;
    /** Bytes of one token's key (or value) for one KV head. */
    private final long headBytes;
    /** Per layer, the key blocks and value blocks, in native memory (see {@link #allocate}). */
    private final List<List<MemorySegment>> keys;
    private final List<List<MemorySegment>> values;
    private int slots;
    int position;

    KvCacheState(TransformerConfig config, WeightFormat format) {
        config.checkKvFormat(format);
        this.config = config;
        this.format = format;
        tokenBytes = format.bytes(config.kvDim());
        headBytes = format.bytes(config.headDim());
        keys = new ArrayList<>();
        values = new ArrayList<>();
        for (int l = 0; l < config.nLayers(); l++) {
            keys.add(new ArrayList<>());
            values.add(new ArrayList<>());
        }
    }

    private KvCacheState(KvCacheState other) {
        config = other.config;
        format = other.format;
        tokenBytes = other.tokenBytes;
        headBytes = other.headBytes;
        keys = deepCopy(other.keys);
        values = deepCopy(other.values);
        slots = other.slots;
        position = other.position;
    }

    @Override public int position() { return position; }

    /** The format keys and values are stored in. */
    public WeightFormat format() { return format; }

    @Override
    public long bytes() {
        long bytes = 0;
        for (List<MemorySegment> layer : keys) for (MemorySegment b : layer) bytes += b.byteSize();
        for (List<MemorySegment> layer : values) for (MemorySegment b : layer) bytes += b.byteSize();
        return bytes;
    }

    @Override public KvCacheState copy() { return new KvCacheState(this); }

    /**
     * Any earlier position whose keys and values are still held: all of them without a sliding window; under a
     * window only while nothing has been overwritten yet (position within the window), since going back needs
     * the window of entries before the target.
     */
    @Override public boolean rewinds() { return true; }

    @Override
    public boolean canRewindTo(int target) {
        if (target < 0 || target > position) return false;
        return target == position || !config.hasSlidingWindow() || position <= config.slidingWindow();
    }

    /** Moves the position back; the entries past it are simply overwritten by what comes next (no copy). */
    @Override
    public void rewindTo(int target) {
        InferenceState.super.rewindTo(target);
        position = target;
    }

    /** Allocates blocks so that positions up to {@code tokens - 1} have a slot. */
    void reserve(long tokens) {
        long needed = config.cachedTokensAt(tokens);
        while (slots < needed) {
            int blockTokens = (int) Math.min(BLOCK, needed - slots);
            long blockBytes = blockTokens * tokenBytes;
            for (int l = 0; l < config.nLayers(); l++) {
                keys.get(l).add(allocate(blockBytes));
                values.get(l).add(allocate(blockBytes));
            }
            slots += blockTokens;
        }
    }

    private int slot(long pos) {
        return (int) (config.hasSlidingWindow() ? pos % config.slidingWindow() : pos);
    }

    /** The block holding position {@code pos}'s key in {@code layer}; its byte offset is {@link #offset}. */
    MemorySegment keyBlock(int layer, long pos) { return keys.get(layer).get(slot(pos) / BLOCK); }

    MemorySegment valueBlock(int layer, long pos) { return values.get(layer).get(slot(pos) / BLOCK); }

    /**
     * Byte offset of position {@code pos}'s key (or value) for {@code kvHead} in {@code block}, the block that
     * holds it: the head's run of the block's tokens, then the token's place in it.
     */
    long offset(long pos, int kvHead, MemorySegment block) {
        long blockTokens = block.byteSize() / tokenBytes;
        return (kvHead * blockTokens + slot(pos) % BLOCK) * headBytes;
    }

    /**
     * How many positions from {@code pos} on (at most {@code max}) sit in consecutive slots of {@code block}, the
     * block that holds pos, so that a KV head's keys for them are one run of bytes from {@link #offset}: up to the
     * block's end, which is also where a rolling buffer wraps.
     */
    int contiguousRun(long pos, MemorySegment block, int max) {
        int slot = slot(pos);
        long blockTokens = block.byteSize() / tokenBytes;
        return (int) Math.max(1, Math.min(max, blockTokens - slot % BLOCK));
    }

    /**
     * Stores one position's key and value, already encoded in this cache's format: the token at byte
     * {@code from} of k and v (token-major, as a layer computes them). Copying the bytes (rather than encoding
     * again) keeps the cache identical to what the batch's own attention read.
     */
    void put(int layer, long pos, MemorySegment k, MemorySegment v, long from) {
        MemorySegment kb = keyBlock(layer, pos), vb = valueBlock(layer, pos);
        for (int h = 0; h < config.nKvHeads(); h++) {
            long o = offset(pos, h, kb);
            MemorySegment.copy(k, from + h * headBytes, kb, o, headBytes);
            MemorySegment.copy(v, from + h * headBytes, vb, o, headBytes);
        }
    }

    /**
     * Zeroed native memory that the GC frees once it is unreachable, like a direct buffer: it counts against
     * -XX:MaxDirectMemorySize (by default the heap's maximum), and reaching that limit asks for a collection.
     * Native rather than byte[]-backed because the format kernels' float and short vector loads run several
     * times slower on heap segments (measured 4x to 6x in F16 attention over 2048 tokens).
     */
    static MemorySegment allocate(long bytes) { return Arena.ofAuto().allocate(bytes, 64); }

    private static List<List<MemorySegment>> deepCopy(List<List<MemorySegment>> blocks) {
        List<List<MemorySegment>> out = new ArrayList<>();
        for (List<MemorySegment> layer : blocks) {
            List<MemorySegment> copy = new ArrayList<>(layer.size());
            for (MemorySegment b : layer) copy.add(allocate(b.byteSize()).copyFrom(b));
            out.add(copy);
        }
        return out;
    }
}
