import java.lang.foreign.*;
import org.mambaplayground.engine.tensor.Kernels;
import org.mambaplayground.engine.tensor.Parallel;
import org.mambaplayground.engine.tensor.Tensor;
import org.mambaplayground.engine.tensor.format.WeightFormat;
/**
 * The matrix-vector products of one decoded token of the 1 GB transformer bench model (8 layers of q, k, v, o, gate,
 * up and down: 57 products, 0.47 G weights) through Kernels.matvec, on random weights in native memory: milliseconds
 * per pass, median and best of 40 after 20 warm-up passes. Run it at 1 and 2 threads to see how the kernels scale
 * once the weights stream from memory (the decode without attention, norms or sampling).
 *   . tools/java-home.sh; for t in 1 2; do java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *       -Dmamba.threads=$t -cp app/target/mamba-playground.jar tools/bench-matmul/MatvecPass.java q4_0; done
 */
public class MatvecPass {
    public static void main(String[] a) {
        WeightFormat f = WeightFormat.named(a[0]).orElseThrow();
        int[][] shapes = {{2048, 2048}, {512, 2048}, {512, 2048}, {2048, 2048}, {7168, 2048}, {7168, 2048}, {2048, 7168}};
        int layers = 8;
        Tensor[] tensors = new Tensor[layers * shapes.length];
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        long weights = 0;
        for (int i = 0; i < tensors.length; i++) {
            int rows = shapes[i % shapes.length][0], cols = shapes[i % shapes.length][1];
            long rowBytes = f.bytes(cols);
            MemorySegment seg = Arena.global().allocate(rowBytes * rows, 64);
            float[] row = new float[cols];
            for (int j = 0; j < rows; j++) {
                for (int c = 0; c < cols; c++) row[c] = (float) r.nextGaussian();
                f.encode(row, 0, seg, j * rowBytes, cols);
            }
            tensors[i] = new Tensor("t" + i, f, new long[]{rows, cols}, seg);
            weights += (long) rows * cols;
        }
        float[] x = new float[7168], out = new float[7168];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        double[] ms = new double[60];
        for (int it = 0; it < ms.length; it++) {
            long t0 = System.nanoTime();
            for (Tensor t : tensors) Kernels.matvec(t, x, out);
            ms[it] = (System.nanoTime() - t0) / 1e6;
        }
        double[] timed = java.util.Arrays.copyOfRange(ms, 20, ms.length);
        java.util.Arrays.sort(timed);
        double median = timed[timed.length / 2];
        System.out.printf("%s, %d threads: median %.2f ms per pass (%.1f G weights/s), best %.2f ms%n",
                f, Parallel.threads(), median, weights / median / 1e6, timed[0]);
    }
}
