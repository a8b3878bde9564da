import java.lang.foreign.*;
import org.mambaplayground.engine.tensor.*;
import org.mambaplayground.engine.tensor.format.WeightFormat;
/**
 * One weight matrix times a batch of tokens through Kernels.matmul, median of 7 timed calls, in GFLOP/s:
 *   . tools/java-home.sh; java -Dmamba.threads=2 --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *       -cp app/target/mamba-playground.jar tools/bench-matmul/Matmul.java bf16 2048 2048 512   (format rows cols tokens)
 * Give an older jar on -cp to compare kernels on the same shapes.
 */
public class Matmul {
    public static void main(String[] a) {
        WeightFormat f = WeightFormat.named(a.length > 0 ? a[0] : "bf16").orElseThrow();
        int rows = Integer.parseInt(a.length > 1 ? a[1] : "2048"), cols = Integer.parseInt(a.length > 2 ? a[2] : "2048"), n = Integer.parseInt(a.length > 3 ? a[3] : "512");
        long rb = f.bytes(cols);
        MemorySegment seg = Arena.ofShared().allocate(rb * rows, 64);
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        float[] row = new float[cols];
        for (int i = 0; i < rows; i++) { for (int c = 0; c < cols; c++) row[c] = (float) r.nextGaussian(); f.encode(row, 0, seg, i * rb, cols); }
        Tensor w = new Tensor("w", f, new long[] {rows, cols}, seg);
        float[] x = new float[n * cols]; for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        float[] out = new float[n * rows];
        double[] times = new double[7];
        for (int k = 0; k < 3; k++) Kernels.matmul(w, x, out, n);
        for (int k = 0; k < times.length; k++) { long t0 = System.nanoTime(); Kernels.matmul(w, x, out, n); times[k] = (System.nanoTime() - t0) / 1e9; }
        java.util.Arrays.sort(times);
        double gf = 2.0 * rows * cols * n / times[times.length / 2] / 1e9;
        System.out.printf("%s %dx%d n=%d: median %.1f ms = %.1f GFLOP/s (threads %d) checksum %.4f%n", f, rows, cols, n, times[times.length / 2] * 1e3, gf, Parallel.threads(), out[7] + out[out.length - 3]);
    }
}
