import java.lang.foreign.*;
import java.nio.ByteOrder;
import java.util.*;
import jdk.incubator.vector.*;

/**
 * How fast one thread turns half-precision values into floats, three ways, taking turns (median of 60 rounds):
 * "auto" is F16Format.decode's plain loop (C2 vectorises Float.float16ToFloat into the CPU's conversion), "bf16"
 * the BF16 Vector API decode for comparison (a shift), "bits" an exact F16 decode from Vector API bit arithmetic
 * (checked against Float.float16ToFloat on all 65,536 halves first). The source is either 128 kB (in the L2
 * cache) or 64 MB read as decode attention reads a cache (8 kB runs, scattered over 64 kB blocks):
 *   . tools/java-home.sh; java --add-modules jdk.incubator.vector tools/bench-attention/micro/F16Decode.java l2|dram
 */
public class F16Decode {
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    static final int L = F.length();
    static final FloatVector REBIAS = FloatVector.broadcast(F, 0x1p112f);

    static void auto(MemorySegment seg, long off, float[] out, int o, int n) {
        for (int c = 0; c < n; c++) out[o + c] = Float.float16ToFloat(seg.get(I16, off + 2L * c));
    }

    static void bf16(MemorySegment seg, long off, float[] out, int o, int n) {
        for (int c = 0; c < n; c += L) {
            ((IntVector) ShortVector.fromMemorySegment(S, seg, off + 2L * c, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(out, o + c);
        }
    }

    static void bits(MemorySegment seg, long off, float[] out, int o, int n) {
        for (int c = 0; c < n; c += L) {
            IntVector x = (IntVector) ShortVector.fromMemorySegment(S, seg, off + 2L * c, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.S2I, I, 0);
            IntVector magnitude = x.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
            VectorMask<Integer> infOrNaN = magnitude.compare(VectorOperators.GE, 0x0F800000);
            IntVector b = magnitude.reinterpretAsFloats().mul(REBIAS).reinterpretAsInts();
            if (infOrNaN.anyTrue()) b = b.blend(magnitude.or(0x7F800000), infOrNaN);
            b.or(x.and(0x80000000)).reinterpretAsFloats().intoArray(out, o + c);
        }
    }

    public static void main(String[] a) {
        boolean dram = a.length > 0 && a[0].equals("dram");
        long bytes = dram ? 64L << 20 : 128L << 10;
        int run = 4096; // halves: 8 kB, one head's keys of a cache block
        MemorySegment all = Arena.ofAuto().allocate(2L * 65536, 64);
        for (int i = 0; i < 65536; i++) all.set(I16, 2L * i, (short) i);
        float[] ref = new float[65536], got = new float[65536];
        auto(all, 0, ref, 0, 65536);
        bits(all, 0, got, 0, 65536);
        int bad = 0;
        for (int i = 0; i < 65536; i++) {
            if (Float.floatToRawIntBits(ref[i]) != Float.floatToRawIntBits(got[i]) && !(Float.isNaN(ref[i]) && Float.isNaN(got[i]))) bad++;
        }
        System.out.println("bits differs from Float.float16ToFloat on " + bad + " of 65536 halves");
        MemorySegment seg = Arena.ofAuto().allocate(bytes, 64);
        Random r = new Random(1);
        for (long i = 0; i < bytes / 2; i++) seg.set(I16, 2L * i, Float.floatToFloat16((float) r.nextGaussian()));
        float[] out = new float[run];
        String[] names = {"auto", "bf16", "bits"};
        double[][] t = new double[3][60];
        int passes = dram ? 1 : 400;
        for (int round = 0; round < 80; round++) {
            for (int m0 = 0; m0 < 3; m0++) {
                int m = (m0 + round) % 3;
                long t0 = System.nanoTime();
                for (int p = 0; p < passes; p++) {
                    for (long block = 0; block < bytes; block += 8L * 2 * run) {
                        for (int h = 0; h < 8; h++) { // the 8 runs of a 64 kB block in a scattered order
                            long o = block + (long) (h * 5 % 8) * 2 * run;
                            if (m == 0) auto(seg, o, out, 0, run); else if (m == 1) bf16(seg, o, out, 0, run); else bits(seg, o, out, 0, run);
                        }
                    }
                }
                if (round >= 20) t[m][round - 20] = (System.nanoTime() - t0) / ((double) passes * bytes / 2);
            }
        }
        for (int m = 0; m < 3; m++) {
            Arrays.sort(t[m]);
            System.out.printf("%s (%s): %.4f ns an element, %.1f GB/s of halves (median of 60 rounds)%n", names[m], dram ? "64 MB" : "128 kB", t[m][30], 2 / t[m][30]);
        }
    }
}
