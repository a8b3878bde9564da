package org.mambaplayground.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizersTest {
    @Test
    void picksTheTokenizerByTheFileInTheFolder(@TempDir Path dir) throws IOException {
        Path mamba = Files.createDirectories(dir.resolve("mamba"));
        Files.copy(TokenizerTestData.demoSentencePiece(), mamba.resolve("tokenizer.model.v3"));
        Tokenizers.Loaded spm = Tokenizers.load(mamba);
        assertThat(spm.tokenizer()).isInstanceOf(SentencePieceTokenizer.class);
        assertThat(spm.file()).isEqualTo(mamba.resolve("tokenizer.model.v3"));

        Path nemo = Files.createDirectories(dir.resolve("nemo"));
        Files.copy(TokenizerTestData.demoTekken(), nemo.resolve("tekken.json"));
        assertThat(Tokenizers.load(nemo).tokenizer()).isInstanceOf(TekkenTokenizer.class);

        assertThatThrownBy(() -> Tokenizers.load(dir)).isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining(dir.toString()).hasMessageContaining("tekken.json");
    }

    @Test
    void aTekkenFileWithoutTheInstructTokensIsNamed(@TempDir Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(TokenizerTestData.demoTekken().toFile());
        for (JsonNode token : root.withArray("special_tokens")) {
            if (token.path("token_str").asText().equals("[INST]")) ((ObjectNode) token).put("token_str", "[NOT_INST]");
        }
        Path file = dir.resolve("tekken.json");
        json.writeValue(file.toFile(), root);
        assertThatThrownBy(() -> Tokenizers.load(dir)).isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("[INST]").hasMessageContaining("tekken");
    }

    @Test
    void aBrokenFileInTheFolderIsNamed(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tekken.json"), "{\"config\": ");
        assertThatThrownBy(() -> Tokenizers.load(dir)).isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining(dir.resolve("tekken.json").toString());
    }
}
