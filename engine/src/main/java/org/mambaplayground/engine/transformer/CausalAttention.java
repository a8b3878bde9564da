package org.mambaplayground.engine.transformer;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.mambaplayground.engine.tensor.Kernels;
import org.mambaplayground.engine.tensor.Parallel;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * Causal grouped-query attention of n new queries over the cache and the batch's own keys, tiled over keys with
 * an online softmax (FlashAttention's form: a running maximum and sum per query, no score matrix). One work item
 * is a KV head with a tile of query tokens: each block of keys and values is decoded once from the cache's
 * format into floats and used by every query of the tile and every query head of the group, where decoding per
 * (query, head) pair would repeat it {@code tile x group} times. Scores are broadcast products over the cache's
 * transposed keys, with no horizontal sums: the keys along the vector lanes for a decoded token, the query rows
 * along them in a prompt's tile, each score the same FMA chain over the dimensions either way. A few queries over a long context (decode) also
 * split their keys into ranges on separate threads, merged by their maxima and sums. The rolling buffer of a
 * sliding window is read in place through the cache's slots. A decoded token reads an F16 or BF16 cache's full
 * blocks in place, each vector of keys or values converted beside the FMAs that use it ({@code
 * InPlaceCacheFormat}): the same floats, with the cache's reads and the arithmetic overlapped.
 */
final class CausalAttention {
    /** Keys decoded together: one cache block, its positions aligned to a multiple of it. */
    static final int KEY_BLOCK = TransformerConfig.KV_BLOCK_TOKENS;
    /** Query tokens per work item in a prompt: 16 tokens x 4 heads share each decoded key block. */
    static final int QUERY_TILE = 16;
    /** Keys per range, at least, when a few queries' keys are split over threads. */
    static final int MIN_SPLIT_KEYS = 128;

    private final TransformerConfig c;
    private final int layer;

    CausalAttention(TransformerConfig c, int layer) {
        this.c = c;
        this.layer = layer;
    }

    /**
     * @param q     [n, qDim] queries (RoPE applied)
     * @param k     the n new keys, encoded in the cache's format, token after token
     * @param v     the n new values, likewise
     * @param start the position of the first new token (the cache holds the positions before it)
     * @return [n, qDim] the attended values
     */
    float[] attend(float[] q, MemorySegment k, MemorySegment v, int n, long start, KvCacheState cache) {
        int kvHeads = c.nKvHeads(), tiles = (n + QUERY_TILE - 1) / QUERY_TILE;
        long keys = start + n;
        // A few queries (decode) give only one item per KV head: their keys are split until there are about four
        // items per thread, so that a core slowed by other work does not hold up the rest.
        int splits = n >= QUERY_TILE ? 1
                : (int) Math.max(1, Math.min(ceilDiv(4L * Parallel.threads(), kvHeads), keys / MIN_SPLIT_KEYS));
        int items = kvHeads * tiles * splits;
        int rowsPerItem = Math.min(n, QUERY_TILE) * c.queriesPerKvHead(), hd = c.headDim();
        // Each item's unnormalised sums, maxima and softmax denominators, merged below.
        float[] acc = new float[items * rowsPerItem * hd], max = new float[items * rowsPerItem], sum = new float[items * rowsPerItem];
        Parallel.forRange(items, 1, (from, to) -> {
            Scratch s = Scratch.forThisThread(hd, rowsPerItem);
            for (int item = from; item < to; item++) {
                int split = item % splits, rest = item / splits, kvHead = rest % kvHeads, tile = rest / kvHeads;
                int t0 = tile * QUERY_TILE, t1 = Math.min(n, t0 + QUERY_TILE);
                // key ranges of whole blocks, so that a range's blocks are the cache's
                long first = firstVisible(start + t0), last = start + t1 - 1, base = first - first % KEY_BLOCK;
                long per = ceilDiv(ceilDiv(last + 1 - base, splits), KEY_BLOCK) * KEY_BLOCK;
                long keyFrom = Math.max(first, base + split * per), keyTo = Math.min(last + 1, base + (split + 1) * per);
                partial(q, k, v, start, cache, kvHead, t0, t1, keyFrom, keyTo, n > 1, s,
                        acc, item * rowsPerItem * hd, max, sum, item * rowsPerItem);
            }
        });
        return merge(acc, max, sum, n, splits, tiles, rowsPerItem);
    }

    /**
     * Per thread: a decoded block of keys (transposed, [dim, key]) and then of their values ([key, dim]), the
     * one-row path's scores ([row, key]) and scaled queries, a key's floats. Kept by each thread between calls (a
     * decode step's chunks each zeroed 33 kB of new arrays, 8% of attention's time).
     */
    private static final class Scratch {
        private static final ThreadLocal<Scratch> KEPT = new ThreadLocal<>();
        final float[] block, scores, weights, queries, inPlaceQueries, row;

        private Scratch(int hd, int rows) {
            block = new float[hd * KEY_BLOCK];
            scores = new float[rows * KEY_BLOCK];
            weights = new float[rows * KEY_BLOCK];
            queries = new float[rows * hd];
            inPlaceQueries = new float[rows * hd];
            row = new float[hd];
        }

        /** This thread's scratch, made anew when a model of another shape asks (every slot is written before it is read). */
        static Scratch forThisThread(int hd, int rows) {
            Scratch s = KEPT.get();
            if (s == null || s.row.length != hd || s.queries.length < rows * hd) KEPT.set(s = new Scratch(hd, rows));
            return s;
        }
    }

    /**
     * Queries of tokens t0 .. t1 - 1 and the group of heads of {@code kvHead} (row r: token t0 + r / group, head
     * kvHead * group + r % group) over keys keyFrom .. keyTo - 1, each query seeing only its visible keys.
     */
    private void partial(float[] q, MemorySegment k, MemorySegment v, long start, KvCacheState cache, int kvHead,
                         int t0, int t1, long keyFrom, long keyTo, boolean prompt, Scratch s,
                         float[] acc, int accOff, float[] max, float[] sum, int rowOff) {
        int hd = c.headDim(), group = c.queriesPerKvHead(), qDim = c.qDim(), rows = (t1 - t0) * group;
        // Every tile of a prompt, even a last one of one token, goes the same way, so that a token's result does
        // not depend on the tile it fell in (a prefill of 17 tokens leaves the cache a longer one leaves).
        if (prompt) {
            partialRows(q, k, v, start, cache, kvHead, t0, t1, keyFrom, keyTo, s, acc, accOff, max, sum, rowOff);
            return;
        }
        // One token (decode): its group's rows see the same keys, so each block's weights are applied to four
        // rows at a time (every value loaded once for all four) and their sums run as four chains side by side.
        float scale = (float) (1.0 / Math.sqrt(hd)), inPlaceScale = cache.inPlaceScale();
        Arrays.fill(max, rowOff, rowOff + rows, Float.NEGATIVE_INFINITY);
        // Blocks the cache reads in place take the queries and weights times its scale, a power of two: the same
        // products, so long as no scaled query overflows.
        boolean inPlaceRows = rows % 4 == 0;
        for (int r = 0; r < rows; r++) { // row r's query, scaled once for all key blocks
            int qo = t0 * qDim + (kvHead * group + r) * hd;
            for (int d = 0; d < hd; d++) {
                s.queries[r * hd + d] = q[qo + d] * scale;
                s.inPlaceQueries[r * hd + d] = s.queries[r * hd + d] * inPlaceScale;
                inPlaceRows &= Float.isFinite(s.inPlaceQueries[r * hd + d]);
            }
        }
        long i = start + t0;
        for (long b = keyFrom - keyFrom % KEY_BLOCK; b < keyTo; b += KEY_BLOCK) {
            int count = (int) Math.min(KEY_BLOCK, keyTo - b);
            int from = (int) Math.max(Math.max(0, keyFrom - b), firstVisible(i) - b), to = (int) Math.min(count, i - b + 1);
            if (from >= to) continue;
            boolean inPlace = inPlaceRows && cachedOf(start, b, count) == KEY_BLOCK && cache.readsInPlace(layer, b);
            // every row's scores of the block's keys, keys along the lanes: score j of row r is the FMA chain over
            // the dimensions that a prompt's tile computes with its rows along the lanes
            if (inPlace) {
                for (int r = 0; r < rows; r += 4) cache.scoreInPlace(layer, b, kvHead, s.inPlaceQueries, r * hd, s.scores, r * KEY_BLOCK);
            } else {
                decodeKeys(k, start, cache, kvHead, b, count, s);
                Kernels.broadcastProduct(s.queries, 0, hd, 1, rows, hd, s.block, KEY_BLOCK, s.scores, false);
                decodeValues(v, start, cache, kvHead, b, count, s);
            }
            for (int r = 0; r < rows; r++) {
                int so = r * KEY_BLOCK, row = rowOff + r, ao = accOff + r * hd;
                float newMax = Math.max(max[row], Kernels.max(s.scores, so + from, so + to));
                if (newMax > max[row] && max[row] != Float.NEGATIVE_INFINITY) {
                    // the vector exp, as the prompt's tiles take it: a decoded token weighs its keys as a prompt does
                    float rescale = Kernels.exp(max[row] - newMax);
                    sum[row] *= rescale;
                    for (int d = 0; d < hd; d++) acc[ao + d] *= rescale;
                }
                max[row] = newMax;
                Kernels.expShifted(s.scores, so + from, so + to, newMax);
            }
            if (inPlace) {
                addValuesInPlace(cache, kvHead, b, from, to, rows, s, acc, accOff, sum, rowOff);
                continue;
            }
            int r = 0;
            for (; r + 4 <= rows; r += 4) {
                Kernels.addWeightedRows4(s.scores, r * KEY_BLOCK + from, KEY_BLOCK, to - from, s.block, from * hd, hd, hd,
                        acc, accOff + r * hd, hd);
                addSums4(s.scores, r * KEY_BLOCK, from, to, sum, rowOff + r);
            }
            for (; r < rows; r++) {
                int so = r * KEY_BLOCK;
                Kernels.addWeightedRows(s.scores, so + from, to - from, s.block, from * hd, hd, hd, acc, accOff + r * hd);
                for (int j = so + from; j < so + to; j++) sum[rowOff + r] += s.scores[j]; // in key order, as the prompt's tiles add them
            }
        }
    }

    /**
     * The one-row path's weighted values and sums of the block at b, its values read in place: the weights (in
     * s.scores) times the cache's scale, four rows at a time.
     */
    private void addValuesInPlace(KvCacheState cache, int kvHead, long b, int from, int to, int rows, Scratch s,
                                  float[] acc, int accOff, float[] sum, int rowOff) {
        float[] w = s.scores;
        float inPlaceScale = cache.inPlaceScale();
        if (inPlaceScale != 1f) { // only the weights the block's range gives
            w = s.weights;
            for (int r = 0; r < rows; r++) for (int j = r * KEY_BLOCK + from; j < r * KEY_BLOCK + to; j++) w[j] = s.scores[j] * inPlaceScale;
        }
        for (int r = 0; r < rows; r += 4) {
            cache.weighInPlace(layer, b, kvHead, from, to, w, r * KEY_BLOCK, KEY_BLOCK, acc, accOff + r * c.headDim());
            addSums4(s.scores, r * KEY_BLOCK, from, to, sum, rowOff + r);
        }
    }

    /**
     * sum[at + u] += w[wOff + u * KEY_BLOCK + j] for j in [from, to), u in [0, 4): each sum in key order, as the
     * prompt's tiles add them, the four chains interleaved so that each add does not wait for the one before.
     */
    private static void addSums4(float[] w, int wOff, int from, int to, float[] sum, int at) {
        float s0 = sum[at], s1 = sum[at + 1], s2 = sum[at + 2], s3 = sum[at + 3];
        for (int j = wOff + from, end = wOff + to; j < end; j++) {
            s0 += w[j];
            s1 += w[j + KEY_BLOCK];
            s2 += w[j + 2 * KEY_BLOCK];
            s3 += w[j + 3 * KEY_BLOCK];
        }
        sum[at] = s0;
        sum[at + 1] = s1;
        sum[at + 2] = s2;
        sum[at + 3] = s3;
    }

    /**
     * Keys at positions b .. b + count - 1 of {@code kvHead}, decoded into s.block as [dim, key]: the cached ones
     * from the cache, a run at a time, then the batch's own from k.
     */
    private void decodeKeys(MemorySegment k, long start, KvCacheState cache, int kvHead, long b, int count, Scratch s) {
        int cached = cachedOf(start, b, count), hd = c.headDim();
        for (int j = 0; j < cached; ) j += cache.decodeKeys(layer, b + j, kvHead, cached - j, s.block, j, s.row);
        WeightFormat f = cache.format();
        long tokenBytes = f.bytes(c.kvDim()), o = (b + cached - start) * tokenBytes + kvHead * f.bytes(hd);
        for (int j = cached; j < count; j++, o += tokenBytes) {
            f.decode(k, o, s.row, 0, hd);
            for (int d = 0; d < hd; d++) s.block[d * KEY_BLOCK + j] = s.row[d];
        }
    }

    /**
     * Values at positions b .. b + count - 1 of {@code kvHead}, decoded into s.block as [key, dim], over the keys
     * the scores were taken from: one block of scratch for both keeps the working set in the L1 cache while the
     * cache streams in (decoding into a second block ran at half the speed).
     */
    private void decodeValues(MemorySegment v, long start, KvCacheState cache, int kvHead, long b, int count, Scratch s) {
        int cached = cachedOf(start, b, count), hd = c.headDim();
        for (int j = 0; j < cached; ) j += cache.decodeValues(layer, b + j, kvHead, cached - j, s.block, j);
        WeightFormat f = cache.format();
        long tokenBytes = f.bytes(c.kvDim()), o = (b + cached - start) * tokenBytes + kvHead * f.bytes(hd);
        for (int j = cached; j < count; j++, o += tokenBytes) f.decode(v, o, s.block, j * hd, hd);
    }

    /** How many of the positions b .. b + count - 1 the cache holds (those before the batch's first, start). */
    private static int cachedOf(long start, long b, int count) {
        return (int) Math.max(0, Math.min(count, start - b));
    }

    /**
     * {@link #partial} for a prompt's tile, whose query rows run along vectors (padded to whole vectors): the
     * softmax a vector of rows at a time, the values added as a broadcast product into transposed sums, four keys'
     * weights by two vectors of rows in registers, where one row at a time loaded and stored its sums for every
     * key. Each row's arithmetic is the one-row path's, key by key and in the same order: the results are equal.
     */
    private void partialRows(float[] q, MemorySegment k, MemorySegment v, long start, KvCacheState cache, int kvHead,
                             int t0, int t1, long keyFrom, long keyTo, Scratch s,
                             float[] acc, int accOff, float[] max, float[] sum, int rowOff) {
        int hd = c.headDim(), group = c.queriesPerKvHead(), qDim = c.qDim(), rows = (t1 - t0) * group;
        int lanes = Kernels.lanes(), w = (rows + lanes - 1) / lanes * lanes;
        float scale = (float) (1.0 / Math.sqrt(hd));
        RowScratch rs = RowScratch.forThisThread(hd, w);
        Arrays.fill(rs.m, 0, w, Float.NEGATIVE_INFINITY);
        Arrays.fill(rs.l, 0, w, 0f);
        Arrays.fill(rs.accT, 0, hd * w, 0f);
        for (int r = 0; r < w; r++) {
            if (r < rows) {
                int qo = (t0 + r / group) * qDim + (kvHead * group + r % group) * hd;
                for (int d = 0; d < hd; d++) rs.queriesT[d * w + r] = q[qo + d] * scale;
                long i = start + t0 + r / group;
                rs.hi[r] = Math.toIntExact(i);
                rs.lo[r] = Math.toIntExact(firstVisible(i));
            } else { // padding: sees no key
                for (int d = 0; d < hd; d++) rs.queriesT[d * w + r] = 0;
                rs.hi[r] = -1;
                rs.lo[r] = Integer.MAX_VALUE;
            }
        }
        for (long b = keyFrom - keyFrom % KEY_BLOCK; b < keyTo; b += KEY_BLOCK) {
            int count = (int) Math.min(KEY_BLOCK, keyTo - b);
            decodeKeys(k, start, cache, kvHead, b, count, s);
            // Scores [key, row], rows along the lanes: each the FMA chain over the dimensions that the one-row
            // path computes with the keys along the lanes, so a prompt and its tokens decoded one at a time score
            // every key alike, to the last bit.
            Kernels.broadcastProduct(s.block, 0, 1, KEY_BLOCK, count, hd, rs.queriesT, w, rs.scores, false);
            Kernels.softmaxBlock(rs.scores, count, w, Math.toIntExact(b), rs.lo, rs.hi, rs.m, rs.l, rs.accT, hd);
            decodeValues(v, start, cache, kvHead, b, count, s);
            Kernels.broadcastProduct(s.block, 0, 1, hd, hd, count, rs.scores, w, rs.accT, true);
        }
        for (int r = 0; r < rows; r++) {
            max[rowOff + r] = rs.m[r];
            sum[rowOff + r] = rs.l[r];
            for (int d = 0; d < hd; d++) acc[accOff + r * hd + d] = rs.accT[d * w + r];
        }
    }

    /** Per thread, for {@link #partialRows}: transposed sums and scaled queries ([dim, rows]), a block's scores ([key, rows]), the maxima, sums and visible ranges. */
    private static final class RowScratch {
        private static final ThreadLocal<RowScratch> KEPT = new ThreadLocal<>();
        final float[] accT, queriesT, scores, m, l;
        final int[] lo, hi;

        private RowScratch(int hd, int w) {
            accT = new float[hd * w];
            queriesT = new float[hd * w];
            scores = new float[KEY_BLOCK * w];
            m = new float[w];
            l = new float[w];
            lo = new int[w];
            hi = new int[w];
        }

        static RowScratch forThisThread(int hd, int w) {
            RowScratch s = KEPT.get();
            if (s == null || s.accT.length < hd * w || s.m.length < w) KEPT.set(s = new RowScratch(hd, w));
            return s;
        }
    }

    /** The items' partial sums as [n, qDim] outputs: key ranges of a row combined by their maxima, then normalised. */
    private float[] merge(float[] acc, float[] max, float[] sum, int n, int splits, int tiles, int rowsPerItem) {
        int hd = c.headDim(), group = c.queriesPerKvHead(), qDim = c.qDim(), kvHeads = c.nKvHeads();
        float[] out = new float[n * qDim];
        for (int tile = 0; tile < tiles; tile++) {
            int t0 = tile * QUERY_TILE, rows = (Math.min(n, t0 + QUERY_TILE) - t0) * group;
            for (int kvHead = 0; kvHead < kvHeads; kvHead++) {
                int firstItem = (tile * kvHeads + kvHead) * splits;
                for (int r = 0; r < rows; r++) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int sp = 0; sp < splits; sp++) m = Math.max(m, max[(firstItem + sp) * rowsPerItem + r]);
                    int oo = (t0 + r / group) * qDim + (kvHead * group + r % group) * hd;
                    double total = 0;
                    for (int sp = 0; sp < splits; sp++) {
                        int row = (firstItem + sp) * rowsPerItem + r;
                        if (max[row] == Float.NEGATIVE_INFINITY) continue; // no visible key in this range
                        float w = (float) Math.exp(max[row] - m);
                        total += w * sum[row];
                        Kernels.axpy(w, acc, row * hd, out, oo, hd);
                    }
                    float inv = (float) (1.0 / total);
                    for (int d = 0; d < hd; d++) out[oo + d] *= inv;
                }
            }
        }
        return out;
    }

    /** The first key position the query at position i sees. */
    private long firstVisible(long i) {
        return c.hasSlidingWindow() ? Math.max(0, i - c.slidingWindow() + 1) : 0;
    }

    private static long ceilDiv(long a, long b) { return (a + b - 1) / b; }
}
