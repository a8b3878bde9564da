package org.mambaplayground.engine.tensor;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * Prefill's matrix-matrix product out[t, r] = sum_c w[r, c] * x[t, c] for many tokens, in the blocked form of
 * BLAS libraries: a panel of {@link #ROW_VECTORS} vectors of weight rows by {@link #K_BLOCK} columns is decoded
 * once from the stored format (any format: through its own row decoder) into floats, transposed so that one
 * column's weights for all panel rows are contiguous, and reused from cache for every token of the batch. The
 * micro-kernel keeps an 8-token by panel-rows tile of sums in registers and adds a broadcast activation times a
 * panel column per step: no horizontal sums, one weight load per {@code 8} multiply-adds, the output stored as
 * vectors. Rows are split over {@link Parallel}'s threads by panel.
 */
final class PanelMatmul {
    private static final VectorSpecies<Float> F = VectorKernels.F;
    private static final int L = F.length();
    /** Float vectors of rows in a panel: 3 x 8 accumulators plus 3 weights and a broadcast fit 32 registers. */
    static final int ROW_VECTORS = 3;
    /** Weight rows per panel. */
    static final int PANEL_ROWS = ROW_VECTORS * L;
    /** Columns per panel: a multiple of every block size (256); the panel (48 x 256 floats) stays in L1/L2. */
    static final int K_BLOCK = 256;
    /** Panels decoded together (48 x 256 floats each): about 300 KB, within L2. */
    private static final int GROUP_PANELS = 6;
    /** Tokens of the widest micro-kernel. */
    private static final int TOKENS = 8;

    private PanelMatmul() {}

    /**
     * Tokens from which the panel is worth its decoding and transposing (about 1 ns a weight, paid once): below
     * it, the 2 x 4 tile that decodes each weight once per 4 tokens is as fast (measured on 2048 x 2048 BF16).
     */
    static final int MIN_TOKENS = 192;

    static boolean worthIt(int n) { return n >= MIN_TOKENS; }

    static void matmul(Tensor w, float[] x, float[] out, int n, int rows, int cols) {
        MemorySegment seg = w.data();
        WeightFormat format = w.format();
        long rowBytes = w.rowBytes();
        int panels = (rows + PANEL_ROWS - 1) / PANEL_ROWS;
        Parallel.forRange(panels, 1, (first, end) -> {
            float[][] group = new float[GROUP_PANELS][K_BLOCK * PANEL_ROWS];
            float[] row = new float[K_BLOCK], xTile = new float[K_BLOCK * TOKENS], tile = new float[TOKENS * PANEL_ROWS];
            for (int g0 = first; g0 < end; g0 += GROUP_PANELS) {
                int count = Math.min(GROUP_PANELS, end - g0);
                for (int k0 = 0; k0 < cols; k0 += K_BLOCK) {
                    int kLen = Math.min(K_BLOCK, cols - k0);
                    for (int p = 0; p < count; p++) {
                        int r0 = (g0 + p) * PANEL_ROWS;
                        pack(seg, format, rowBytes, r0, Math.min(PANEL_ROWS, rows - r0), k0, kLen, group[p], row);
                    }
                    boolean add = k0 > 0;
                    // Tokens outside, panels inside: one block of activations stays in L1 while the group's
                    // panels come from L2.
                    for (int t = 0; t < n; t += TOKENS) {
                        int tokens = Math.min(TOKENS, n - t);
                        if (tokens == TOKENS) packTokens(x, t * cols + k0, cols, kLen, xTile);
                        for (int p = 0; p < count; p++) {
                            int r0 = (g0 + p) * PANEL_ROWS, valid = Math.min(PANEL_ROWS, rows - r0);
                            if (tokens == TOKENS && valid == PANEL_ROWS) {
                                kernel8(group[p], kLen, xTile, out, t * rows + r0, rows, add);
                            } else if (tokens == TOKENS) {
                                // A last, partial panel (its missing rows are zeros): through a full tile.
                                if (add) copyTile(out, t * rows + r0, rows, tile, 0, PANEL_ROWS, valid);
                                kernel8(group[p], kLen, xTile, tile, 0, PANEL_ROWS, add);
                                copyTile(tile, 0, PANEL_ROWS, out, t * rows + r0, rows, valid);
                            } else {
                                for (int u = t; u < t + tokens; u++) kernel1(group[p], kLen, x, u * cols + k0, out, u * rows + r0, valid, add);
                            }
                        }
                    }
                }
            }
        });
    }

    /** Decodes rows r0 .. r0 + valid - 1, columns k0 .. k0 + kLen - 1, into panel[c * PANEL_ROWS + row]; missing rows are 0. */
    private static void pack(MemorySegment seg, WeightFormat format, long rowBytes, int r0, int valid, int k0, int kLen,
                             float[] panel, float[] row) {
        long colBytes = format.bytes(k0);
        for (int rr = 0; rr < PANEL_ROWS; rr++) {
            if (rr < valid) {
                format.decode(seg, (r0 + rr) * rowBytes + colBytes, row, 0, kLen);
                for (int c = 0; c < kLen; c++) panel[c * PANEL_ROWS + rr] = row[c];
            } else {
                for (int c = 0; c < kLen; c++) panel[c * PANEL_ROWS + rr] = 0f;
            }
        }
    }

    /** Eight tokens' {@code valid} sums from one row-major tile to another. */
    private static void copyTile(float[] from, int fo, int fromStride, float[] to, int to0, int toStride, int valid) {
        for (int u = 0; u < TOKENS; u++) System.arraycopy(from, fo + u * fromStride, to, to0 + u * toStride, valid);
    }

    /** Eight tokens' activations, columns k0 .. k0 + kLen - 1, interleaved: xTile[c * 8 + token], one cache line a column. */
    private static void packTokens(float[] x, int xo, int cols, int kLen, float[] xTile) {
        for (int u = 0; u < TOKENS; u++) {
            int from = xo + u * cols;
            for (int c = 0; c < kLen; c++) xTile[c * TOKENS + u] = x[from + c];
        }
    }

    /** Eight tokens (interleaved in xTile) times a full panel, into out rows oo, oo + rows, ... */
    private static void kernel8(float[] panel, int kLen, float[] x, float[] out, int oo, int rows, boolean add) {
        FloatVector a00, a01, a02, a10, a11, a12, a20, a21, a22, a30, a31, a32;
        FloatVector a40, a41, a42, a50, a51, a52, a60, a61, a62, a70, a71, a72;
        if (add) {
            a00 = load(out, oo); a01 = load(out, oo + L); a02 = load(out, oo + 2 * L);
            a10 = load(out, oo + rows); a11 = load(out, oo + rows + L); a12 = load(out, oo + rows + 2 * L);
            a20 = load(out, oo + 2 * rows); a21 = load(out, oo + 2 * rows + L); a22 = load(out, oo + 2 * rows + 2 * L);
            a30 = load(out, oo + 3 * rows); a31 = load(out, oo + 3 * rows + L); a32 = load(out, oo + 3 * rows + 2 * L);
            a40 = load(out, oo + 4 * rows); a41 = load(out, oo + 4 * rows + L); a42 = load(out, oo + 4 * rows + 2 * L);
            a50 = load(out, oo + 5 * rows); a51 = load(out, oo + 5 * rows + L); a52 = load(out, oo + 5 * rows + 2 * L);
            a60 = load(out, oo + 6 * rows); a61 = load(out, oo + 6 * rows + L); a62 = load(out, oo + 6 * rows + 2 * L);
            a70 = load(out, oo + 7 * rows); a71 = load(out, oo + 7 * rows + L); a72 = load(out, oo + 7 * rows + 2 * L);
        } else {
            a00 = a01 = a02 = a10 = a11 = a12 = a20 = a21 = a22 = a30 = a31 = a32 = FloatVector.zero(F);
            a40 = a41 = a42 = a50 = a51 = a52 = a60 = a61 = a62 = a70 = a71 = a72 = a00;
        }
        for (int c = 0, po = 0, xo = 0; c < kLen; c++, po += PANEL_ROWS, xo += TOKENS) {
            FloatVector w0 = load(panel, po), w1 = load(panel, po + L), w2 = load(panel, po + 2 * L);
            FloatVector v = FloatVector.broadcast(F, x[xo + 0]);
            a00 = w0.fma(v, a00); a01 = w1.fma(v, a01); a02 = w2.fma(v, a02);
            v = FloatVector.broadcast(F, x[xo + 1]);
            a10 = w0.fma(v, a10); a11 = w1.fma(v, a11); a12 = w2.fma(v, a12);
            v = FloatVector.broadcast(F, x[xo + 2]);
            a20 = w0.fma(v, a20); a21 = w1.fma(v, a21); a22 = w2.fma(v, a22);
            v = FloatVector.broadcast(F, x[xo + 3]);
            a30 = w0.fma(v, a30); a31 = w1.fma(v, a31); a32 = w2.fma(v, a32);
            v = FloatVector.broadcast(F, x[xo + 4]);
            a40 = w0.fma(v, a40); a41 = w1.fma(v, a41); a42 = w2.fma(v, a42);
            v = FloatVector.broadcast(F, x[xo + 5]);
            a50 = w0.fma(v, a50); a51 = w1.fma(v, a51); a52 = w2.fma(v, a52);
            v = FloatVector.broadcast(F, x[xo + 6]);
            a60 = w0.fma(v, a60); a61 = w1.fma(v, a61); a62 = w2.fma(v, a62);
            v = FloatVector.broadcast(F, x[xo + 7]);
            a70 = w0.fma(v, a70); a71 = w1.fma(v, a71); a72 = w2.fma(v, a72);
        }
        a00.intoArray(out, oo); a01.intoArray(out, oo + L); a02.intoArray(out, oo + 2 * L);
        a10.intoArray(out, oo + rows); a11.intoArray(out, oo + rows + L); a12.intoArray(out, oo + rows + 2 * L);
        a20.intoArray(out, oo + 2 * rows); a21.intoArray(out, oo + 2 * rows + L); a22.intoArray(out, oo + 2 * rows + 2 * L);
        a30.intoArray(out, oo + 3 * rows); a31.intoArray(out, oo + 3 * rows + L); a32.intoArray(out, oo + 3 * rows + 2 * L);
        a40.intoArray(out, oo + 4 * rows); a41.intoArray(out, oo + 4 * rows + L); a42.intoArray(out, oo + 4 * rows + 2 * L);
        a50.intoArray(out, oo + 5 * rows); a51.intoArray(out, oo + 5 * rows + L); a52.intoArray(out, oo + 5 * rows + 2 * L);
        a60.intoArray(out, oo + 6 * rows); a61.intoArray(out, oo + 6 * rows + L); a62.intoArray(out, oo + 6 * rows + 2 * L);
        a70.intoArray(out, oo + 7 * rows); a71.intoArray(out, oo + 7 * rows + L); a72.intoArray(out, oo + 7 * rows + 2 * L);
    }

    /** One token times the panel's first {@code valid} rows (the batch's last tokens, a last partial panel). */
    private static void kernel1(float[] panel, int kLen, float[] x, int xo, float[] out, int oo, int valid, boolean add) {
        VectorMask<Float> m0 = F.indexInRange(0, valid), m1 = F.indexInRange(L, valid), m2 = F.indexInRange(2 * L, valid);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0;
        if (add) {
            a0 = FloatVector.fromArray(F, out, oo, m0);
            if (valid > L) a1 = FloatVector.fromArray(F, out, oo + L, m1);
            if (valid > 2 * L) a2 = FloatVector.fromArray(F, out, oo + 2 * L, m2);
        }
        for (int c = 0, po = 0; c < kLen; c++, po += PANEL_ROWS) {
            FloatVector v = FloatVector.broadcast(F, x[xo + c]);
            a0 = load(panel, po).fma(v, a0);
            a1 = load(panel, po + L).fma(v, a1);
            a2 = load(panel, po + 2 * L).fma(v, a2);
        }
        a0.intoArray(out, oo, m0);
        if (valid > L) a1.intoArray(out, oo + L, m1);
        if (valid > 2 * L) a2.intoArray(out, oo + 2 * L, m2);
    }

    private static FloatVector load(float[] a, int offset) { return FloatVector.fromArray(F, a, offset); }
}
