import java.lang.foreign.*;
import java.nio.ByteOrder;
import jdk.incubator.vector.*;

/**
 * The in-place weighing of a block's values (4 rows x 32 keys x 128 dims, F16) over a 64 MB cache, with the values
 * token-major ([key][dim]: short strided sweeps) or in chunks of 16 dimensions ([chunk][key][16]: in order).
 * Prints microseconds a block per layout and rep:
 *   java --add-modules jdk.incubator.vector tools/bench-attention/micro/ValueChunks.java
 */
public class ValueChunks {
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    static final VectorSpecies<Short> S = ShortVector.SPECIES_128;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static FloatVector f16(MemorySegment seg, long off) {
        IntVector i = (IntVector) ShortVector.fromMemorySegment(S, seg, off, LE).convertShape(VectorOperators.S2I, I, 0);
        return i.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretAsFloats();
    }
    // rowBytes: distance between keys j; chunkBytes: distance between d-chunks of 16
    static void weigh(MemorySegment seg, long offset, long rowBytes, long chunkBytes, float[] w, float[] acc) {
        for (int c = 0; c < 8; c++) {
            int d = c * 16;
            FloatVector a00 = FloatVector.fromArray(F, acc, d), a01 = FloatVector.fromArray(F, acc, d + 8), a10 = FloatVector.fromArray(F, acc, 128 + d), a11 = FloatVector.fromArray(F, acc, 136 + d);
            FloatVector a20 = FloatVector.fromArray(F, acc, 256 + d), a21 = FloatVector.fromArray(F, acc, 264 + d), a30 = FloatVector.fromArray(F, acc, 384 + d), a31 = FloatVector.fromArray(F, acc, 392 + d);
            long o = offset + c * chunkBytes;
            for (int j = 0; j < 32; j++, o += rowBytes) {
                FloatVector x0 = f16(seg, o), x1 = f16(seg, o + 16), p;
                p = FloatVector.broadcast(F, w[j]); a00 = x0.fma(p, a00); a01 = x1.fma(p, a01);
                p = FloatVector.broadcast(F, w[32 + j]); a10 = x0.fma(p, a10); a11 = x1.fma(p, a11);
                p = FloatVector.broadcast(F, w[64 + j]); a20 = x0.fma(p, a20); a21 = x1.fma(p, a21);
                p = FloatVector.broadcast(F, w[96 + j]); a30 = x0.fma(p, a30); a31 = x1.fma(p, a31);
            }
            a00.intoArray(acc, d); a01.intoArray(acc, d + 8); a10.intoArray(acc, 128 + d); a11.intoArray(acc, 136 + d);
            a20.intoArray(acc, 256 + d); a21.intoArray(acc, 264 + d); a30.intoArray(acc, 384 + d); a31.intoArray(acc, 392 + d);
        }
    }
    public static void main(String[] a) {
        long bytes = 64L << 20; int blk = 8192;
        MemorySegment seg = Arena.global().allocate(bytes, 64);
        java.util.Random r = new java.util.Random(1);
        for (long o = 0; o < bytes; o += 2) seg.set(I16, o, Float.floatToFloat16((float) r.nextGaussian() * 0.01f));
        float[] w = new float[128], acc = new float[512];
        for (int i = 0; i < 128; i++) w[i] = r.nextFloat() * 0.01f;
        float sink = 0;
        for (int rep = 0; rep < 24; rep++) for (int mode = 0; mode < 2; mode++) {
            long t0 = System.nanoTime(); long n = 0;
            for (long o = 0; o < bytes; o += blk) {
                if (mode == 0) weigh(seg, o, 256, 32, w, acc); else weigh(seg, o, 32, 1024, w, acc);
                n++;
            }
            sink += acc[7];
            long t = System.nanoTime() - t0;
            if (rep >= 4) System.out.printf("%s %.3f%n", mode == 0 ? "token-major" : "chunk-major", t / 1e3 / n);
        }
        System.out.println(sink);
    }
}
