package org.mambaplayground.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mambaplayground.assets.DemoModels;
import org.mambaplayground.assets.DemoModels.DemoModel;
import org.mambaplayground.engine.model.InferenceState;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * The built-in demo models (BF16 files in the assets module) run in our engine exactly as the PyTorch
 * references that trained them compute: tools/demo-models/expected.py wrote, per model, the prompt's token
 * ids, the logits after the prompt and the greedy continuation (src/test/resources/demo-expected).
 * The engine must tokenize the prompt to the same ids, match the logits to 1e-4 of (1 + the largest
 * |logit|), and pick the same next token at every step where the reference's best two logits are apart.
 */
class DemoModelsReferenceTest {
    static final double TOLERANCE = 1e-4;
    static final double CLEAR_GAP = 1e-2;

    @TempDir static Path cache;

    static List<DemoModel> demoModels() {
        return DemoModels.locate(cache);
    }

    @ParameterizedTest
    @MethodSource("demoModels")
    void engineMatchesTheReferenceOnTheDemoModel(DemoModel demo) throws IOException {
        JsonNode expected = expected(demo.name());
        // The reference computes in float32: so does the KV cache here (the default F16 cache is checked in the engine).
        try (LoadedModel loaded = ModelLoader.load(demo.folder(), ModelLoader.Options.DEFAULT.withKvFormat(WeightFormat.F32))) {
            int[] prompt = IntStream.concat(IntStream.of(loaded.tokenizer().bos()),
                    IntStream.of(loaded.tokenizer().encode(expected.get("prompt").asText()))).toArray();
            assertThat(prompt).as("prompt token ids").containsExactly(ints(expected.get("tokens")));

            InferenceState state = loaded.model().newState();
            float[] logits = loaded.model().prefill(state, prompt);
            assertClose(logits, floats(expected.get("logits")), "logits after the prompt");

            int[] greedy = ints(expected.get("greedy"));
            for (int i = 0; i < greedy.length; i++) {
                if (expected.get("gaps").get(i).asDouble() > CLEAR_GAP) {
                    assertThat(argmax(logits)).as("greedy token %d", i).isEqualTo(greedy[i]);
                }
                logits = loaded.model().decode(state, greedy[i]); // follow the reference's path
            }
        }
    }

    private static void assertClose(float[] actual, float[] expected, String what) {
        assertThat(actual).as(what + " length").hasSameSizeAs(expected);
        double scale = 1, worst = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, 1 + Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        assertThat(worst).as(what + ": largest difference").isLessThanOrEqualTo(TOLERANCE * scale);
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    private static JsonNode expected(String name) throws IOException {
        try (InputStream in = DemoModelsReferenceTest.class.getResourceAsStream("/demo-expected/" + name + ".json")) {
            assertThat(in).as("expected values for demo model " + name).isNotNull();
            return new ObjectMapper().readTree(in);
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).intValue();
        return out;
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).floatValue();
        return out;
    }
}
