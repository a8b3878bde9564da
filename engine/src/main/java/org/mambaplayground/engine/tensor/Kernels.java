package org.mambaplayground.engine.tensor;

import java.lang.foreign.MemorySegment;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * The hot loops of both architectures: weight matrix times activations, reading weights in their stored
 * format straight from their (memory-mapped) segment through the format's own kernels. {@code w} is
 * [rows, cols] row-major (PyTorch's Linear weight layout: out_features x in_features). Rows are spread over
 * {@link Parallel}'s threads. Tensors over native memory must come from a shared or global arena (workers
 * read them). The engine needs the Vector API ({@code --add-modules=jdk.incubator.vector}).
 */
public final class Kernels {
    /** Whether the Vector API is available (the JVM was started with --add-modules=jdk.incubator.vector). */
    public static final boolean VECTORIZED = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    /** Multiply-adds below which a matrix product stays on the calling thread (hand-off costs more). */
    private static final long PARALLEL_THRESHOLD = 1L << 15;
    /** Bytes of weight rows matmul keeps hot in L2 while it walks the token blocks. */
    private static final long TILE_BYTES = 128L << 10;
    /** Tokens that share one decoding of a weight block in {@link WeightFormat#dot2x4}. */
    static final int TOKEN_BLOCK = 4;

    static {
        if (!VECTORIZED) {
            throw new IllegalStateException("the engine's kernels need the Vector API: start Java with --add-modules=jdk.incubator.vector");
        }
    }

    /** The rows of {@link WeightFormat#dot4} lie at least this far apart, so that each is a stream of its own pages. */
    private static final long PAGE_BYTES = 4096;

    private Kernels() {}

    /** out[r] = sum_c w[r, c] * x[c]. */
    public static void matvec(Tensor w, float[] x, float[] out) {
        int rows = rows(w), cols = cols(w);
        check(w, x.length >= cols, "x has " + x.length + " elements, needs " + cols);
        check(w, out.length >= rows, "out has " + out.length + " elements, needs " + rows);
        MemorySegment seg = w.data();
        WeightFormat format = w.format();
        long rowBytes = w.rowBytes();
        float[] heap = heapFloats(w);
        boolean vector = VectorKernels.vectorReadable(seg);
        boolean fourRows = heap == null && vector && format.fourRowDot();
        Parallel.RangeBody body = (start, end) -> {
            int r = start;
            // Four rows at once, a quarter of the range apart (see WeightFormat.dot4: not side by side).
            int quarter = (end - start) / 4;
            if (fourRows && quarter * rowBytes >= PAGE_BYTES) {
                for (; r < start + quarter; r++) format.dot4(seg, r * rowBytes, quarter * rowBytes, x, cols, out, r, quarter);
                r = start + 4 * quarter;
            }
            for (; r < end; r++) {
                if (heap != null) out[r] = dot(heap, r * cols, x, 0, cols);
                else if (vector) out[r] = format.dot(seg, r * rowBytes, x, 0, cols);
                else out[r] = scalarDot(w, r, x, 0);
            }
        };
        run(rows, cols, 1, body);
    }

    /**
     * out[t, r] = sum_c w[r, c] * x[t, c] for t in [0, n): x is [n, cols], out is [n, rows], row-major.
     * Each weight row is read (and decoded) once for a block of tokens, which is what makes prefill faster per
     * token than decode.
     */
    public static void matmul(Tensor w, float[] x, float[] out, int n) {
        int rows = rows(w), cols = cols(w);
        check(w, x.length >= (long) n * cols, "x has " + x.length + " elements, needs " + n + " x " + cols);
        check(w, out.length >= (long) n * rows, "out has " + out.length + " elements, needs " + n + " x " + rows);
        if (n == 1) {
            matvec(w, x, out);
            return;
        }
        MemorySegment seg = w.data();
        WeightFormat format = w.format();
        long rowBytes = w.rowBytes();
        float[] heap = heapFloats(w);
        boolean vector = VectorKernels.vectorReadable(seg);
        if (vector && heap == null && PanelMatmul.worthIt(n)) {
            PanelMatmul.matmul(w, x, out, n, rows, cols);
            return;
        }
        // Rows are taken in tiles small enough to stay in L2: each weight row comes from memory once and
        // is reused from cache for every block of tokens, while a block's activations stay in L1.
        int tileRows = (int) Math.max(2, Math.min(rows, TILE_BYTES / Math.max(1, rowBytes)));
        Parallel.RangeBody body = (start, end) -> {
            if (!vector || heap != null) {
                for (int r = start; r < end; r++) {
                    for (int t = 0; t < n; t++) {
                        out[t * rows + r] = heap == null ? scalarDot(w, r, x, t * cols) : dot(heap, r * cols, x, t * cols, cols);
                    }
                }
                return;
            }
            for (int tile = start; tile < end; tile += tileRows) {
                int tileEnd = Math.min(end, tile + tileRows);
                int t = 0;
                for (; t + TOKEN_BLOCK <= n; t += TOKEN_BLOCK) {
                    int r = tile;
                    for (; r + 2 <= tileEnd; r += 2) format.dot2x4(seg, r * rowBytes, rowBytes, x, t, cols, out, rows, r);
                    for (; r < tileEnd; r++) {
                        for (int k = t; k < t + TOKEN_BLOCK; k++) out[k * rows + r] = format.dot(seg, r * rowBytes, x, k * cols, cols);
                    }
                }
                for (; t < n; t++) {
                    for (int r = tile; r < tileEnd; r++) out[t * rows + r] = format.dot(seg, r * rowBytes, x, t * cols, cols);
                }
            }
        };
        run(rows, cols, n, body);
    }

