package org.mambaplayground.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * Prefill's matrix-matrix product out[t, r] = sum_c w[r, c] * x[t, c] for many tokens, in the blocked form of
 * BLAS libraries: a panel of {@link #ROW_VECTORS} vectors of weight rows by {@link #K_BLOCK} columns is decoded
 * once from the stored format (any format: through its own row decoder) into floats, transposed so that one
 * column's weights for all panel rows are contiguous, and reused from cache for every token of the batch. The
 * micro-kernel keeps a tile of 8 tokens (4 where vectors are 256 bits: AVX2 has half the registers) by the panel's
 * rows of sums in registers and adds a broadcast activation, read straight from the token's row of x, times a
 * panel column per step: no horizontal sums, the output stored as vectors. Rows are split over
 * {@link Parallel}'s threads by panel.
 *
 * <p>The tile is sized so that C2 keeps every sum in a register: at 8 tokens by 3 vectors it spilled one sum to the
 * stack, and the store-to-load chain through it held the kernel to 72% of the FMA peak (8 by 2: 99%, measured
 * alone on a panel in cache, AVX-512).
 */
final class PanelMatmul {
    private static final VectorSpecies<Float> F = VectorKernels.F;
    private static final int L = F.length();
    /** Float vectors of rows in a panel: 8 x 2 sums, 2 weights and the broadcasts fit AVX-512's 32 registers. */
    static final int ROW_VECTORS = 2;
    /** Weight rows per panel. */
    static final int PANEL_ROWS = ROW_VECTORS * L;
    /** Columns per panel: a multiple of every block size (256). A panel (32 x 256 floats) is 32 KB; 128 and 512 measured no faster. */
    static final int K_BLOCK = 256;
    /** Panels decoded together (32 x 256 floats each): 256 KB, within L2. */
    private static final int GROUP_PANELS = 8;
    /** Tokens of the widest micro-kernel: 8 where there are 32 vector registers, else 4. */
    private static final int TOKENS = L >= 16 ? 8 : 4;
    /** Offsets of L consecutive rows in pack's row-major block of decoded rows. */
    private static final int[] ROW_GATHER = IntStream.range(0, L).map(i -> i * K_BLOCK).toArray();

    private PanelMatmul() {}

    /**
     * Tokens from which the panel is worth its decoding and gathering (paid once a weight): below it, the 2 x 4 tile
     * that decodes each weight once per 4 tokens is as fast. On 4096 x 4096, one thread, the panel was 1.2x the
     * tile's speed at 64 tokens and 1.2-1.55x at 128 in BF16, Q8_0 and Q4_0; about even at 32 and 48 tokens; the
     * tile won at 16 (tools/bench-matmul/Matmul.java, docs/measurements/prefill-stop18.txt).
     */
    static final int MIN_TOKENS = 64;

    static boolean worthIt(int n) { return n >= MIN_TOKENS; }

    static void matmul(Tensor w, float[] x, float[] out, int n, int rows, int cols) {
        MemorySegment seg = w.data();
        WeightFormat format = w.format();
        long rowBytes = w.rowBytes();
        int panels = (rows + PANEL_ROWS - 1) / PANEL_ROWS;
        Parallel.forRange(panels, 1, (first, end) -> {
            float[][] group = new float[GROUP_PANELS][K_BLOCK * PANEL_ROWS];
            float[] rowsBlock = new float[PANEL_ROWS * K_BLOCK], tile = new float[TOKENS * PANEL_ROWS];
            for (int g0 = first; g0 < end; g0 += GROUP_PANELS) {
                int count = Math.min(GROUP_PANELS, end - g0);
                for (int k0 = 0; k0 < cols; k0 += K_BLOCK) {
                    int kLen = Math.min(K_BLOCK, cols - k0);
                    for (int p = 0; p < count; p++) {
                        int r0 = (g0 + p) * PANEL_ROWS;
                        pack(seg, format, rowBytes, r0, Math.min(PANEL_ROWS, rows - r0), k0, kLen, group[p], rowsBlock);
                    }
                    boolean add = k0 > 0;
                    // Tokens outside, panels inside: a block of activations stays in L1 while the group's panels
                    // come from L2.
                    for (int t = 0; t < n; ) {
                        int tokens = n - t >= TOKENS ? TOKENS : n - t >= 4 ? 4 : 1;
                        for (int p = 0; p < count; p++) {
                            int r0 = (g0 + p) * PANEL_ROWS, valid = Math.min(PANEL_ROWS, rows - r0);
                            int xo = t * cols + k0, oo = t * rows + r0;
                            if (tokens == 1) {
                                kernel1(group[p], kLen, x, xo, out, oo, valid, add);
                            } else if (valid == PANEL_ROWS) {
                                kernel(tokens, group[p], kLen, x, xo, cols, out, oo, rows, add);
                            } else {
                                // A last, partial panel (its missing rows are zeros): through a full tile.
                                if (add) copyTile(tokens, out, oo, rows, tile, 0, PANEL_ROWS, valid);
                                kernel(tokens, group[p], kLen, x, xo, cols, tile, 0, PANEL_ROWS, add);
                                copyTile(tokens, tile, 0, PANEL_ROWS, out, oo, rows, valid);
                            }
                        }
                        t += tokens;
                    }
                }
            }
        });
    }

    private static void kernel(int tokens, float[] panel, int kLen, float[] x, int xo, int cols, float[] out, int oo, int rows, boolean add) {
        if (tokens == 8) kernel8(panel, kLen, x, xo, cols, out, oo, rows, add);
        else kernel4(panel, kLen, x, xo, cols, out, oo, rows, add);
    }

    /**
     * Decodes rows r0 .. r0 + valid - 1, columns k0 .. k0 + kLen - 1, into panel[c * PANEL_ROWS + row]; missing rows
     * are 0. The rows are decoded whole into {@code rows} (row-major, {@link #K_BLOCK} apart), then each column of the
     * panel is a gather of one vector of rows (a 2048 x 2048 BF16 product of 192 tokens, where packing weighs most, ran
     * 11% faster than with the floats stored one by one: tools/bench-matmul/Matmul.java, alternating, one thread).
     */
    private static void pack(MemorySegment seg, WeightFormat format, long rowBytes, int r0, int valid, int k0, int kLen,
                             float[] panel, float[] rows) {
        long colBytes = format.bytes(k0);
        for (int rr = 0; rr < PANEL_ROWS; rr++) {
            if (rr < valid) format.decode(seg, (r0 + rr) * rowBytes + colBytes, rows, rr * K_BLOCK, kLen);
            else Arrays.fill(rows, rr * K_BLOCK, rr * K_BLOCK + kLen, 0f);
        }
        for (int c = 0, po = 0; c < kLen; c++, po += PANEL_ROWS) {
            for (int v = 0; v < ROW_VECTORS; v++) {
                FloatVector.fromArray(F, rows, c + v * L * K_BLOCK, ROW_GATHER, 0).intoArray(panel, po + v * L);
            }
        }
    }

    /** {@code tokens} tokens' {@code valid} sums from one row-major tile to another. */
    private static void copyTile(int tokens, float[] from, int fo, int fromStride, float[] to, int to0, int toStride, int valid) {
        for (int u = 0; u < tokens; u++) System.arraycopy(from, fo + u * fromStride, to, to0 + u * toStride, valid);
    }

    /** Eight tokens (rows xo, xo + cols, ... of x) times a full panel, into out rows oo, oo + rows, ... */
    private static void kernel8(float[] panel, int kLen, float[] x, int xo, int cols, float[] out, int oo, int rows, boolean add) {
        int x0 = xo + 0 * cols, x1 = xo + 1 * cols, x2 = xo + 2 * cols, x3 = xo + 3 * cols, x4 = xo + 4 * cols, x5 = xo + 5 * cols, x6 = xo + 6 * cols, x7 = xo + 7 * cols;
        FloatVector a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51, a60, a61, a70, a71;
        if (add) {
            a00 = load(out, oo + 0 * rows); a01 = load(out, oo + 0 * rows + L);
            a10 = load(out, oo + 1 * rows); a11 = load(out, oo + 1 * rows + L);
            a20 = load(out, oo + 2 * rows); a21 = load(out, oo + 2 * rows + L);
            a30 = load(out, oo + 3 * rows); a31 = load(out, oo + 3 * rows + L);
            a40 = load(out, oo + 4 * rows); a41 = load(out, oo + 4 * rows + L);
            a50 = load(out, oo + 5 * rows); a51 = load(out, oo + 5 * rows + L);
            a60 = load(out, oo + 6 * rows); a61 = load(out, oo + 6 * rows + L);
            a70 = load(out, oo + 7 * rows); a71 = load(out, oo + 7 * rows + L);
        } else {
            a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = a40 = a41 = a50 = a51 = a60 = a61 = a70 = a71 = FloatVector.zero(F);
        }
        for (int c = 0, po = 0; c < kLen; c++, po += PANEL_ROWS) {
            FloatVector w0 = load(panel, po), w1 = load(panel, po + L), v;
            v = FloatVector.broadcast(F, x[x0 + c]); a00 = w0.fma(v, a00); a01 = w1.fma(v, a01);
            v = FloatVector.broadcast(F, x[x1 + c]); a10 = w0.fma(v, a10); a11 = w1.fma(v, a11);
            v = FloatVector.broadcast(F, x[x2 + c]); a20 = w0.fma(v, a20); a21 = w1.fma(v, a21);
            v = FloatVector.broadcast(F, x[x3 + c]); a30 = w0.fma(v, a30); a31 = w1.fma(v, a31);
            v = FloatVector.broadcast(F, x[x4 + c]); a40 = w0.fma(v, a40); a41 = w1.fma(v, a41);
            v = FloatVector.broadcast(F, x[x5 + c]); a50 = w0.fma(v, a50); a51 = w1.fma(v, a51);
            v = FloatVector.broadcast(F, x[x6 + c]); a60 = w0.fma(v, a60); a61 = w1.fma(v, a61);
            v = FloatVector.broadcast(F, x[x7 + c]); a70 = w0.fma(v, a70); a71 = w1.fma(v, a71);
        }
        a00.intoArray(out, oo + 0 * rows); a01.intoArray(out, oo + 0 * rows + L);
        a10.intoArray(out, oo + 1 * rows); a11.intoArray(out, oo + 1 * rows + L);
        a20.intoArray(out, oo + 2 * rows); a21.intoArray(out, oo + 2 * rows + L);
        a30.intoArray(out, oo + 3 * rows); a31.intoArray(out, oo + 3 * rows + L);
        a40.intoArray(out, oo + 4 * rows); a41.intoArray(out, oo + 4 * rows + L);
        a50.intoArray(out, oo + 5 * rows); a51.intoArray(out, oo + 5 * rows + L);
        a60.intoArray(out, oo + 6 * rows); a61.intoArray(out, oo + 6 * rows + L);
        a70.intoArray(out, oo + 7 * rows); a71.intoArray(out, oo + 7 * rows + L);
    }

    /** Four tokens (rows xo, xo + cols, ... of x) times a full panel, into out rows oo, oo + rows, ... */
    private static void kernel4(float[] panel, int kLen, float[] x, int xo, int cols, float[] out, int oo, int rows, boolean add) {
        int x0 = xo + 0 * cols, x1 = xo + 1 * cols, x2 = xo + 2 * cols, x3 = xo + 3 * cols;
        FloatVector a00, a01, a10, a11, a20, a21, a30, a31;
        if (add) {
            a00 = load(out, oo + 0 * rows); a01 = load(out, oo + 0 * rows + L);
            a10 = load(out, oo + 1 * rows); a11 = load(out, oo + 1 * rows + L);
            a20 = load(out, oo + 2 * rows); a21 = load(out, oo + 2 * rows + L);
            a30 = load(out, oo + 3 * rows); a31 = load(out, oo + 3 * rows + L);
        } else {
            a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = FloatVector.zero(F);
        }
        for (int c = 0, po = 0; c < kLen; c++, po += PANEL_ROWS) {
            FloatVector w0 = load(panel, po), w1 = load(panel, po + L), v;
            v = FloatVector.broadcast(F, x[x0 + c]); a00 = w0.fma(v, a00); a01 = w1.fma(v, a01);
            v = FloatVector.broadcast(F, x[x1 + c]); a10 = w0.fma(v, a10); a11 = w1.fma(v, a11);
            v = FloatVector.broadcast(F, x[x2 + c]); a20 = w0.fma(v, a20); a21 = w1.fma(v, a21);
            v = FloatVector.broadcast(F, x[x3 + c]); a30 = w0.fma(v, a30); a31 = w1.fma(v, a31);
        }
        a00.intoArray(out, oo + 0 * rows); a01.intoArray(out, oo + 0 * rows + L);
        a10.intoArray(out, oo + 1 * rows); a11.intoArray(out, oo + 1 * rows + L);
        a20.intoArray(out, oo + 2 * rows); a21.intoArray(out, oo + 2 * rows + L);
        a30.intoArray(out, oo + 3 * rows); a31.intoArray(out, oo + 3 * rows + L);
    }

    /** One token times the panel's first {@code valid} rows (the batch's last tokens, a last partial panel). */
    private static void kernel1(float[] panel, int kLen, float[] x, int xo, float[] out, int oo, int valid, boolean add) {
        VectorMask<Float> m0 = F.indexInRange(0, valid), m1 = F.indexInRange(L, valid);
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        if (add) {
            a0 = FloatVector.fromArray(F, out, oo, m0);
            if (valid > L) a1 = FloatVector.fromArray(F, out, oo + L, m1);
        }
        for (int c = 0, po = 0; c < kLen; c++, po += PANEL_ROWS) {
            FloatVector v = FloatVector.broadcast(F, x[xo + c]);
            a0 = load(panel, po).fma(v, a0);
            a1 = load(panel, po + L).fma(v, a1);
        }
        a0.intoArray(out, oo, m0);
        if (valid > L) a1.intoArray(out, oo + L, m1);
    }

    private static FloatVector load(float[] a, int offset) { return FloatVector.fromArray(F, a, offset); }
}
