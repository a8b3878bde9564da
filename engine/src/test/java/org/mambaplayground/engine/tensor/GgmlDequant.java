package org.mambaplayground.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The k-quant super-blocks decoded as ggml's reference loops do (dequantize_row_q4_K, _q5_K, _q6_K in
 * ggml-quants.c: walking the block with moving byte offsets), written apart from the engine's formats so the
 * kernel tests compare against a second reading of the layout.
 */
final class GgmlDequant {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private GgmlDequant() {}

    private static int u8(MemorySegment b, long o) { return b.get(ValueLayout.JAVA_BYTE, o) & 0xFF; }

    private static float half(MemorySegment b, long o) { return Float.float16ToFloat(b.get(I16, o)); }

    /** get_scale_min_k4: {scale, min} of sub-block j from the 12 bytes at q. */
    private static int[] scaleMin(int j, MemorySegment b, long q) {
        if (j < 4) return new int[] {u8(b, q + j) & 63, u8(b, q + j + 4) & 63};
        return new int[] {(u8(b, q + j + 4) & 0xF) | ((u8(b, q + j - 4) >> 6) << 4), (u8(b, q + j + 4) >> 4) | ((u8(b, q + j) >> 6) << 4)};
    }

    static float[] q4K(MemorySegment b) {
        float[] y = new float[256];
        float d = half(b, 0), min = half(b, 2);
        long q = 16;
        int is = 0, yi = 0;
        for (int j = 0; j < 256; j += 64) {
            int[] sm = scaleMin(is, b, 4);
            float d1 = d * sm[0], m1 = min * sm[1];
            sm = scaleMin(is + 1, b, 4);
            float d2 = d * sm[0], m2 = min * sm[1];
            for (int l = 0; l < 32; ++l) y[yi++] = d1 * (u8(b, q + l) & 0xF) - m1;
            for (int l = 0; l < 32; ++l) y[yi++] = d2 * (u8(b, q + l) >> 4) - m2;
            q += 32;
            is += 2;
        }
        return y;
    }

    static float[] q5K(MemorySegment b) {
        float[] y = new float[256];
        float d = half(b, 0), min = half(b, 2);
        long ql = 48, qh = 16;
        int is = 0, yi = 0, u1 = 1, u2 = 2;
        for (int j = 0; j < 256; j += 64) {
            int[] sm = scaleMin(is, b, 4);
            float d1 = d * sm[0], m1 = min * sm[1];
            sm = scaleMin(is + 1, b, 4);
            float d2 = d * sm[0], m2 = min * sm[1];
            for (int l = 0; l < 32; ++l) y[yi++] = d1 * ((u8(b, ql + l) & 0xF) + ((u8(b, qh + l) & u1) != 0 ? 16 : 0)) - m1;
            for (int l = 0; l < 32; ++l) y[yi++] = d2 * ((u8(b, ql + l) >> 4) + ((u8(b, qh + l) & u2) != 0 ? 16 : 0)) - m2;
            ql += 32;
            is += 2;
            u1 <<= 2;
            u2 <<= 2;
        }
        return y;
    }

    static float[] q6K(MemorySegment b) {
        float[] y = new float[256];
        float d = half(b, 208);
        long ql = 0, qh = 128, sc = 192;
        int yi = 0;
        for (int n = 0; n < 256; n += 128) {
            for (int l = 0; l < 32; ++l) {
                int is = l / 16;
                int q1 = ((u8(b, ql + l) & 0xF) | (((u8(b, qh + l) >> 0) & 3) << 4)) - 32;
                int q2 = ((u8(b, ql + l + 32) & 0xF) | (((u8(b, qh + l) >> 2) & 3) << 4)) - 32;
                int q3 = ((u8(b, ql + l) >> 4) | (((u8(b, qh + l) >> 4) & 3) << 4)) - 32;
                int q4 = ((u8(b, ql + l + 32) >> 4) | (((u8(b, qh + l) >> 6) & 3) << 4)) - 32;
                y[yi + l] = d * b.get(ValueLayout.JAVA_BYTE, sc + is) * q1;
                y[yi + l + 32] = d * b.get(ValueLayout.JAVA_BYTE, sc + is + 2) * q2;
                y[yi + l + 64] = d * b.get(ValueLayout.JAVA_BYTE, sc + is + 4) * q3;
                y[yi + l + 96] = d * b.get(ValueLayout.JAVA_BYTE, sc + is + 6) * q4;
            }
            yi += 128;
            ql += 64;
            qh += 32;
            sc += 8;
        }
        return y;
    }
}
