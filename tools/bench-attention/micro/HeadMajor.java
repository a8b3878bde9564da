import java.lang.foreign.*;
import java.util.*;
/**
 * Does a layout with each head's keys and values in long contiguous streams read faster than today's cache blocks
 * (64 kB of 32 tokens, each head's keys then values, 16 kB) once the FMAs sit between the reads? One thread walks
 * 256 MB head by head, block by block, decoding 8 kB of keys, their FMAs, 8 kB of values, their FMAs; the two
 * layouts take turns, median of 30 rounds, microseconds a block:
 *   . tools/java-home.sh; java --add-modules jdk.incubator.vector tools/bench-attention/micro/HeadMajor.java
 */
public class HeadMajor {
    public static void main(String[] x) {
        long SEG = 256L << 20; MemorySegment seg = Arena.ofAuto().allocate(SEG, 4096);
        for (long i = 0; i < SEG; i += 64) seg.set(ValueLayout.JAVA_BYTE, i, (byte) 1);
        float[] out = new float[4096];
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
                        CacheWalk.decode(seg, k, out, 4096); sink += CacheWalk.fmas(out); sink += CacheWalk.fmas(out);
                        CacheWalk.decode(seg, v, out, 4096); sink += CacheWalk.fmas(out); sink += CacheWalk.fmas(out);
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
