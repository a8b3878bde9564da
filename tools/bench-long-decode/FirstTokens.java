import java.nio.file.*;
import org.mambaplayground.engine.load.ModelLoader;
/**
 * Milliseconds of each of the first 24 decoded tokens after a prompt of N random tokens, in a fresh process (what a
 * user waits for while the JIT compiles decode's kernels), and their total:
 *   . tools/java-home.sh; java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp JAR \
 *       tools/bench-long-decode/FirstTokens.java /tmp/mamba-playground-bench/transformer-1000MB-bf16 2048
 */
public class FirstTokens {
    public static void main(String[] a) throws Exception {
        try (var model = ModelLoader.loadModel(Path.of(a[0]), ModelLoader.Options.DEFAULT)) {
            var r = new java.util.SplittableRandom(1);
            int vocab = model.spec().vocabularySize(), n = Integer.parseInt(a[1]);
            int[] p = new int[n]; for (int i = 0; i < n; i++) p[i] = r.nextInt(vocab);
            var s = model.newState(); model.prefill(s, p); System.out.println("PREFILL DONE"); System.out.flush();
            StringBuilder sb = new StringBuilder();
            long total = 0;
            for (int i = 0; i < 24; i++) { long t0 = System.nanoTime(); model.decode(s, r.nextInt(vocab)); long t = System.nanoTime() - t0; total += t; sb.append(String.format(" %.0f", t / 1e6)); }
            System.out.println("ms per token:" + sb + "  total " + total / 1000000 + " ms");
        }
    }
}
