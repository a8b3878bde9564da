package org.mambaplayground.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tekken against js-tiktoken (npm), fed the same ranks and pattern (tools/tokenizers/tekken_reference.mjs;
 * a Python re-implementation with the regex module agreed on every text when the vectors were made).
 */
class TekkenTokenizerTest {
    private static final List<String> TEXTS = TokenizerTestData.jsonStrings("tekken-texts.json");

    @Test
    void testFileEncodesLikeJsTiktoken() {
        assertEncodesLikeReference(TekkenTokenizer.load(TokenizerTestData.resource("tekken-test.json")), "tekken-test.ids");
    }

    @Test
    void demoFileEncodesLikeJsTiktoken() {
        assertEncodesLikeReference(TekkenTokenizer.load(TokenizerTestData.demoTekken()), "tekken-demo.ids");
    }

    private static void assertEncodesLikeReference(TekkenTokenizer tok, String idsFile) {
        List<int[]> expected = TokenizerTestData.ids(idsFile);
        assertThat(TEXTS).hasSizeGreaterThanOrEqualTo(1000);
        assertThat(expected).hasSameSizeAs(TEXTS);
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < TEXTS.size(); i++) {
            int[] got = tok.encode(TEXTS.get(i));
            if (!Arrays.equals(got, expected.get(i)) && mismatches.size() < 10) {
                mismatches.add(i + ": " + TEXTS.get(i) + "\n  js   " + Arrays.toString(expected.get(i))
                        + "\n  java " + Arrays.toString(got));
            }
            assertThat(tok.decode(got)).as("round trip of text %d", i).isEqualTo(TEXTS.get(i));
        }
        assertThat(mismatches).as("texts encoded differently from js-tiktoken").isEmpty();
    }

    /**
     * The pattern's \\s means Unicode White_Space in Java (UNICODE_CHARACTER_CLASS), as in Rust's regex that
     * tiktoken uses. JavaScript disagrees on U+0085 and U+FEFF, so these ids come from the Python reference
     * (the regex module), which reads \\s as Rust does.
     */
    @Test
    void unicodeWhitespaceSplitsLikeRustRegex() {
        TekkenTokenizer tok = TekkenTokenizer.load(TokenizerTestData.demoTekken());
        List<String> texts = TokenizerTestData.jsonStrings("tekken-whitespace-texts.json");
        List<int[]> expected = TokenizerTestData.ids("tekken-whitespace-demo.ids");
        assertThat(texts).anyMatch(t -> t.contains("\u0085")).anyMatch(t -> t.contains("\uFEFF"));
        for (int i = 0; i < texts.size(); i++) {
            assertThat(tok.encode(texts.get(i))).as("text %d", i).containsExactly(expected.get(i));
        }
    }

    @Test
    void specialTokensComeFirstAndNormalTokensAreShifted() {
        // the test file has no special_tokens list: mistral-common's default list, padded to 1000
        TekkenTokenizer tok = TekkenTokenizer.load(TokenizerTestData.resource("tekken-test.json"));
        assertThat(tok.numSpecialTokens()).isEqualTo(1000);
        assertThat(tok.bos()).isEqualTo(1);
        assertThat(tok.eos()).isEqualTo(2);
        assertThat(tok.specialTokenId("[INST]")).isEqualTo(3);
        assertThat(tok.specialTokenId("[/INST]")).isEqualTo(4);
        assertThat(tok.specialTokenId("[TOOL_CALLS]")).isEqualTo(9);
        assertThat(tok.specialTokenId("<pad>")).isEqualTo(11);
        assertThat(tok.specialTokenId("[SYSTEM_PROMPT]")).isEqualTo(17);
        assertThat(tok.specialTokenId("<SPECIAL_20>")).isEqualTo(20);
        assertThat(tok.specialTokenId("<SPECIAL_999>")).isEqualTo(999);
        assertThat(tok.specialTokenId("<SPECIAL_1000>")).isEqualTo(-1);
        assertThat(tok.isSpecial(999)).isTrue();
        assertThat(tok.isSpecial(1000)).isFalse();
        assertThat(tok.tokenBytes(1000)).containsExactly(0);         // rank 0 is the byte 0x00
        assertThat(tok.tokenBytes(1000 + 'A')).containsExactly('A');
        assertThat(tok.encode("A")).containsExactly(1000 + 'A');
        assertThat(tok.tokenBytes(3)).isEmpty();
        assertThat(tok.decode(new int[] {1, 3, 1000 + 'h', 1000 + 'i', 4, 2})).isEqualTo("hi");

        // the demo file lists its own 20 special tokens and has 100 special ids
        TekkenTokenizer demo = TekkenTokenizer.load(TokenizerTestData.demoTekken());
        assertThat(demo.numSpecialTokens()).isEqualTo(100);
        assertThat(demo.specialTokenId("[TOOL_CONTENT]")).isEqualTo(19);
        assertThat(demo.specialTokenId("<SPECIAL_99>")).isEqualTo(99);
        assertThat(demo.encode("A")).containsExactly(100 + 'A');
    }

    @Test
    void vocabularyIsCutAtDefaultVocabSize() throws IOException {
        TekkenTokenizer tok = TekkenTokenizer.load(TokenizerTestData.resource("tekken-test.json"));
        // 1500 learned tokens in the file, default_vocab_size 2300 = 1000 special + the first 1300
        assertThat(tok.vocabularySize()).isEqualTo(2300);
        assertThat(tok.tokenBytes(2299)).isNotEmpty();
        assertThatThrownBy(() -> tok.tokenBytes(2300)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2300").hasMessageContaining("tekken-test.json");
        for (String text : TEXTS) assertThat(Arrays.stream(tok.encode(text)).allMatch(id -> id >= 1000 && id < 2300)).isTrue();
        // a token past the cut is never produced, even for its own bytes
        String json = Files.readString(TokenizerTestData.resource("tekken-test.json"));
        byte[] cutToken = tokenBytesOfRank(json, 1400);
        String text = new String(cutToken, StandardCharsets.UTF_8);
        if (Arrays.equals(text.getBytes(StandardCharsets.UTF_8), cutToken)) {
            assertThat(tok.encode(text)).isNotEqualTo(new int[] {1000 + 1400});
        }
    }

    private static byte[] tokenBytesOfRank(String json, int rank) {
        int at = json.indexOf("{\"rank\":" + rank + ",");
        int start = json.indexOf("\"token_bytes\":\"", at) + 15;
        return java.util.Base64.getDecoder().decode(json.substring(start, json.indexOf('"', start)));
    }

    /**
     * Long pieces take the priority-queue merge; js-tiktoken checked a few of them (tekken-texts.json ends with
     * pieces thousands of bytes long); here the queue path must give what the plain scan gives on many more.
     */
    @Test
    void longPieceMergeAgreesWithThePlainScan() {
        TekkenTokenizer tok = TekkenTokenizer.load(TokenizerTestData.demoTekken());
        java.util.Random rnd = new java.util.Random(11);
        for (int i = 0; i < 200; i++) {
            String text = Utf8RoundTripTest.randomText(rnd, 300, true) + "self.assertEqual(x, y)  # " + "=".repeat(rnd.nextInt(40));
            byte[] piece = text.getBytes(StandardCharsets.UTF_8);
            IntList scan = new IntList(16), queue = new IntList(16);
            tok.bytePairMerge(piece, scan);
            tok.bytePairMergeLong(piece, queue);
            assertThat(queue.toArray()).as("case %d", i).containsExactly(scan.toArray());
        }
        assertThat(TEXTS.get(TEXTS.size() - 6)).hasSize(3000); // "=" * 3000 is among the reference texts
    }

    @Test
    void specialTokenNamesInTextAreEncodedAsText() {
        TekkenTokenizer tok = TekkenTokenizer.load(TokenizerTestData.demoTekken());
        int[] ids = tok.encode("[INST]hi</s>");
        assertThat(Arrays.stream(ids).allMatch(id -> id >= 100)).isTrue();
        assertThat(tok.decode(ids)).isEqualTo("[INST]hi</s>");
    }

    @Test
    void streamingDecodeEmitsACharacterSplitAcrossTokensOnceWhole() {
        TekkenTokenizer tok = TekkenTokenizer.load(TokenizerTestData.demoTekken());
        String text = "crab 🦀 and 日本";
        int[] ids = tok.encode(text);
        StreamingDecoder d = tok.streamingDecoder();
        List<String> pieces = new ArrayList<>();
        for (int id : ids) pieces.add(d.next(id));
        pieces.add(d.flush());
        assertThat(String.join("", pieces)).isEqualTo(text);
        assertThat(pieces).noneMatch(p -> p.contains("\uFFFD")).anyMatch(p -> p.contains("🦀"));
        assertThat(pieces.stream().filter(String::isEmpty).count()).as("tokens holding part of a character").isPositive();
        for (String p : pieces) SentencePieceTokenizerTest.hasNoBrokenSurrogate(p);
        // a special token between the bytes of one character ends the byte run, as mistral-common's decode does
        byte[] crab = "🦀".getBytes(StandardCharsets.UTF_8);
        int[] split = {100 + (crab[0] & 0xFF), 100 + (crab[1] & 0xFF), 3, 100 + (crab[2] & 0xFF), 100 + (crab[3] & 0xFF)};
        assertThat(tok.decode(split)).isEqualTo("\uFFFD\uFFFD\uFFFD");
        assertThat(tok.decode(new int[] {100 + (crab[0] & 0xFF), 100 + (crab[1] & 0xFF), 100 + 'a'})).isEqualTo("\uFFFDa");
    }

    @Test
    void badFilesFailNamingTheFileAndField(@TempDir Path dir) throws IOException {
        String good = Files.readString(TokenizerTestData.resource("tekken-test.json"));
        assertBad(dir, good.substring(0, good.length() / 2), "not valid JSON");
        assertBad(dir, "[1, 2, 3]", "JSON object");
        assertBad(dir, good.replace("\"pattern\":", "\"patterns\":"), "config.pattern");
        assertBad(dir, good.replace("\"default_vocab_size\":2300", "\"default_vocab_size\":9000"), "vocab has 1500 entries");
        assertBad(dir, good.replace("\"default_vocab_size\":2300", "\"default_vocab_size\":\"big\""), "config.default_vocab_size must be an integer");
        assertBad(dir, good.replace("{\"rank\":300,", "{\"rank\":301,"), "vocab[300].rank is 301");
        assertBad(dir, good.replace("{\"rank\":65,\"token_bytes\":\"QQ==\"", "{\"rank\":65,\"token_bytes\":\"Qg==\""), "vocab[65] must be the single byte 65");
        assertBad(dir, good.replace("{\"rank\":66,\"token_bytes\":\"Qg==\"", "{\"rank\":66,\"token_bytes\":\"@@\""), "vocab[66].token_bytes is not base64");
        String withSpecials = good.substring(0, good.length() - 2)
                + ",\"special_tokens\":[{\"rank\":0,\"token_str\":\"<unk>\",\"is_control\":true},"
                + "{\"rank\":1,\"token_str\":\"<s>\",\"is_control\":true},{\"rank\":1200,\"token_str\":\"</s>\",\"is_control\":true}]}";
        assertBad(dir, withSpecials, "past the 1000 special token ids");
        assertBad(dir, good.replace("\"pattern\":\"", "\"pattern\":\"(unclosed"), "config.pattern is not a regular expression");
        String duplicateFiller = good.substring(0, good.length() - 2)
                + ",\"special_tokens\":[{\"rank\":0,\"token_str\":\"<unk>\",\"is_control\":true},"
                + "{\"rank\":1,\"token_str\":\"<s>\",\"is_control\":true},{\"rank\":2,\"token_str\":\"<SPECIAL_7>\",\"is_control\":true}]}";
        assertBad(dir, duplicateFiller, "'<SPECIAL_7>' appears twice");
        // a huge special-token count is only a number: nothing is allocated per special id
        Path huge = dir.resolve("huge-tekken.json");
        Files.writeString(huge, good.replace("\"default_vocab_size\":2300,\"default_num_special_tokens\":1000",
                "\"default_vocab_size\":1000000300,\"default_num_special_tokens\":1000000000"));
        TekkenTokenizer t = TekkenTokenizer.load(huge);
        assertThat(t.vocabularySize()).isEqualTo(1_000_000_300);
        assertThat(t.specialTokenId("<SPECIAL_999999999>")).isEqualTo(999_999_999);
        assertThat(t.encode("A")).containsExactly(1_000_000_000 + 'A');
        assertThatThrownBy(() -> TekkenTokenizer.load(dir.resolve("absent.json")))
                .isInstanceOf(TokenizerFormatException.class).hasMessageContaining("absent.json");
    }

    private static void assertBad(Path dir, String content, String message) throws IOException {
        Path file = dir.resolve("tekken.json");
        Files.writeString(file, content);
        assertThatThrownBy(() -> TekkenTokenizer.load(file))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining(message);
    }
}
