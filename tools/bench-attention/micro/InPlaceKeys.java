import java.lang.foreign.*;
import java.nio.ByteOrder;
import jdk.incubator.vector.*;

/**
 * A block's scores (4 query rows x 32 keys x 128 dims, keys stored [dim][key] as F16) three ways, over a 64 MB
 * cache (or 256 kB with `l2`): decoded into floats and then the FMAs (the decode path), converted in registers
 * beside the FMAs by a shift and a mask with the 2^112 folded into the queries (the in-place path), and the same
 * with pairs of halves read as ints. Checks first that the in-place scores equal the decoded ones bit for bit and
 * that the conversion is exact on every finite half. Prints microseconds a block per mode and rep:
 *   java --add-modules jdk.incubator.vector tools/bench-attention/micro/InPlaceKeys.java [l2]
 */
public class InPlaceKeys {
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    static final VectorSpecies<Short> S = ShortVector.SPECIES_128;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    static void decode(MemorySegment seg, long off, float[] out, int n) {
        for (int c = 0; c < n; c++) out[c] = Float.float16ToFloat(seg.get(I16, off + 2L * c));
    }
    static FloatVector f16(MemorySegment seg, long off) {
        IntVector i = (IntVector) ShortVector.fromMemorySegment(S, seg, off, LE).convertShape(VectorOperators.S2I, I, 0);
        return i.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretAsFloats();
    }
    // scores of 32 keys x 4 rows over 128 dims, block [128][32]
    static void scoresArr(float[] blk, float[] q, float[] sc) {
        for (int v = 0; v < 32; v += 16) {
            FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
            for (int d = 0, bk = v; d < 128; d++, bk += 32) {
                FloatVector b0 = FloatVector.fromArray(F, blk, bk), b1 = FloatVector.fromArray(F, blk, bk + 8);
                FloatVector x = FloatVector.broadcast(F, q[d]); c00 = b0.fma(x, c00); c01 = b1.fma(x, c01);
                x = FloatVector.broadcast(F, q[128 + d]); c10 = b0.fma(x, c10); c11 = b1.fma(x, c11);
                x = FloatVector.broadcast(F, q[256 + d]); c20 = b0.fma(x, c20); c21 = b1.fma(x, c21);
                x = FloatVector.broadcast(F, q[384 + d]); c30 = b0.fma(x, c30); c31 = b1.fma(x, c31);
            }
            c00.intoArray(sc, v); c01.intoArray(sc, v + 8); c10.intoArray(sc, 32 + v); c11.intoArray(sc, 40 + v);
            c20.intoArray(sc, 64 + v); c21.intoArray(sc, 72 + v); c30.intoArray(sc, 96 + v); c31.intoArray(sc, 104 + v);
        }
    }
    static void scoresSeg(MemorySegment seg, long off, float[] q, float[] sc) {
        for (int v = 0; v < 32; v += 16) {
            FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
            long bo = off + 2L * v;
            for (int d = 0; d < 128; d++, bo += 64) {
                FloatVector b0 = f16(seg, bo), b1 = f16(seg, bo + 16);
                FloatVector x = FloatVector.broadcast(F, q[d]); c00 = b0.fma(x, c00); c01 = b1.fma(x, c01);
                x = FloatVector.broadcast(F, q[128 + d]); c10 = b0.fma(x, c10); c11 = b1.fma(x, c11);
                x = FloatVector.broadcast(F, q[256 + d]); c20 = b0.fma(x, c20); c21 = b1.fma(x, c21);
                x = FloatVector.broadcast(F, q[384 + d]); c30 = b0.fma(x, c30); c31 = b1.fma(x, c31);
            }
            c00.intoArray(sc, v); c01.intoArray(sc, v + 8); c10.intoArray(sc, 32 + v); c11.intoArray(sc, 40 + v);
            c20.intoArray(sc, 64 + v); c21.intoArray(sc, 72 + v); c30.intoArray(sc, 96 + v); c31.intoArray(sc, 104 + v);
        }
    }
    static void scoresPair(MemorySegment seg, long off, float[] q, float[] sc) {
        for (int v = 0; v < 32; v += 16) {
            FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
            long bo = off + 2L * v;
            for (int d = 0; d < 128; d++, bo += 64) {
                IntVector i = IntVector.fromMemorySegment(I, seg, bo, LE);
                FloatVector b0 = i.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFFFFFF).reinterpretAsFloats();
                FloatVector b1 = i.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats();
                FloatVector x = FloatVector.broadcast(F, q[d]); c00 = b0.fma(x, c00); c01 = b1.fma(x, c01);
                x = FloatVector.broadcast(F, q[128 + d]); c10 = b0.fma(x, c10); c11 = b1.fma(x, c11);
                x = FloatVector.broadcast(F, q[256 + d]); c20 = b0.fma(x, c20); c21 = b1.fma(x, c21);
                x = FloatVector.broadcast(F, q[384 + d]); c30 = b0.fma(x, c30); c31 = b1.fma(x, c31);
            }
            c00.intoArray(sc, v); c01.intoArray(sc, v + 8); c10.intoArray(sc, 32 + v); c11.intoArray(sc, 40 + v);
            c20.intoArray(sc, 64 + v); c21.intoArray(sc, 72 + v); c30.intoArray(sc, 96 + v); c31.intoArray(sc, 104 + v);
        }
    }
    public static void main(String[] a) throws Exception {
        long bytes = 64L << 20; int blk = 8192; // bytes per head-block of keys
        boolean l2 = a.length > 0 && a[0].equals("l2");
        if (l2) bytes = 256 << 10;
        MemorySegment seg = Arena.global().allocate(bytes, 64);
        java.util.Random r = new java.util.Random(1);
        for (long o = 0; o < bytes; o += 2) seg.set(I16, o, Float.floatToFloat16((float) r.nextGaussian()));
        float[] q = new float[512], sc = new float[128], sc2 = new float[128], tmp = new float[4096];
        for (int i = 0; i < 512; i++) q[i] = (float) r.nextGaussian();
        float[] q2 = new float[512]; for (int i = 0; i < 512; i++) q2[i] = q[i] * 0x1p112f;
        // exactness check on a block
        decode(seg, 0, tmp, 4096); scoresArr(tmp, q, sc); scoresSeg(seg, 0, q2, sc2);
        for (int i = 0; i < 128; i++) if (Float.floatToRawIntBits(sc[i]) != Float.floatToRawIntBits(sc2[i])) throw new AssertionError(i + " " + sc[i] + " " + sc2[i]);
        // all halves
        MemorySegment all = Arena.global().allocate(1 << 17, 64);
        for (int h = 0; h < 65536; h++) all.set(I16, 2L * h, (short) h);
        int bad = 0;
        for (int h = 0; h < 65536; h += 8) { FloatVector f = f16(all, 2L * h).mul(0x1p112f); for (int l = 0; l < 8; l++) { float e = Float.float16ToFloat((short) (h + l)); if (Float.isFinite(e) && Float.floatToRawIntBits(e) != Float.floatToRawIntBits(f.lane(l))) bad++; } }
        System.out.println("mismatching finite halves: " + bad);
        float sink = 0;
        for (int rep = 0; rep < 16; rep++) {
            for (int mode = 0; mode < 3; mode++) {
                long t0 = System.nanoTime();
                int passes = l2 ? 256 : 1; long n = 0;
                for (int p = 0; p < passes; p++)
                for (long o = 0; o < bytes; o += blk) {
                    if (mode == 0) { decode(seg, o, tmp, 4096); scoresArr(tmp, q, sc); }
                    else if (mode == 1) scoresSeg(seg, o, q2, sc); else scoresPair(seg, o, q2, sc);
                    sink += sc[5]; n++;
                }
                long t = System.nanoTime() - t0;
                if (rep >= 4) System.out.printf("%s %.3f us/block%n", mode == 0 ? "decode+fma" : mode == 1 ? "fused" : "pair", t / 1e3 / n);
            }
        }
        System.out.println(sink);
    }
}
