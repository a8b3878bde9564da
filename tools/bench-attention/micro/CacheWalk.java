import java.lang.foreign.*;
import java.nio.ByteOrder;
import jdk.incubator.vector.*;

/**
 * What the micro benchmarks here do to each run of a cache they walk, as decode attention does: decode its halves
 * into floats (F16Format.decode's loop) and then the FMAs a block's keys get. Used by TouchAhead, HeadMajor and
 * RunLength, which the source launcher compiles with it (java FILE.java finds this class beside them).
 */
final class CacheWalk {
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private CacheWalk() {}

    /** n halves from byte off of seg into out[0 ..]. */
    static void decode(MemorySegment seg, long off, float[] out, int n) {
        for (int c = 0; c < n; c++) out[c] = Float.float16ToFloat(seg.get(I16, off + 2L * c));
    }

    /** About the FMAs of a block's keys (4 rows x 32 keys x 128 dims = 16 K FMAs at 4,096 floats), from L1. */
    static float fmas(float[] a) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        FloatVector w0 = FloatVector.broadcast(F, 1.0001f), w1 = FloatVector.broadcast(F, 0.9999f), w2 = FloatVector.broadcast(F, 1.001f), w3 = FloatVector.broadcast(F, 0.999f);
        for (int i = 0; i < a.length; i += 2 * F.length()) {
            FloatVector x0 = FloatVector.fromArray(F, a, i), x1 = FloatVector.fromArray(F, a, i + F.length());
            s0 = x0.fma(w0, s0); s1 = x1.fma(w0, s1); s2 = x0.fma(w1, s2); s3 = x1.fma(w1, s3);
            s4 = x0.fma(w2, s4); s5 = x1.fma(w2, s5); s6 = x0.fma(w3, s6); s7 = x1.fma(w3, s7);
        }
        return s0.add(s1).add(s2).add(s3).add(s4).add(s5).add(s6).add(s7).reduceLanes(VectorOperators.ADD);
    }
}
