import java.nio.file.*;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.tensor.format.WeightFormat;
/**
 * Time per decoded token after a 128-token prompt: 8 runs of 32 tokens (each after a fresh prefill), median and
 * best run, in one process; run two jars one after the other, alternating, to compare engines:
 *   . tools/java-home.sh; java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp JAR \
 *       tools/bench-decode/Decode.java /tmp/mamba-playground-bench/transformer-1000MB-bf16 q4_0 [/tmp/decode.jfr]
 * PRECISION: bf16 (the checkpoint as it is), q8_0, q4_0 (converted once into the GGUF cache). A JFR recording of
 * the timed part goes to the third argument.
 */
public class Decode {
    public static void main(String[] a) throws Exception {
        var o = ModelLoader.Options.DEFAULT;
        if (!a[1].equals("bf16")) o = o.withPrecision(WeightFormat.named(a[1]).orElseThrow());
        try (var model = ModelLoader.loadModel(Path.of(a[0]), o)) {
            var r = new java.util.SplittableRandom(1);
            int vocab = model.spec().vocabularySize();
            int[] p = new int[128]; for (int i = 0; i < 128; i++) p[i] = r.nextInt(vocab);
            var s = model.newState(); model.prefill(s, p);
            for (int i = 0; i < 64; i++) model.decode(s, r.nextInt(vocab));
            jdk.jfr.Recording rec = null;
            if (a.length > 2) { rec = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile")); rec.start(); }
            double[] t = new double[8];
            for (int k = 0; k < 8; k++) {
                s = model.newState(); model.prefill(s, p);
                long t0 = System.nanoTime(); for (int i = 0; i < 32; i++) model.decode(s, r.nextInt(vocab)); t[k] = (System.nanoTime() - t0) / 1e6 / 32;
            }
            if (rec != null) { rec.stop(); rec.dump(Path.of(a[2])); }
            java.util.Arrays.sort(t);
            System.out.printf("%s: ms/token median %.2f best %.2f = %.1f tok/s%n", a[1], (t[3]+t[4])/2, t[0], 2000/(t[3]+t[4]));
        }
    }
}
