package org.mambaplayground.engine.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mambaplayground.engine.model.InferenceState;

/**
 * Our engine on small GGUF files of both architectures (Q8_0, Q4_0, Q4_K, Q6_K) against what llama.cpp computed on
 * the same files and tokens (node-llama-cpp's prebuilt build, recorded by tools/llama-cpp-check/make-test-ggufs.sh):
 * the argmax at 90% of the prompt positions or more, and llama.cpp's top-5 logits at every position within 2% of
 * the position's logit range (measured: at most 1.4%; llama.cpp rounds the activations to 8 bits first).
 */
class LlamaCppGgufTest {
    private static final Path DIR = Path.of("src", "test", "resources", "gguf");

    @ParameterizedTest
    @ValueSource(strings = {"mamba2-demo-q8_0", "transformer-demo-q4_0", "mamba2-256-q4_k", "transformer-256-q6_k"})
    void ourLogitsAreLlamaCppsOnTheSameFile(String name) throws IOException {
        JsonNode ref = new ObjectMapper().readTree(DIR.resolve(name + ".llama-cpp.json").toFile());
        int[] tokens = new int[ref.get("tokens").size()];
        for (int i = 0; i < tokens.length; i++) tokens[i] = ref.get("tokens").get(i).asInt();
        try (LoadedModel m = ModelLoader.load(DIR.resolve(name + ".gguf"))) {
            InferenceState state = m.model().newState();
            int agree = 0;
            for (int p = 0; p < tokens.length; p++) {
                float[] logits = m.model().decode(state, tokens[p]);
                JsonNode theirs = ref.get("positions").get(p);
                int argmax = 0;
                float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE;
                for (int k = 0; k < logits.length; k++) {
                    if (logits[k] > logits[argmax]) argmax = k;
                    lo = Math.min(lo, logits[k]);
                    hi = Math.max(hi, logits[k]);
                }
                if (argmax == theirs.get("argmax").asInt()) agree++;
                for (JsonNode e : theirs.get("top")) {
                    assertThat((double) logits[e.get("id").asInt()]).as("%s position %d token %d", name, p, e.get("id").asInt())
                            .isCloseTo(e.get("logit").asDouble(), org.assertj.core.data.Offset.offset(0.02 * (hi - lo)));
                }
            }
            assertThat(agree).as(name + ": argmax agreement").isGreaterThanOrEqualTo((int) Math.ceil(0.9 * tokens.length));
        }
    }
}
