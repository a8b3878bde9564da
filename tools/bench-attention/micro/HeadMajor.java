import java.lang.foreign.*;
import java.nio.ByteOrder;
import java.util.*;
import jdk.incubator.vector.*;
/**
 * Does a layout with each head's keys and values in long contiguous streams read faster than today's cache blocks
 * (64 kB of 32 tokens, each head's keys then values, 16 kB) once the FMAs sit between the reads? One thread walks
 * 256 MB head by head, block by block, decoding 8 kB of keys, their FMAs, 8 kB of values, their FMAs; the two
 * layouts take turns, median of 30 rounds, microseconds a block:
 *   . tools/java-home.sh; java --add-modules jdk.incubator.vector tools/bench-attention/micro/HeadMajor.java
 */
public class HeadMajor {
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static void one(MemorySegment seg, long off, float[] out, int n) { for (int c = 0; c < n; c++) out[c] = Float.float16ToFloat(seg.get(I16, off + 2L * c)); }
    // ~ the FMAs a block's keys get: 4 rows x 32 keys x 128 dims = 16 K FMAs, from L1
    static float work(float[] a, float[] acc) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        FloatVector w0 = FloatVector.broadcast(F, 1.0001f), w1 = FloatVector.broadcast(F, 0.9999f), w2 = FloatVector.broadcast(F, 1.001f), w3 = FloatVector.broadcast(F, 0.999f);
        for (int i = 0; i < a.length; i += 2 * F.length()) {
            FloatVector x0 = FloatVector.fromArray(F, a, i), x1 = FloatVector.fromArray(F, a, i + F.length());
            s0 = x0.fma(w0, s0); s1 = x1.fma(w0, s1); s2 = x0.fma(w1, s2); s3 = x1.fma(w1, s3);
            s4 = x0.fma(w2, s4); s5 = x1.fma(w2, s5); s6 = x0.fma(w3, s6); s7 = x1.fma(w3, s7);
        }
        return s0.add(s1).add(s2).add(s3).add(s4).add(s5).add(s6).add(s7).reduceLanes(VectorOperators.ADD);
    }
    static long touch(MemorySegment seg, long off, int bytes, int linesPerPage) {
        long s = 0;
        for (long p = 0; p < bytes; p += 4096) for (int l = 0; l < linesPerPage; l++) s += seg.get(ValueLayout.JAVA_BYTE, off + p + 64L * l);
        return s;
    }
    public static void main(String[] x) {
        long SEG = 256L << 20; MemorySegment seg = Arena.ofAuto().allocate(SEG, 4096);
        for (long i = 0; i < SEG; i += 64) seg.set(ValueLayout.JAVA_BYTE, i, (byte) 1);
        float[] out = new float[4096], acc = new float[64];
        double[][] t = new double[2][30]; float sink = 0;
        int blocks = (int) (SEG / 65536);
        for (int round = 0; round < 36; round++) {
            for (int m0 = 0; m0 < 2; m0++) {
                int m = (m0 + round) % 2;
                long t0 = System.nanoTime();
                for (int h = 0; h < 4; h++) {
                    for (int b = 0; b < blocks; b++) {
                        long k, v;
                        if (m == 0) { k = b * 65536L + h * 16384L; v = k + 8192; }
                        else { long base = h * (SEG / 4); k = base + b * 8192L; v = base + SEG / 8 + b * 8192L; }
                        one(seg, k, out, 4096); sink += work(out, acc); sink += work(out, acc);
                        one(seg, v, out, 4096); sink += work(out, acc); sink += work(out, acc);
                    }
                }
                if (round >= 6) t[m][round - 6] = (System.nanoTime() - t0) / 1e3 / (4.0 * blocks);
            }
        }
        String[] names = {"blocks of 64 kB, a head's K 8 kB then V 8 kB (today)", "head-major: a head's K and V each one stream"};
        for (int m = 0; m < 2; m++) { Arrays.sort(t[m]); System.out.printf("%-56s %.3f us a block (median of 30)%n", names[m], t[m][15]); }
        if (sink == 42) System.out.println();
    }
}
