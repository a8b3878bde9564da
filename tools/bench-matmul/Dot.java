import java.lang.foreign.*;
import org.mambaplayground.engine.tensor.format.WeightFormat;
/**
 * One format's row dot product on one thread, on a matrix that stays in cache (ROWS x COLS), best of 30 passes, in
 * weights per second: what a kernel can do when memory is not the limit.
 *   . tools/java-home.sh; java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *       -cp app/target/mamba-playground.jar tools/bench-matmul/Dot.java q4_0 256 2048
 */
public class Dot {
    public static void main(String[] a) {
        WeightFormat f = WeightFormat.named(a[0]).orElseThrow();
        int rows = Integer.parseInt(a[1]), cols = Integer.parseInt(a[2]);
        long rb = f.bytes(cols);
        MemorySegment seg = Arena.ofShared().allocate(rb * rows, 64);
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        float[] row = new float[cols];
        for (int i = 0; i < rows; i++) { for (int c = 0; c < cols; c++) row[c] = (float) r.nextGaussian(); f.encode(row, 0, seg, i * rb, cols); }
        float[] x = new float[cols]; for (int i = 0; i < cols; i++) x[i] = (float) r.nextGaussian();
        double best = 0; float cs = 0;
        for (int k = 0; k < 40; k++) {
            long t0 = System.nanoTime();
            int reps = 20;
            for (int q = 0; q < reps; q++) for (int i = 0; i < rows; i++) cs += f.dot(seg, i * rb, x, 0, cols);
            double gw = (double) rows * cols * reps / (System.nanoTime() - t0);
            if (k >= 10) best = Math.max(best, gw);
        }
        System.out.printf("%s %dx%d: %.2f Gw/s best (one thread) %s%n", f, rows, cols, best, cs);
    }
}