    /** Copies row {@code row} of a [rows, cols] tensor into out (embedding lookup), decoded to floats. */
    public static void row(Tensor w, int row, float[] out) {
        int rows = rows(w), cols = cols(w);
        if (row < 0 || row >= rows) {
            throw new IllegalArgumentException("row " + row + " is outside tensor " + w.name() + " with " + rows + " rows");
        }
        check(w, out.length >= cols, "out has " + out.length + " elements, needs " + cols);
        float[] heap = heapFloats(w);
        if (heap != null) System.arraycopy(heap, row * cols, out, 0, cols);
        else if (VectorKernels.vectorReadable(w.data())) w.format().decode(w.data(), row * w.rowBytes(), out, 0, cols);
        else for (int c = 0; c < cols; c++) out[c] = w.get((long) row * cols + c);
    }

    /** sum_i a[aOff + i] * b[bOff + i] for i in [0, n). */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        return VectorKernels.dot(a, aOff, b, bOff, n);
    }

    /** y[yOff + i] += alpha * x[xOff + i] for i in [0, n). */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        VectorKernels.axpy(alpha, x, xOff, y, yOff, n);
    }

    /**
     * The SwiGLU of a feed-forward layer, up[i] *= silu(gate[i]) over {@code n} elements, spread over the kernel
     * threads (a prompt's [tokens, hidden] activations are millions of exponentials).
     */
    public static void swiGlu(float[] up, float[] gate, int n) {
        int chunk = 8192;
        Parallel.forRange((n + chunk - 1) / chunk, 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                int o = i * chunk;
                VectorKernels.silu(up, o, gate, o, Math.min(chunk, n - o));
            }
        });
    }

    /**
     * c[i * w + v] (+)= sum over k in [0, nk) of a[aOff + i * si + k * sk] * b[k * w + v], for i in [0, ni), v in
     * [0, w); w a multiple of {@link #lanes()}.
     */
    public static void broadcastProduct(float[] a, int aOff, int si, int sk, int ni, int nk, float[] b, int w, float[] c, boolean add) {
        VectorKernels.broadcastProduct(a, aOff, si, sk, ni, nk, b, w, c, add);
    }

    /**
     * One key block of an online softmax over query rows that run along vectors: masks, updates the maxima m and
     * sums l, rescales accT [dims, w], and turns the scores s [count, w] into weights (see the vector kernel).
     */
    public static void softmaxBlock(float[] s, int count, int w, int keyPos0, int[] lo, int[] hi, float[] m, float[] l, float[] accT, int dims) {
        VectorKernels.softmaxBlock(s, count, w, keyPos0, lo, hi, m, l, accT, dims);
    }

    /** The largest of a[from .. to - 1] by Math.max, whose result does not depend on the order of the terms; -infinity if none. */
    public static float max(float[] a, int from, int to) { return VectorKernels.max(a, from, to); }

    /** e^x through the vector exp the other kernels use (Math.exp may differ from it in the last bit). */
    public static float exp(float x) { return VectorKernels.exp(x); }

    /** out[outOff + i] = a[aOff + i] * exp(c - e[i]) * b[i] for i in [0, n). */
    public static void decayedWeights(float[] a, int aOff, float c, float[] e, float[] b, float[] out, int outOff, int n) {
        VectorKernels.decayedWeights(a, aOff, c, e, b, out, outOff, n);
    }

    /** y[yOff + i] += a[aOff + i] * b[bOff + i] for i in [0, n). */
    public static void addProducts(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        VectorKernels.addProducts(a, aOff, b, bOff, y, yOff, n);
    }

    /** y[yOff + i] = silu(y[yOff + i]) for i in [0, n), in place. */
    public static void silu(float[] y, int yOff, int n) { VectorKernels.silu(y, yOff, null, 0, n); }

    /** y[yOff + i] *= silu(gate[gOff + i]) for i in [0, n). */
    public static void mulSilu(float[] y, int yOff, float[] gate, int gOff, int n) { VectorKernels.silu(y, yOff, gate, gOff, n); }

    /** p[j] = exp(p[j] - shift) for j in [from, to) (a softmax's numerators). */
    public static void expShifted(float[] p, int from, int to, float shift) {
        VectorKernels.expShifted(p, from, to, shift);
    }

    /** acc[accOff + d] += sum over j in [from, to) of w[j] * rows[j * n + d], for d in [0, n) (attention's weighted values). */
    public static void addWeightedRows(float[] w, int from, int to, float[] rows, int n, float[] acc, int accOff) {
        VectorKernels.addWeightedRows(w, from, to - from, rows, from * n, n, n, acc, accOff);
    }

    /**
     * acc[accOff + d] += sum over j in [0, count) of w[wOff + j] * rows[rowOff + j * stride + d], for d in [0, n):
     * rows {@code stride} apart, as the x or B columns of consecutive tokens (the SSD scan's weighted sums).
     */
    public static void addWeightedRows(float[] w, int wOff, int count, float[] rows, int rowOff, int stride, int n, float[] acc, int accOff) {
        VectorKernels.addWeightedRows(w, wOff, count, rows, rowOff, stride, n, acc, accOff);
    }

    /**
     * Four {@link #addWeightedRows(float[], int, int, float[], int, int, int, float[], int)} at once, output u with
     * weights from w[wOff + u * wStride] into acc[accOff + u * accStride]: each row is loaded once for all four.
     */
    public static void addWeightedRows4(float[] w, int wOff, int wStride, int count, float[] rows, int rowOff, int stride, int n,
                                        float[] acc, int accOff, int accStride) {
        VectorKernels.addWeightedRows4(w, wOff, wStride, count, rows, rowOff, stride, n, acc, accOff, accStride);
    }

    /** s[sOff + i] = decay * s[sOff + i] + alpha * b[bOff + i] for i in [0, n), then sum_i s[sOff + i] * c[cOff + i]. */
    public static float decayAxpyDot(float[] s, int sOff, float decay, float alpha, float[] b, int bOff, float[] c, int cOff, int n) {
        return VectorKernels.decayAxpyDot(s, sOff, decay, alpha, b, bOff, c, cOff, n);
    }

    /**
     * Sum of {@code count} little-endian floats from {@code byteOffset} of {@code seg}: the memory-bandwidth
     * probe's inner loop, with the same vector loads the weight kernels use.
     */
    public static float sumFloats(MemorySegment seg, long byteOffset, long count) {
        if (VectorKernels.vectorReadable(seg)) return VectorKernels.sumFloats(seg, byteOffset, count);
        float sum = 0f;
        MemorySegment run = seg.asSlice(byteOffset);
        for (long i = 0; i < count; i++) sum += WeightFormat.F32.get(run, i);
        return sum;
    }

    /**
     * {@code fmas} vector multiply-adds in independent chains, reading nothing from memory: the FMA peak probe's
     * loop. Returns a value that depends on every chain.
     */
    public static float fmaChains(long fmas) { return VectorKernels.fmaChains(fmas); }

    /** Float lanes per vector the kernels use. */
    public static int lanes() { return VectorKernels.F.length(); }

    private static float scalarDot(Tensor w, int r, float[] x, int xOff) {
        long cols = w.dim(1), first = r * cols;
        float sum = 0f;
        for (int c = 0; c < cols; c++) sum += w.get(first + c) * x[xOff + c];
        return sum;
    }

    private static void run(int rows, int cols, int tokens, Parallel.RangeBody body) {
        long work = (long) rows * cols * tokens;
        if (work < PARALLEL_THRESHOLD) body.run(0, rows);
        else if (tokens == 1) Parallel.forRangeFinely(rows, Math.max(1, (int) (PARALLEL_THRESHOLD / cols)), body);
        else Parallel.forRange(rows, Math.max(1, (int) (PARALLEL_THRESHOLD / ((long) cols * tokens))), body);
    }

    /** The backing array of an F32 tensor made by {@link Tensor#ofFloats} (vector loads cannot read float[] segments). */
    private static float[] heapFloats(Tensor w) {
        MemorySegment seg = w.data();
        if (w.format() != WeightFormat.F32 || seg.isNative()) return null;
        Object base = seg.heapBase().orElse(null);
        if (base instanceof float[] array && seg.address() == 0 && seg.byteSize() == 4L * array.length) return array;
        return null;
    }

    private static int rows(Tensor w) {
        if (w.rank() != 2) throw new IllegalArgumentException("tensor " + w + " is not a matrix");
        if (w.dim(0) > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor " + w + " has too many rows");
        return (int) w.dim(0);
    }

    private static int cols(Tensor w) {
        if (w.dim(1) > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor " + w + " has too many columns");
        return (int) w.dim(1);
    }

    private static void check(Tensor w, boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("tensor " + w + ": " + message);
    }
}
