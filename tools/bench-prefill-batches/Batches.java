import java.nio.file.*;
import org.mambaplayground.engine.load.ModelLoader;
/**
 * Prefill speed of each 512-token batch of a long prompt, each followed by the same 512 tokens as a fresh prompt:
 * whether a long prompt's batches run as fast as a 512-token prompt (issue 17's "16,384 >= 512" for Mamba2):
 *   . tools/java-home.sh; java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp JAR \
 *       tools/bench-prefill-batches/Batches.java /tmp/mamba-playground-bench/mamba2-1000MB-bf16 12     (batches)
 */
public class Batches {
    public static void main(String[] a) throws Exception {
        try (var model = ModelLoader.loadModel(Path.of(a[0]), ModelLoader.Options.DEFAULT)) {
            int batches = Integer.parseInt(a[1]);
            var r = new java.util.SplittableRandom(1);
            int vocab = model.spec().vocabularySize();
            int[][] b = new int[batches][512];
            for (int[] x : b) for (int i = 0; i < 512; i++) x[i] = r.nextInt(vocab);
            for (int w = 0; w < 2; w++) model.prefill(model.newState(), b[w]);
            var longState = model.newState();
            StringBuilder lo = new StringBuilder(), fr = new StringBuilder();
            for (int i = 0; i < batches; i++) {
                long t0 = System.nanoTime(); model.prefill(longState, b[i]); double tl = 512 / ((System.nanoTime() - t0) / 1e9);
                long t1 = System.nanoTime(); model.prefill(model.newState(), b[i]); double tf = 512 / ((System.nanoTime() - t1) / 1e9);
                System.out.printf("batch %2d: in the long prompt %.1f tokens/s, as a fresh 512 prompt %.1f%n", i, tl, tf);
            }
        }
    }
}
