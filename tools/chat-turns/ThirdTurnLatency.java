import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mambaplayground.engine.generate.ChatSession;
import org.mambaplayground.engine.generate.GenerationStats;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.load.ModelLoader;

/**
 * Time to the first token of each turn of a long three-turn conversation with a model folder (a demo model),
 * through ChatSession's public API only, so the same source runs against the engine of any commit:
 * {@code java -cp ENGINE_CLASSES:JACKSON ThirdTurnLatency.java FOLDER MODE REPEATS} (MODE: completion or instruct).
 * One untimed conversation warms the JIT up, then REPEATS conversations are timed; prints one line per turn with
 * the median prompt tokens read, prefill and time to first token.
 */
public class ThirdTurnLatency {
    static final int ANSWER_TOKENS = 48;

    /** Three user messages of Python-looking code (what the demo models continue), about 330 tokens each. */
    static List<String> messages() {
        List<String> out = new ArrayList<>();
        for (int turn = 0; turn < 3; turn++) {
            StringBuilder m = new StringBuilder();
            for (int i = 0; i < 12; i++) {
                int n = turn * 12 + i;
                m.append("def scale_").append(n).append("(values, factor=").append(n + 2).append("):\n")
                        .append("    \"\"\"Return the values multiplied by the factor.\"\"\"\n")
                        .append("    return [v * factor for v in values]\n\n");
            }
            out.add(m.toString());
        }
        return out;
    }

    public static void main(String[] args) {
        Path folder = Path.of(args[0]);
        boolean instruct = args[1].equals("instruct");
        int repeats = Integer.parseInt(args[2]);
        List<String> messages = messages();
        try (LoadedModel model = ModelLoader.load(folder, ModelLoader.Options.DEFAULT)) {
            double[][] ttft = new double[3][repeats], prefill = new double[3][repeats];
            int[][] prompt = new int[3][repeats];
            for (int r = -1; r < repeats; r++) { // r = -1: warm-up, not recorded
                ChatSession session = new ChatSession(model.model(), model.tokenizer(), model.chatFormat(), instruct);
                for (int turn = 0; turn < 3; turn++) {
                    GenerationStats s = session.send(messages.get(turn), SamplingOptions.greedy(ANSWER_TOKENS), null, null).stats();
                    if (r < 0) continue;
                    ttft[turn][r] = s.timeToFirstTokenMillis();
                    prefill[turn][r] = s.prefillMillis();
                    prompt[turn][r] = s.promptTokens();
                }
            }
            for (int turn = 0; turn < 3; turn++) {
                System.out.printf(Locale.ROOT, "turn %d: prompt %d tokens read, prefill %.1f ms, first token %.1f ms%n", turn + 1,
                        (int) median(toDouble(prompt[turn])), median(prefill[turn]), median(ttft[turn]));
            }
        }
    }

    static double[] toDouble(int[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) out[i] = values[i];
        return out;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
