import java.util.*;
import jdk.incubator.vector.*;
/**
 * Turning a block of 32 decoded token-major keys (Q8_0's layout, [key, 128 dims]) into decode attention's [dim, key]
 * scratch, three ways, taking turns (median of 40 rounds, one thread, all in L1): today's scalar scatter
 * (KvCacheState.decodeKeys), Vector API gathers of 8 keys' element d, and a scalar loop over d first:
 *   . tools/java-home.sh; java --add-modules jdk.incubator.vector tools/bench-attention/micro/KeyTranspose.java
 */
public class KeyTranspose {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length(), HD = 128, BLOCK = 32;
    // rows [32][128] -> keysT [128][32]
    static void scatter(float[] rows, float[] keysT) {
        for (int t = 0; t < BLOCK; t++) for (int d = 0; d < HD; d++) keysT[d * BLOCK + t] = rows[t * HD + d];
    }
    static final int[] IDX = new int[L];
    static { for (int i = 0; i < L; i++) IDX[i] = i * HD; }
    static void gather(float[] rows, float[] keysT) {
        for (int d = 0; d < HD; d++) for (int t = 0; t < BLOCK; t += L) FloatVector.fromArray(F, rows, t * HD + d, IDX, 0).intoArray(keysT, d * BLOCK + t);
    }
    static void readT(float[] rows, float[] keysT) { // d-outer: strided loads, contiguous stores
        for (int d = 0; d < HD; d++) for (int t = 0; t < BLOCK; t++) keysT[d * BLOCK + t] = rows[t * HD + d];
    }
    public static void main(String[] a) {
        float[] rows = new float[BLOCK * HD], t1 = new float[BLOCK * HD], t2 = new float[BLOCK * HD];
        Random r = new Random(1); for (int i = 0; i < rows.length; i++) rows[i] = r.nextFloat();
        scatter(rows, t1); gather(rows, t2); System.out.println("equal " + Arrays.equals(t1, t2));
        String[] n = {"scatter (today)", "gather", "d-outer scalar"};
        double[][] t = new double[3][40];
        for (int round = 0; round < 50; round++) for (int m0 = 0; m0 < 3; m0++) {
            int m = (m0 + round) % 3; long t0 = System.nanoTime();
            for (int rep = 0; rep < 2000; rep++) { if (m == 0) scatter(rows, t1); else if (m == 1) gather(rows, t1); else readT(rows, t1); }
            if (round >= 10) t[m][round - 10] = (System.nanoTime() - t0) / 2000.0;
        }
        for (int m = 0; m < 3; m++) { Arrays.sort(t[m]); System.out.printf("%-16s %.0f ns a block of 32 keys x 128 (median of 40)%n", n[m], t[m][20]); }
    }
}
