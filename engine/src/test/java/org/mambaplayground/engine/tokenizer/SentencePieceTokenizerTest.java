package org.mambaplayground.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SentencePiece encoding and decoding against Debian's spm_encode/spm_decode (vectors made by
 * tools/tokenizers/make_test_vectors.sh on a 1500-line corpus of code, prose in many scripts, emoji, whitespace
 * runs and rare characters that need byte fallback).
 */
class SentencePieceTokenizerTest {
    private static final List<String> CORPUS = TokenizerTestData.lines("corpus.txt");

    @Test
    void corpusHasTheVarietyTheComparisonNeeds() {
        assertThat(CORPUS).hasSizeGreaterThanOrEqualTo(1000);
        assertThat(CORPUS).anyMatch(l -> l.contains("\t")).anyMatch(l -> l.contains("    "))
                .anyMatch(l -> l.codePoints().anyMatch(c -> c > 0xFFFF)).anyMatch(l -> l.contains("def "))
                .anyMatch(l -> l.contains("fn main")).anyMatch(l -> l.contains("\u200D"));
    }

    @Test
    void testModelEncodesTheCorpusLikeSpmEncode() {
        assertEncodesLikeSpm(SentencePieceTokenizer.load(TokenizerTestData.resource("spm-test.model")), "spm-test.ids");
    }

    @Test
    void demoModelEncodesTheCorpusLikeSpmEncode() {
        assertEncodesLikeSpm(SentencePieceTokenizer.load(TokenizerTestData.demoSentencePiece()), "spm-demo.ids");
    }

    /** User-defined symbols, and the normalizer's whitespace removal (off in Mistral's models, on by default). */
    @Test
    void userDefinedSymbolsAndWhitespaceRemovalLikeSpm() {
        SentencePieceTokenizer tok = SentencePieceTokenizer.load(TokenizerTestData.resource("spm-userdef.model"));
        assertThat(tok.model().removeExtraWhitespaces()).isTrue();
        assertThat(tok.type(tok.vocabularySize() - 1)).isNotNull();
        int self = -1;
        for (int i = 0; i < tok.vocabularySize(); i++) {
            if (tok.piece(i).equals("self.")) self = i;
        }
        assertThat(self).isPositive();
        assertThat(tok.type(self)).isEqualTo(SentencePieceModel.Type.USER_DEFINED);
        List<int[]> expected = TokenizerTestData.ids("spm-userdef.ids");
        List<String> decoded = TokenizerTestData.lines("spm-userdef.decoded");
        List<String> mismatches = new ArrayList<>();
        int withSelf = 0;
        for (int i = 0; i < CORPUS.size(); i++) {
            int[] got = tok.encode(CORPUS.get(i));
            if (!Arrays.equals(got, expected.get(i))) mismatches.add(i + ": " + CORPUS.get(i));
            final int selfId = self;
            if (Arrays.stream(got).anyMatch(t -> t == selfId)) withSelf++;
            assertThat(tok.decode(expected.get(i))).as("decode line %d", i).isEqualTo(decoded.get(i));
        }
        assertThat(mismatches).as("lines encoded differently from spm_encode").isEmpty();
        assertThat(withSelf).as("lines using the user-defined symbol").isGreaterThan(20);
        assertThat(tok.encode("   ")).isEmpty();
        assertThat(tok.decode(tok.encode("  a  \t b  "))).isEqualTo("a \t b");
    }

    private static void assertEncodesLikeSpm(SentencePieceTokenizer tok, String idsFile) {
        List<int[]> expected = TokenizerTestData.ids(idsFile);
        assertThat(expected).hasSameSizeAs(CORPUS);
        List<String> mismatches = new ArrayList<>();
        int byteFallbackLines = 0;
        for (int i = 0; i < CORPUS.size(); i++) {
            int[] got = tok.encode(CORPUS.get(i));
            if (!Arrays.equals(got, expected.get(i))) {
                mismatches.add(i + ": " + CORPUS.get(i) + "\n  spm  " + Arrays.toString(expected.get(i))
                        + "\n  java " + Arrays.toString(got));
            }
            if (Arrays.stream(got).anyMatch(t -> tok.type(t) == SentencePieceModel.Type.BYTE)) byteFallbackLines++;
            // spm_decode gave the corpus back exactly (checked by the script); so must we
            assertThat(tok.decode(expected.get(i))).as("decode line %d", i).isEqualTo(CORPUS.get(i));
        }
        assertThat(mismatches).as("lines encoded differently from spm_encode").isEmpty();
        assertThat(byteFallbackLines).as("lines that needed byte fallback").isGreaterThan(100);
    }

