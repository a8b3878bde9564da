import java.nio.file.Path;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.model.*;
/**
 * Prefill tokens/s of Mamba2 model folders (the same weights, params.json differing in chunk_size), alternating,
 * median of rounds:  java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *   -cp app/target/mamba-playground.jar tools/bench-chunk/Chunk.java TOKENS ROUNDS FOLDER...
 */
public class Chunk {
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]), rounds = Integer.parseInt(a[1]);
        java.util.Map<String, java.util.List<Double>> res = new java.util.TreeMap<>();
        Model[] models = new Model[a.length - 2];
        for (int i = 2; i < a.length; i++) models[i - 2] = ModelLoader.loadModel(Path.of(a[i]), new ModelLoader.Options(false, (s, f) -> {}, new CancellationToken()));
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        int[] prompt = new int[n]; for (int i = 0; i < n; i++) prompt[i] = r.nextInt(32768);
        for (Model m : models) m.prefill(m.newState(), java.util.Arrays.copyOf(prompt, 64));
        for (int k = 0; k < rounds; k++) for (int i = 0; i < models.length; i++) {
            Model m = models[(i + k) % models.length]; String name = a[2 + (i + k) % models.length];
            long t0 = System.nanoTime(); m.prefill(m.newState(), prompt); double tps = n / ((System.nanoTime() - t0) / 1e9);
            res.computeIfAbsent(name, x -> new java.util.ArrayList<>()).add(tps);
            System.out.printf("round %d %s: %.1f tokens/s%n", k + 1, name, tps);
        }
        res.forEach((name, v) -> { double[] s = v.stream().mapToDouble(d -> d).sorted().toArray(); System.out.printf("%s: median %.1f tokens/s of %d%n", name, s[s.length / 2], s.length); });
    }
}
