import java.nio.file.*;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.tensor.format.WeightFormat;
/**
 * Time per decoded token after a 128-token and after a long prompt, in one process, six alternating pairs of N
 * tokens each, median of the per-pair ratios (issue 17's "decode after 4,096 vs after 128"):
 *   . tools/java-home.sh; java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp JAR \
 *       tools/bench-long-decode/LongDecode.java MODEL_FOLDER 4096 16 /tmp/decode.jfr f16     (KV format: f16, f32, bf16)
 * A JFR recording of the timed part is written to the fourth argument. MODEL_FOLDER: e.g. the 1 GB bench model that
 * `bench --arch transformer --size 1GB` writes (/tmp/mamba-playground-bench/transformer-1000MB-bf16).
 */
public class LongDecode {
    public static void main(String[] a) throws Exception {
        Path folder = Path.of(a[0]);
        int longCtx = Integer.parseInt(a[1]); int n = Integer.parseInt(a[2]); boolean jfr = a.length > 3;
        var o = ModelLoader.Options.DEFAULT;
        if (a.length > 4) o = o.withKvFormat(WeightFormat.named(a[4]).orElseThrow());
        try (var model = ModelLoader.loadModel(folder, o)) {
            var r = new java.util.SplittableRandom(1);
            int vocab = model.spec().vocabularySize();
            int[] shortP = new int[128], longP = new int[longCtx];
            for (int i = 0; i < 128; i++) shortP[i] = r.nextInt(vocab);
            for (int i = 0; i < longCtx; i++) longP[i] = r.nextInt(vocab);
            var sShort = model.newState(); model.prefill(sShort, shortP);
            var sLong = model.newState(); model.prefill(sLong, longP);
            for (int i = 0; i < 16; i++) { model.decode(sShort, r.nextInt(vocab)); }
            jdk.jfr.Recording rec = null;
            if (jfr) { rec = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile")); rec.start(); }
            double[] ts = new double[6], tl = new double[6];
            for (int k = 0; k < 6; k++) {
                long t0 = System.nanoTime(); for (int i = 0; i < n; i++) model.decode(sShort, r.nextInt(vocab)); ts[k] = (System.nanoTime() - t0) / 1e6 / n;
                t0 = System.nanoTime(); for (int i = 0; i < n; i++) model.decode(sLong, r.nextInt(vocab)); tl[k] = (System.nanoTime() - t0) / 1e6 / n;
            }
            if (rec != null) { rec.stop(); rec.dump(Path.of(a[3])); }
            double[] ratio = new double[6]; for (int k = 0; k < 6; k++) ratio[k] = tl[k] / ts[k];
            java.util.Arrays.sort(ts); java.util.Arrays.sort(tl); java.util.Arrays.sort(ratio);
            System.out.printf("ms/token after ~128: %.2f, after ~%d: %.2f, ratio median %.3f (of 6 alternating pairs)%n", (ts[2]+ts[3])/2, longCtx, (tl[2]+tl[3])/2, (ratio[2]+ratio[3])/2);
        }
    }
}