    @Test
    void demoModelHasTheV3ControlTokensAtTheRealIds() {
        SentencePieceTokenizer tok = SentencePieceTokenizer.load(TokenizerTestData.demoSentencePiece());
        assertThat(tok.vocabularySize()).isEqualTo(4096);
        String[] names = {"<unk>", "<s>", "</s>", "[INST]", "[/INST]", "[TOOL_CALLS]", "[AVAILABLE_TOOLS]",
                "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]", "[/TOOL_RESULTS]", "[control_8]"};
        for (int i = 0; i < names.length; i++) assertThat(tok.piece(i)).isEqualTo(names[i]);
        assertThat(tok.piece(770)).isEqualTo("[control_768]");
        assertThat(tok.piece(771)).isEqualTo("<0x00>");
        assertThat(tok.piece(1026)).isEqualTo("<0xFF>");
        assertThat(tok.bos()).isEqualTo(1);
        assertThat(tok.eos()).isEqualTo(2);
        assertThat(tok.unk()).isZero();
        assertThat(tok.specialTokenId("[INST]")).isEqualTo(3);
        assertThat(tok.specialTokenId("[/INST]")).isEqualTo(4);
        assertThat(tok.specialTokenId("▁the")).isEqualTo(-1);
        assertThat(tok.isSpecial(3)).isTrue();
        assertThat(tok.isSpecial(771)).isFalse();
        assertThat(tok.model().byteFallback()).isTrue();
        assertThat(tok.model().addDummyPrefix()).isTrue();
        assertThat(tok.model().removeExtraWhitespaces()).isFalse();
    }

    @Test
    void controlTokenNamesInTextAreEncodedAsText() {
        SentencePieceTokenizer tok = SentencePieceTokenizer.load(TokenizerTestData.demoSentencePiece());
        int[] ids = tok.encode("[INST] hi </s>");
        assertThat(ids).doesNotContain(1, 2, 3, 4);
        assertThat(tok.decode(ids)).isEqualTo("[INST] hi </s>");
    }

    @Test
    void decodeDropsControlTokensAndOnlyTheFirstDummySpace() {
        SentencePieceTokenizer tok = SentencePieceTokenizer.load(TokenizerTestData.demoSentencePiece());
        int[] hello = tok.encode("Hello world");
        assertThat(tok.piece(hello[0])).startsWith("▁");
        int[] withControls = new int[hello.length + 2];
        withControls[0] = 1;
        System.arraycopy(hello, 0, withControls, 1, hello.length);
        withControls[withControls.length - 1] = 2;
        assertThat(tok.decode(withControls)).isEqualTo("Hello world");
        assertThat(tok.decode(concat(hello, hello))).isEqualTo("Hello world Hello world");
        assertThat(tok.encode("")).isEmpty();
        assertThat(tok.decode(tok.encode("  two leading spaces"))).isEqualTo("  two leading spaces");
    }

