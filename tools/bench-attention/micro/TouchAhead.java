import java.lang.foreign.*;
import java.util.*;
/**
 * Can loads of a few lines of the next cache block, issued before the current block's work, make the hardware
 * prefetcher bring the rest of it in while the FMAs run (Java has no prefetch instruction)? One thread walks 256 MB
 * in blocks of 64 kB as decode attention walks its cache (a head's 8 kB of keys, its FMAs, its 8 kB of values,
 * their FMAs), touching 0, 1, 2, 3 or all 64 lines of each 4 kB page of the next block's 16 kB first. Taking
 * turns, median of 30 rounds, microseconds a block (with the argument l2, the same walk over 256 kB again and again,
 * which stays in the L2 cache):
 *   . tools/java-home.sh; java --add-modules jdk.incubator.vector tools/bench-attention/micro/TouchAhead.java [l2]
 */
public class TouchAhead {
    static long touch(MemorySegment seg, long off, int bytes, int linesPerPage) {
        long s = 0;
        for (long p = 0; p < bytes; p += 4096) for (int l = 0; l < linesPerPage; l++) s += seg.get(ValueLayout.JAVA_BYTE, off + p + 64L * l);
        return s;
    }
    public static void main(String[] x) {
        long SEG = x.length > 0 && x[0].equals("l2") ? 256L << 10 : 256L << 20; int passes = (int) ((256L << 20) / SEG); MemorySegment seg = Arena.ofAuto().allocate(SEG, 4096);
        for (long i = 0; i < SEG; i += 64) seg.set(ValueLayout.JAVA_BYTE, i, (byte) 1);
        float[] out = new float[4096];
        int[] touches = {0, 1, 2, 3, 64};
        double[][] t = new double[touches.length][30]; float sink = 0; long ts = 0;
        for (int round = 0; round < 36; round++) {
            for (int m0 = 0; m0 < touches.length; m0++) {
                int m = (m0 + round) % touches.length, lines = touches[m];
                long t0 = System.nanoTime(); int blocks = 0;
                for (int pass = 0; pass < passes; pass++) for (long b = 0; b + 2 * 65536 <= SEG; b += 65536) {
                    long next = b + 65536;
                    if (lines > 0) ts += touch(seg, next, 16384, lines); // next block's K and V pages, before this block's work
                    CacheWalk.decode(seg, b, out, 4096); sink += CacheWalk.fmas(out); sink += CacheWalk.fmas(out);
                    CacheWalk.decode(seg, b + 8192, out, 4096); sink += CacheWalk.fmas(out); sink += CacheWalk.fmas(out);
                    blocks++;
                }
                if (round >= 6) t[m][round - 6] = (System.nanoTime() - t0) / 1e3 / blocks;
            }
        }
        for (int m = 0; m < touches.length; m++) { Arrays.sort(t[m]); System.out.printf("touch %2d lines a page of the next block first: %.3f us a block (median of 30)%n", touches[m], t[m][15]); }
        if (sink == 42 || ts == 42) System.out.println();
    }
}
