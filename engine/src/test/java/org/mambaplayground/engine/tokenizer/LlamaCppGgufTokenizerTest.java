package org.mambaplayground.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mambaplayground.engine.io.gguf.GgufFile;

/**
 * The tokenizer this engine builds from a GGUF file's metadata (GgufTokenizerLoader) against llama.cpp's on the
 * same file: for each tokenizer kind, every text of the tokenizer test corpus must get exactly the ids that
 * node-llama-cpp 3.22.1 gave it (tools/llama-cpp-check/gguf-tokenizer-ids.sh wrote them beside the GGUF). The files
 * are the committed test GGUFs, which carry the demo models' trained tokenizers (4096 tokens each).
 */
class LlamaCppGgufTokenizerTest {
    private static final Path DIR = Path.of("src", "test", "resources", "gguf");

    @ParameterizedTest(name = "{0}")
    @CsvSource({"mamba2-demo-q8_0, llama, , SentencePieceTokenizer", "transformer-demo-q4_0, gpt2, tekken, TekkenTokenizer"})
    void everyCorpusTextGetsLlamaCppsIds(String name, String kind, String pre, String tokenizerClass) throws IOException {
        JsonNode expected = new ObjectMapper().readTree(DIR.resolve(name + ".tokens.llama-cpp.json").toFile());
        assertThat(expected.path("tokenizerModel").asText()).isEqualTo(kind);
        assertThat(expected.path("tokenizerPre").isNull() ? null : expected.path("tokenizerPre").asText()).isEqualTo(pre);

        List<String> texts = new ArrayList<>();
        for (JsonNode source : expected.path("sources")) {
            String file = source.asText();
            texts.addAll(file.endsWith(".json") ? TokenizerTestData.jsonStrings(file) : TokenizerTestData.lines(file));
        }
        assertThat(texts).as("the corpus llama.cpp tokenized").hasSize(expected.path("count").asInt());
        assertThat(sha256(texts)).as("the corpus changed since llama.cpp tokenized it: run tools/llama-cpp-check/gguf-tokenizer-ids.sh")
                .isEqualTo(expected.path("textsSha256").asText());

        Tokenizer tokenizer;
        try (GgufFile gguf = GgufFile.open(DIR.resolve(name + ".gguf"))) {
            tokenizer = GgufTokenizerLoader.load(gguf).tokenizer();
        }
        assertThat(tokenizer.getClass().getSimpleName()).isEqualTo(tokenizerClass);
        assertThat(tokenizer.vocabularySize()).isEqualTo(expected.path("vocabSize").asInt());
        assertThat(tokenizer.bos()).isEqualTo(expected.path("bos").asInt());
        assertThat(tokenizer.eos()).isEqualTo(expected.path("eos").asInt());

        JsonNode ids = expected.path("tokens");
        List<String> differ = new ArrayList<>();
        long tokens = 0;
        for (int i = 0; i < texts.size(); i++) {
            int[] theirs = new int[ids.get(i).size()];
            for (int j = 0; j < theirs.length; j++) theirs[j] = ids.get(i).get(j).asInt();
            int[] ours = tokenizer.encode(texts.get(i));
            tokens += theirs.length;
            if (!Arrays.equals(ours, theirs)) {
                differ.add("text " + i + " " + abbreviate(texts.get(i)) + "\n  ours      " + abbreviate(Arrays.toString(ours))
                        + "\n  llama.cpp " + abbreviate(Arrays.toString(theirs)));
            }
        }
        assertThat(differ).as("%d of %d texts (%d llama.cpp ids) tokenized differently", differ.size(), texts.size(), tokens)
                .isEmpty();
        assertThat(texts).as("the whole corpus, not a sample").hasSizeGreaterThan(3000);
    }

    private static String sha256(List<String> texts) {
        try {
            byte[] bytes = String.join("\n", texts).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String abbreviate(String s) {
        String shown = s.replace("\n", "\\n");
        return shown.length() <= 160 ? shown : shown.substring(0, 160) + "...";
    }
}