    @Test
    void streamingDecodeEmitsEachCharacterOnceAndWhole() {
        SentencePieceTokenizer tok = SentencePieceTokenizer.load(TokenizerTestData.demoSentencePiece());
        // 🗾 is not in the demo vocabulary: four byte pieces
        int[] ids = tok.encode("Japan 🗾!");
        List<String> pieces = new ArrayList<>();
        StreamingDecoder d = tok.streamingDecoder();
        for (int id : ids) pieces.add(d.next(id));
        pieces.add(d.flush());
        assertThat(String.join("", pieces)).isEqualTo("Japan 🗾!");
        assertThat(pieces).contains("🗾").noneMatch(p -> p.contains("\uFFFD"));
        assertThat(pieces.stream().filter(String::isEmpty).count()).isGreaterThanOrEqualTo(3);
        assertThat(tok.piece(ids[0])).startsWith("▁");
        assertThat(pieces.getFirst()).startsWith("J"); // the dummy-prefix space is dropped

        for (String line : CORPUS) {
            StreamingDecoder s = tok.streamingDecoder();
            StringBuilder out = new StringBuilder();
            for (int id : tok.encode(line)) {
                String p = s.next(id);
                assertThat(p).as("piece of %s", line).satisfies(SentencePieceTokenizerTest::hasNoBrokenSurrogate);
                out.append(p);
            }
            out.append(s.flush());
            assertThat(out.toString()).isEqualTo(line);
        }
    }

    @Test
    void malformedBytePiecesBecomeOneReplacementPerByteLikeSpmDecode() {
        SentencePieceTokenizer tok = SentencePieceTokenizer.load(TokenizerTestData.demoSentencePiece());
        int e2 = 771 + 0xE2, x82 = 771 + 0x82;
        int a = pieceId(tok, "a");
        // spm_decode: an unfinished sequence is replaced byte by byte when the byte run ends
        assertThat(tok.decode(new int[] {e2, x82, a})).isEqualTo("\uFFFD\uFFFDa");
        assertThat(tok.decode(new int[] {e2, x82})).isEqualTo("\uFFFD\uFFFD");
        StreamingDecoder d = tok.streamingDecoder();
        assertThat(d.next(e2)).isEmpty();
        assertThat(d.next(x82)).isEmpty();
        assertThat(d.next(771 + 0xAC)).isEqualTo("€");
    }

    @Test
    void truncatedModelFailsNamingTheFile(@TempDir Path dir) throws IOException {
        byte[] model = Files.readAllBytes(TokenizerTestData.resource("spm-test.model"));
        for (int cut : new int[] {1, 3, 100, model.length / 2, model.length - 1}) {
            Path file = dir.resolve("tokenizer.model.v3");
            Files.write(file, Arrays.copyOf(model, cut));
            assertThatThrownBy(() -> SentencePieceTokenizer.load(file))
                    .as("cut at %d", cut)
                    .isInstanceOf(TokenizerFormatException.class)
                    .hasMessageContaining(file.toString());
        }
        Path text = dir.resolve("notes.model");
        Files.writeString(text, "this is not a protobuf at all\n");
        assertThatThrownBy(() -> SentencePieceTokenizer.load(text))
                .isInstanceOf(TokenizerFormatException.class).hasMessageContaining(text.toString());
        Path empty = dir.resolve("empty.model");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> SentencePieceTokenizer.load(empty))
                .isInstanceOf(TokenizerFormatException.class).hasMessageContaining("no pieces");
        assertThatThrownBy(() -> SentencePieceTokenizer.load(dir.resolve("missing.model")))
                .isInstanceOf(TokenizerFormatException.class).hasMessageContaining("missing.model");
    }

    @Test
    void tokenIdPastTheVocabularyIsAClearError() {
        SentencePieceTokenizer tok = SentencePieceTokenizer.load(TokenizerTestData.demoSentencePiece());
        assertThatThrownBy(() -> tok.decode(new int[] {5, 4096}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4096").hasMessageContaining("tokenizer.model.v3");
        assertThatThrownBy(() -> tok.streamingDecoder().next(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    static void hasNoBrokenSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                assertThat(i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))).as("broken pair in %s", s).isTrue();
                i++;
            } else {
                assertThat(Character.isLowSurrogate(c)).as("broken pair in %s", s).isFalse();
            }
        }
    }

    private static int pieceId(SentencePieceTokenizer tok, String piece) {
        for (int i = 0; i < tok.vocabularySize(); i++) if (tok.piece(i).equals(piece)) return i;
        throw new AssertionError("no piece " + piece);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
