import java.lang.foreign.*;
import org.mambaplayground.engine.tensor.format.WeightFormat;
/**
 * Why decode's four-row dot (WeightFormat.dot4) takes rows a quarter of the matrix apart: one thread, 30 matrices
 * of ROWS x COLS (out of cache), the same rows read three ways, alternating, median of the passes:
 *   one    - dot, row after row (one stream of memory)
 *   side4  - dot4 on rows r..r+3 (four streams side by side in the same pages)
 *   apart4 - dot4 on rows r, r+q, r+2q, r+3q with q = ROWS/4 (four streams pages apart: what Kernels.matvec does)
 *   . tools/java-home.sh; java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *       -cp app/target/mamba-playground.jar tools/bench-matmul/RowStreams.java q8_0 8192 2048 20
 */
public class RowStreams {
    public static void main(String[] a) {
        WeightFormat f = WeightFormat.named(a.length > 0 ? a[0] : "q8_0").orElseThrow();
        int rows = Integer.parseInt(a.length > 1 ? a[1] : "8192"), cols = Integer.parseInt(a.length > 2 ? a[2] : "2048");
        int passes = Integer.parseInt(a.length > 3 ? a[3] : "20"), mats = 30;
        long rb = f.bytes(cols);
        var rnd = new java.util.SplittableRandom(1);
        MemorySegment[] segs = new MemorySegment[mats];
        float[] row = new float[cols];
        for (int m = 0; m < mats; m++) {
            segs[m] = Arena.ofShared().allocate(rb * rows, 64);
            for (int i = 0; i < rows; i++) { for (int c = 0; c < cols; c++) row[c] = (float) rnd.nextGaussian(); f.encode(row, 0, segs[m], i * rb, cols); }
        }
        float[] x = new float[cols]; for (int i = 0; i < cols; i++) x[i] = (float) rnd.nextGaussian();
        float[] out = new float[rows];
        String[] ways = {"one", "side4", "apart4"};
        double[][] t = new double[3][passes];
        int q = rows / 4;
        for (int p = -5; p < passes; p++) {
            for (int w = 0; w < 3; w++) {
                long t0 = System.nanoTime();
                for (MemorySegment s : segs) {
                    switch (w) {
                        case 0 -> { for (int i = 0; i < rows; i++) out[i] = f.dot(s, i * rb, x, 0, cols); }
                        case 1 -> { for (int i = 0; i < rows; i += 4) f.dot4(s, i * rb, rb, x, cols, out, i, 1); }
                        default -> { for (int i = 0; i < q; i++) f.dot4(s, i * rb, q * rb, x, cols, out, i, q); }
                    }
                }
                if (p >= 0) t[w][p] = (System.nanoTime() - t0) / 1e6;
            }
        }
        double gb = (double) rb * rows * mats / 1e9;
        for (int w = 0; w < 3; w++) {
            java.util.Arrays.sort(t[w]);
            double ms = t[w][passes / 2];
            System.out.printf("%s %-6s: %.1f ms a pass of %.2f GB = %.1f GB/s, %.1f G weights/s (median of %d, one thread)%n",
                    f, ways[w], ms, gb, gb / ms * 1e3, (double) rows * cols * mats / ms / 1e6, passes);
        }
    }
}
