package org.mambaplayground.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.load.QuantizedCopies;
import org.mambaplayground.engine.model.InferenceState;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code logits}: the next-token logits at every position of a prompt and a greedy continuation, as JSON, so the
 * engine can be compared with another implementation on the same file (tools/llama-cpp-check/compare.sh).
 */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Print, as JSON, the logits after every prompt token (decoded one by one) and a greedy continuation.")
public final class LogitsCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model folder or a built-in demo model's name.")
    Path model;

    @Option(names = "--tokens", paramLabel = "IDS", description = "Prompt token ids, comma-separated.")
    String tokens;

    @Option(names = "--text", paramLabel = "TEXT", description = "Prompt text, encoded with the model's tokenizer after BOS (instead of --tokens).")
    String text;

    @Option(names = "--continue", defaultValue = "16", paramLabel = "N", description = "Greedy tokens after the prompt (default ${DEFAULT-VALUE}).")
    int continuation;

    @Mixin
    WeightOptions weights = new WeightOptions();

    private final PrintStream out;

    public LogitsCommand() { this(System.out); }

    LogitsCommand(PrintStream out) { this.out = out; }

    @Override
    public Integer call() throws Exception {
        WeightFormat precision = weights.precision();
        try (LoadedModel loaded = ModelFolders.open(model, System.err, precision, weights.kv())) {
            int[] prompt = text != null ? withBos(loaded.tokenizer().encode(text), loaded)
                    : java.util.Arrays.stream(tokens.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
            ObjectNode json = new ObjectMapper().createObjectNode();
            json.put("model", loaded.name());
            json.put("precision", precision == null ? "as stored" : precision.name());
            if (precision != null) {
                json.put("gguf", QuantizedCopies.fileFor(loaded.folder(), precision, QuantizedCopies.defaultCacheDir(loaded.folder())).toString());
            }
            ArrayNode ids = json.putArray("tokens");
            for (int t : prompt) ids.add(t);
            InferenceState state = loaded.model().newState();
            ArrayNode positions = json.putArray("logits");
            float[] logits = null;
            for (int t : prompt) {
                logits = loaded.model().decode(state, t);
                ArrayNode row = positions.addArray();
                for (float v : logits) row.add(v);
            }
            ArrayNode greedy = json.putArray("continuation");
            for (int i = 0; i < continuation; i++) {
                int next = argmax(logits);
                greedy.add(next);
                logits = loaded.model().decode(state, next);
            }
            out.println(json);
        }
        return 0;
    }

    private static int[] withBos(int[] encoded, LoadedModel loaded) {
        int[] out = new int[encoded.length + 1];
        out[0] = loaded.tokenizer().bos();
        System.arraycopy(encoded, 0, out, 1, encoded.length);
        return out;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
