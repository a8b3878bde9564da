import java.lang.foreign.*;
import java.util.*;

/**
 * One thread decoding F16 from memory (256 MB, out of every cache) in runs of 8, 16, 64 and 1,024 kB, each run
 * starting 64 kB or more after the last: how the length of a contiguous run sets the read speed (the hardware
 * prefetcher restarts at every jump). Taking turns, median of 30 rounds:
 *   . tools/java-home.sh; java --add-modules jdk.incubator.vector tools/bench-attention/micro/RunLength.java
 */
public class RunLength {
    public static void main(String[] a) {
        long size = 256L << 20;
        MemorySegment seg = Arena.ofAuto().allocate(size, 4096);
        for (long i = 0; i < size; i += 4096) seg.set(ValueLayout.JAVA_BYTE, i, (byte) 1);
        float[] out = new float[4096];
        int[] runKB = {8, 16, 64, 1024};
        double[][] t = new double[runKB.length][30];
        for (int round = 0; round < 36; round++) {
            for (int m0 = 0; m0 < runKB.length; m0++) {
                int m = (m0 + round) % runKB.length;
                long run = runKB[m] * 1024L, stride = Math.max(run, 65536);
                long bytes = 0, t0 = System.nanoTime();
                for (long b = 0; b + stride <= size; b += stride) {
                    for (long o = 0; o < run; o += 8192) {
                        CacheWalk.decode(seg, b + o, out, 4096);
                        bytes += 8192;
                    }
                }
                if (round >= 6) t[m][round - 6] = bytes / (double) (System.nanoTime() - t0);
            }
        }
        for (int m = 0; m < runKB.length; m++) {
            Arrays.sort(t[m]);
            System.out.printf("runs of %4d kB: %.1f GB/s of F16 decoded, one thread (median of 30)%n", runKB[m], t[m][15]);
        }
    }
}
