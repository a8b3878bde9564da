package org.mambaplayground.downloader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** fnmatch.fnmatchcase semantics, with the examples of huggingface_hub's download guide. */
class FilePatternsTest {

    @Test
    void starCrossesSlashesAndTheWholePathMustMatch() {
        FilePatterns p = FilePatterns.include("*.json");
        assertThat(p.matches("config.json")).isTrue();
        assertThat(p.matches("onnx/config.json")).isTrue();
        assertThat(p.matches("config.json.bak")).isFalse();
        assertThat(FilePatterns.include("data/*.json").matches("data/sub/x.json")).isTrue();
        assertThat(FilePatterns.include("**.bin").matches("a/b.bin")).isTrue();
    }

    @Test
    void ignoreWinsAndAPlainNameMatchesOnlyAtTheTop() {
        FilePatterns p = FilePatterns.of(List.of("*.md", "*.json"), List.of("vocab.json"));
        assertThat(p.matches("README.md")).isTrue();
        assertThat(p.matches("vocab.json")).isFalse();
        assertThat(p.matches("onnx/vocab.json")).isTrue();
        assertThat(p.matches("model.bin")).isFalse();
    }

    @Test
    void questionMarkClassesCaseAndSpecialCharacters() {
        assertThat(FilePatterns.include("model-0000?.safetensors").matches("model-00001.safetensors")).isTrue();
        assertThat(FilePatterns.include("model-[0-9].bin").matches("model-7.bin")).isTrue();
        assertThat(FilePatterns.include("model-[!0-9].bin").matches("model-7.bin")).isFalse();
        assertThat(FilePatterns.include("model-[!0-9].bin").matches("model-x.bin")).isTrue();
        assertThat(FilePatterns.include("[ab").matches("[ab")).isTrue();
        assertThat(FilePatterns.include("*.JSON").matches("config.json")).isFalse();
        assertThat(FilePatterns.include("a+b(1).txt").matches("a+b(1).txt")).isTrue();
        assertThat(FilePatterns.include("onnx/").matches("onnx/model.onnx")).isTrue();
        assertThat(FilePatterns.include("onnx\\*").matches("onnx/model.onnx")).isTrue();
        assertThat(FilePatterns.ALL.matches("anything/at/all")).isTrue();
    }
}
