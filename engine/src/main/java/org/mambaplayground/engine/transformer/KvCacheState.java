package org.mambaplayground.engine.transformer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.mambaplayground.engine.model.InferenceState;
import org.mambaplayground.engine.tensor.format.InPlaceCacheFormat;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * A transformer's keys and values per layer, stored in one {@link WeightFormat} (F32, F16, BF16 or Q8_0) and
 * allocated in blocks of {@link TransformerConfig#KV_BLOCK_TOKENS} tokens as the context grows. Attention decodes
 * them a block at a time into its scratch ({@link #decodeKeys}, {@link #decodeValues}). Under a sliding window it
 * is a rolling buffer of window slots: position p lives in slot p mod window, so it stops growing at the window
 * and old positions are overwritten. A block holds its tokens' keys and values head by head, each KV head's keys
 * then its values, so that attention reads one head's keys and values of a block as one run of memory (decoding
 * alone, separate key and value blocks streamed at half the speed; attention over 4,096 F16 keys gained about
 * 6%). The values are [token][head_dim], or for the formats decode attention reads in place (F16, BF16) chunks
 * of 16 dimensions, each [token][16] (see {@link InPlaceCacheFormat}); the keys of the plain float formats are
 * transposed, [head_dim][token], so that attention scores a block's keys with the keys along the vector lanes (a
 * broadcast product, no horizontal sums) and a full block's keys decode with one call. Q8_0 keys stay token-major, since its blocks of
 * 32 run along head_dim.
 */
public final class KvCacheState implements InferenceState {
    private static final int BLOCK = TransformerConfig.KV_BLOCK_TOKENS;

    private final TransformerConfig config;
    private final WeightFormat format;
    /** Bytes of one token's keys (or values) in one layer. */
    private final long tokenBytes;
    /** Bytes of one token's key (or value) for one KV head. */
    private final long headBytes;
    /** Per layer, the blocks, each holding its tokens' keys and values, in native memory (see {@link #allocate}). */
    private final List<List<MemorySegment>> blocks;
    /** The format's in-place kernels, or null where attention decodes each block into floats first. */
    private final InPlaceCacheFormat inPlace;
    /** Whether every element stored so far reads in place as it decodes (false for good after one does not). */
    private boolean readsExactlyInPlace = true;
    private int slots;
    int position;

    KvCacheState(TransformerConfig config, WeightFormat format) {
        config.checkKvFormat(format);
        this.config = config;
        this.format = format;
        tokenBytes = format.bytes(config.kvDim());
        headBytes = format.bytes(config.headDim());
        inPlace = format instanceof InPlaceCacheFormat f && f.readsInPlace(config.headDim())
                && BLOCK % InPlaceCacheFormat.keyMultiple() == 0 ? f : null;
        blocks = new ArrayList<>();
        for (int l = 0; l < config.nLayers(); l++) blocks.add(new ArrayList<>());
    }

    private KvCacheState(KvCacheState other) {
        config = other.config;
        format = other.format;
        tokenBytes = other.tokenBytes;
        headBytes = other.headBytes;
        inPlace = other.inPlace;
        readsExactlyInPlace = other.readsExactlyInPlace;
        blocks = deepCopy(other.blocks);
        slots = other.slots;
        position = other.position;
    }

    @Override public int position() { return position; }

    /** The format keys and values are stored in. */
    public WeightFormat format() { return format; }

    @Override
    public long bytes() {
        long bytes = 0;
        for (List<MemorySegment> layer : blocks) for (MemorySegment b : layer) bytes += b.byteSize();
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
            long blockBytes = 2 * blockTokens * tokenBytes;
            for (int l = 0; l < config.nLayers(); l++) blocks.get(l).add(allocate(blockBytes));
            slots += blockTokens;
        }
    }

    private int slot(long pos) {
        return (int) (config.hasSlidingWindow() ? pos % config.slidingWindow() : pos);
    }

    /** Whether keys are stored [kv head][head_dim][token] (the plain float formats), else like the values. */
    private boolean transposedKeys() { return !format.quantized(); }

    private MemorySegment block(int layer, long pos) { return blocks.get(layer).get(slot(pos) / BLOCK); }

    private long blockTokens(MemorySegment block) { return block.byteSize() / (2 * tokenBytes); }

    /** Byte offset of {@code kvHead}'s keys in a block; its values follow them. */
    private long headStart(int kvHead, MemorySegment block) { return 2L * kvHead * blockTokens(block) * headBytes; }

    /** Byte offset of {@code kvHead}'s values in a block, after its keys. */
    private long valuesStart(int kvHead, MemorySegment block) {
        return headStart(kvHead, block) + blockTokens(block) * headBytes;
    }

    /**
     * Byte offset of dimension d of position {@code pos}'s value for {@code kvHead} in its block: token-major, or
     * in {@link InPlaceCacheFormat#VALUE_CHUNK}s of dimensions for the formats read in place.
     */
    private long valueOffset(long pos, int kvHead, int d, MemorySegment block) {
        long t = slot(pos) % BLOCK;
        if (inPlace == null) return valuesStart(kvHead, block) + t * headBytes + format.bytes(d);
        int chunk = InPlaceCacheFormat.VALUE_CHUNK;
        return valuesStart(kvHead, block) + format.bytes(((long) d / chunk * blockTokens(block) + t) * chunk + d % chunk);
    }

    /** Byte offset of position {@code pos}'s token-major key (Q8_0) for {@code kvHead} in its block. */
    private long keyOffset(long pos, int kvHead, MemorySegment block) {
        return headStart(kvHead, block) + (slot(pos) % BLOCK) * headBytes;
    }

    /** Byte offset of element d of position {@code pos}'s transposed key for {@code kvHead} in its block. */
    private long keyElementOffset(long pos, int kvHead, int d, MemorySegment block) {
        return headStart(kvHead, block) + ((long) d * blockTokens(block) + slot(pos) % BLOCK) * format.blockBytes();
    }

    /**
     * Decodes the keys of positions pos, pos + 1, ... for {@code kvHead} of {@code layer}: as many as sit in
     * consecutive slots of pos's block (its end is also where a rolling buffer wraps), at most {@code max}. Key t
     * goes to column {@code col + t} of keysT ([head_dim, KV_BLOCK_TOKENS]); row is scratch of head_dim floats.
     * Returns how many positions were decoded. A run from the first slot of a full block into column 0 decodes
     * the block's whole head of keys in one call, so the other columns are overwritten as well (the caller fills
     * those it needs after this).
     */
    int decodeKeys(int layer, long pos, int kvHead, int max, float[] keysT, int col, float[] row) {
        MemorySegment kb = block(layer, pos);
        int hd = config.headDim(), inBlock = slot(pos) % BLOCK, run = run(pos, kb, max);
        if (!transposedKeys()) {
            for (int t = 0; t < run; t++) {
                format.decode(kb, keyOffset(pos + t, kvHead, kb), row, 0, hd);
                for (int d = 0; d < hd; d++) keysT[d * BLOCK + col + t] = row[d];
            }
        } else if (col == 0 && inBlock == 0 && blockTokens(kb) == BLOCK) {
            format.decode(kb, keyElementOffset(pos, kvHead, 0, kb), keysT, 0, hd * BLOCK);
        } else {
            for (int d = 0; d < hd; d++) format.decode(kb, keyElementOffset(pos, kvHead, d, kb), keysT, d * BLOCK + col, run);
        }
        return run;
    }

    /** Like {@link #decodeKeys}, for values: value t of the run goes to row {@code first + t} of values ([key, head_dim]). */
    int decodeValues(int layer, long pos, int kvHead, int max, float[] values, int first) {
        MemorySegment vb = block(layer, pos);
        int run = run(pos, vb, max), hd = config.headDim();
        if (inPlace == null) {
            format.decode(vb, valueOffset(pos, kvHead, 0, vb), values, first * hd, run * hd);
            return run;
        }
        int chunk = InPlaceCacheFormat.VALUE_CHUNK;
        long keyBytes = format.bytes(chunk);
        for (int d = 0; d < hd; d += chunk) {
            long o = valueOffset(pos, kvHead, d, vb);
            for (int t = 0; t < run; t++, o += keyBytes) format.decode(vb, o, values, (first + t) * hd + d, chunk);
        }
        return run;
    }

    /**
     * Whether decode attention can read the whole block from position b (a multiple of the block size, every
     * position of it already stored) in place, with {@link #scoreInPlace} and {@link #weighInPlace}, rather than
     * decoding it.
     */
    boolean readsInPlace(int layer, long b) {
        if (inPlace == null || !readsExactlyInPlace || slot(b) % BLOCK != 0) return false;
        return blockTokens(block(layer, b)) == BLOCK;
    }

    /** What the in-place kernels' queries and weights must be multiplied by (see {@link InPlaceCacheFormat}). */
    float inPlaceScale() { return inPlace == null ? 1f : inPlace.operandScale(); }

    /**
     * Four query rows' scores of the block from position b ({@link #readsInPlace}) for {@code kvHead}: q holds the
     * rows (head_dim apart, multiplied by {@link #inPlaceScale}), scores gets them as [row, key] from sOff.
     */
    void scoreInPlace(int layer, long b, int kvHead, float[] q, int qOff, float[] scores, int sOff) {
        MemorySegment kb = block(layer, b);
        inPlace.scores4(kb, keyElementOffset(b, kvHead, 0, kb), BLOCK, q, qOff, config.headDim(), scores, sOff);
    }

    /**
     * Adds to four rows of acc (head_dim apart, from accOff) the values of positions from .. to - 1 of the block at
     * b for {@code kvHead}, weighed by w (a row's weights wStride apart, key j at wOff + u * wStride + j - b, times
     * {@link #inPlaceScale}).
     */
    void weighInPlace(int layer, long b, int kvHead, int from, int to, float[] w, int wOff, int wStride,
                      float[] acc, int accOff) {
        MemorySegment vb = block(layer, b);
        int hd = config.headDim();
        long chunkBytes = format.bytes(blockTokens(vb) * InPlaceCacheFormat.VALUE_CHUNK);
        inPlace.addWeighted4(w, wOff + from, wStride, to - from, vb, valueOffset(b + from, kvHead, 0, vb), chunkBytes, hd,
                acc, accOff, hd);
    }

    /** How many positions from pos on (at most max) sit in consecutive slots of pos's block. */
    private int run(long pos, MemorySegment block, int max) {
        return (int) Math.max(1, Math.min(max, blockTokens(block) - slot(pos) % BLOCK));
    }

    /**
     * Stores one position's key and value, already encoded in this cache's format: the token at byte
     * {@code from} of k and v (token-major, as a layer computes them). Copying the bytes (rather than encoding
     * again) keeps the cache identical to what the batch's own attention read.
     */
    void put(int layer, long pos, MemorySegment k, MemorySegment v, long from) {
        MemorySegment kb = block(layer, pos);
        int hd = config.headDim(), elementBytes = format.blockBytes();
        if (inPlace != null && readsExactlyInPlace) {
            readsExactlyInPlace = inPlace.readsExactly(k, from, config.kvDim()) && inPlace.readsExactly(v, from, config.kvDim());
        }
        for (int h = 0; h < config.nKvHeads(); h++) {
            long src = from + h * headBytes;
            if (inPlace == null) {
                MemorySegment.copy(v, src, kb, valueOffset(pos, h, 0, kb), headBytes);
            } else {
                long chunkBytes = format.bytes(InPlaceCacheFormat.VALUE_CHUNK);
                for (int d = 0; d < hd; d += InPlaceCacheFormat.VALUE_CHUNK) {
                    MemorySegment.copy(v, src + format.bytes(d), kb, valueOffset(pos, h, d, kb), chunkBytes);
                }
            }
            if (!transposedKeys()) {
                MemorySegment.copy(k, src, kb, keyOffset(pos, h, kb), headBytes);
                continue;
            }
            long to = keyElementOffset(pos, h, 0, kb), stride = blockTokens(kb) * elementBytes;
            for (int d = 0; d < hd; d++, src += elementBytes, to += stride) {
                if (elementBytes == 2) kb.set(ValueLayout.JAVA_SHORT_UNALIGNED, to, k.get(ValueLayout.JAVA_SHORT_UNALIGNED, src));
                else kb.set(ValueLayout.JAVA_INT_UNALIGNED, to, k.get(ValueLayout.JAVA_INT_UNALIGNED, src));
            }
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
