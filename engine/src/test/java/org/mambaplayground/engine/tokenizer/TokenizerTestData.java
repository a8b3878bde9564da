package org.mambaplayground.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The committed vectors made by tools/tokenizers/make_test_vectors.sh: the corpus, ids by the reference tools
 * (spm_encode from Debian's sentencepiece, js-tiktoken from npm), and the models they came from.
 */
final class TokenizerTestData {
    private TokenizerTestData() {}

    static Path resource(String name) {
        try {
            return Path.of(TokenizerTestData.class.getResource("/tokenizer/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource tokenizer/" + name, e);
        }
    }

    /** The built-in demo tokenizers live in the assets module; tests run with the engine module as working dir. */
    static Path demo(String relative) {
        Path p = Path.of("..", "assets", "src", "main", "resources", "org", "mambaplayground", "assets", "demo", relative);
        assertThat(p).as("demo tokenizer (run tools/tokenizers/make_demo_tokenizers.sh)").isRegularFile();
        return p;
    }

    static Path demoSentencePiece() { return demo("codestral-mamba-demo/tokenizer.model.v3"); }

    static Path demoTekken() { return demo("mistral-nemo-demo/tekken.json"); }

    /** Lines of a text file, without the final empty string after the last newline. */
    static List<String> lines(String name) {
        try {
            String all = Files.readString(resource(name), StandardCharsets.UTF_8);
            List<String> lines = Arrays.asList(all.split("\n", -1));
            return lines.subList(0, lines.size() - 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One id list per line, ids separated by spaces. */
    static List<int[]> ids(String name) {
        return lines(name).stream()
                .map(l -> l.isEmpty() ? new int[0] : Arrays.stream(l.split(" ")).mapToInt(Integer::parseInt).toArray())
                .toList();
    }

    static List<String> jsonStrings(String name) {
        try {
            return Arrays.asList(new ObjectMapper().readValue(resource(name).toFile(), String[].class));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
