import java.lang.foreign.*;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.mambaplayground.engine.tensor.format.WeightFormat;
/**
 * Reads an F16 KV cache of 4,096 tokens of the 1 GB transformer bench model (8 layers, 4 KV heads of 128) the way
 * decode attention walks it: per layer and KV head, block by block of 32 tokens (8 KB runs, head-major blocks of
 * 32 KB allocated one by one), on the calling thread. "decode" converts each run into floats (F16Format.decode, as
 * attention does); "sum" only loads it (vector loads summed). Milliseconds per token, median of 30. Compare with
 * tools/bench-attention/c/kv_read.c, the same walk in C.
 *   . tools/java-home.sh; java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *       -cp app/target/mamba-playground.jar tools/bench-attention/KvRead.java sum
 */
public class KvRead {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int LAYERS = 8, BLOCKS = 128, HEADS = 4, HEAD_DIM = 128, BLOCK_TOKENS = 32;
    static final int RUN = BLOCK_TOKENS * HEAD_DIM; // halves per head per block

    static float sum(MemorySegment s, long offset, int bytes) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int i = 0; i < bytes; i += 2 * F.vectorByteSize()) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, s, offset + i, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(F, s, offset + i + F.vectorByteSize(), ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD);
    }

    public static void main(String[] a) {
        boolean decode = a.length > 0 && a[0].equals("decode");
        WeightFormat f16 = WeightFormat.named("F16").orElseThrow();
        long blockBytes = 2L * RUN * HEADS;
        MemorySegment[][] keys = new MemorySegment[LAYERS][BLOCKS], values = new MemorySegment[LAYERS][BLOCKS];
        for (int l = 0; l < LAYERS; l++) {
            for (int b = 0; b < BLOCKS; b++) {
                keys[l][b] = Arena.ofAuto().allocate(blockBytes, 64).fill((byte) 0x31);
                values[l][b] = Arena.ofAuto().allocate(blockBytes, 64).fill((byte) 0x32);
            }
        }
        float[] k = new float[RUN], v = new float[RUN];
        double[] ms = new double[40];
        float check = 0;
        for (int it = 0; it < ms.length; it++) {
            long t0 = System.nanoTime();
            for (int l = 0; l < LAYERS; l++) {
                for (int h = 0; h < HEADS; h++) {
                    long o = 2L * h * RUN;
                    for (int b = 0; b < BLOCKS; b++) {
                        if (decode) {
                            f16.decode(keys[l][b], o, k, 0, RUN);
                            f16.decode(values[l][b], o, v, 0, RUN);
                            check += k[b] + v[b];
                        } else {
                            check += sum(keys[l][b], o, 2 * RUN) + sum(values[l][b], o, 2 * RUN);
                        }
                    }
                }
            }
            ms[it] = (System.nanoTime() - t0) / 1e6;
        }
        double[] timed = java.util.Arrays.copyOfRange(ms, 10, ms.length);
        java.util.Arrays.sort(timed);
        double bytes = 2.0 * LAYERS * BLOCKS * blockBytes;
        System.out.printf("Java %s: %.2f ms per token (median), %.1f GB/s (check %s)%n", decode ? "decode" : "sum",
                timed[timed.length / 2], bytes / timed[timed.length / 2] / 1e6, check != 0);
    }
}
