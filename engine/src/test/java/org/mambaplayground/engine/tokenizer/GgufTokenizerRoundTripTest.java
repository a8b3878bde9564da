package org.mambaplayground.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mambaplayground.engine.tokenizer.GgufTokenizerKeys.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.io.TensorValues;
import org.mambaplayground.engine.io.gguf.GgufFile;
import org.mambaplayground.engine.io.gguf.GgufType;
import org.mambaplayground.engine.io.gguf.GgufValue;
import org.mambaplayground.engine.io.gguf.GgufWriter;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * Both demo tokenizers written as llama.cpp tokenizer metadata into a real GGUF file, read back and rebuilt: the
 * rebuilt tokenizer must encode every test text to exactly the original's ids and decode them the same, and the
 * metadata must have the exact types llama.cpp requires.
 */
class GgufTokenizerRoundTripTest {
    @TempDir Path dir;
    private int files;

    /** The test corpora: prose in many scripts, code, whitespace runs, emoji, rare characters, long pieces. */
    private static List<String> texts() {
        List<String> texts = new ArrayList<>(TokenizerTestData.lines("corpus.txt"));
        texts.addAll(TokenizerTestData.jsonStrings("tekken-texts.json"));
        texts.addAll(TokenizerTestData.jsonStrings("tekken-whitespace-texts.json"));
        texts.addAll(TokenizerTestData.lines("chat-parts.txt"));
        texts.addAll(List.of("", " ", "  leading", "trailing  ", "\n\n\t x", "[INST]hi[/INST]</s><s>", "<unk> <0x0A>",
                "[PAD4096]", "Ġ Ċ ĠĠ", "crab 🦀 and 日本\u200D👩‍👩‍👧"));
        Random rnd = new Random(8);
        for (int i = 0; i < 200; i++) texts.add(Utf8RoundTripTest.randomText(rnd, 80, true));
        return texts;
    }

    private Path write(Map<String, GgufValue> tokenizerMetadata, Consumer<Map<String, GgufValue>> edit) {
        Map<String, GgufValue> meta = new LinkedHashMap<>();
        meta.put("general.architecture", GgufValue.string("llama"));
        meta.putAll(tokenizerMetadata);
        edit.accept(meta);
        Path file = dir.resolve("tokenizer-" + files++ + ".gguf");
        GgufWriter.write(file, meta, List.of(new GgufWriter.Entry("token_embd.weight", new long[] {2, 32},
                WeightFormat.F32, TensorValues.of(new float[64]))));
        return file;
    }

    private Path write(Map<String, GgufValue> tokenizerMetadata) { return write(tokenizerMetadata, m -> {}); }

    private static Tokenizers.Loaded load(Path file) {
        try (GgufFile gguf = GgufFile.open(file)) {
            return GgufTokenizerLoader.load(gguf); // nothing of the tokenizer may point into the unmapped file
        }
    }

    private static void assertSameTokenizer(Tokenizers.Loaded original, Tokenizers.Loaded rebuilt) {
        Tokenizer a = original.tokenizer(), b = rebuilt.tokenizer();
        List<String> texts = texts();
        assertThat(texts).hasSizeGreaterThan(3000);
        List<String> mismatches = new ArrayList<>();
        for (String text : texts) {
            int[] ids = a.encode(text);
            int[] got = b.encode(text);
            if (!Arrays.equals(ids, got) && mismatches.size() < 10) {
                mismatches.add(text + "\n  original " + Arrays.toString(ids) + "\n  from GGUF " + Arrays.toString(got));
            }
            assertThat(b.decode(ids)).as("decode of %s", text).isEqualTo(a.decode(ids));
        }
        assertThat(mismatches).as("texts the GGUF tokenizer encodes differently").isEmpty();
        for (int id = 0; id < a.vocabularySize(); id++) {
            assertThat(b.tokenBytes(id)).as("token %d", id).isEqualTo(a.tokenBytes(id));
            assertThat(b.isSpecial(id)).as("token %d", id).isEqualTo(a.isSpecial(id));
        }
        assertThat(b.bos()).isEqualTo(a.bos());
        assertThat(b.eos()).isEqualTo(a.eos());
        for (String name : List.of("[INST]", "[/INST]", "<s>", "</s>", "<unk>", "[TOOL_CALLS]", "<SPECIAL_50>", "nope")) {
            assertThat(b.specialTokenId(name)).as(name).isEqualTo(a.specialTokenId(name));
        }
        List<ChatMessage> chat = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi 🦀"),
                ChatMessage.assistant("Hello!  "), ChatMessage.user("2+2?\n\tthanks"));
        assertThat(rebuilt.chatFormat().encodeDialog(chat)).containsExactly(original.chatFormat().encodeDialog(chat));
        assertThat(rebuilt.chatFormat().stopTokens()).containsExactly(original.chatFormat().stopTokens());
    }

    @Test
    void sentencePieceRoundTripsThroughGguf() {
        Tokenizers.Loaded original = Tokenizers.loadFile(TokenizerTestData.demoSentencePiece());
        int n = original.tokenizer().vocabularySize();
        Path file = write(GgufTokenizerMetadata.of(original.tokenizer(), n));
        Tokenizers.Loaded rebuilt = load(file);
        assertThat(rebuilt.tokenizer()).isInstanceOf(SentencePieceTokenizer.class);
        assertThat(rebuilt.file()).isEqualTo(file);
        assertThat(rebuilt.tokenizer().vocabularySize()).isEqualTo(n);
        assertSameTokenizer(original, rebuilt);
        SentencePieceTokenizer a = (SentencePieceTokenizer) original.tokenizer(), b = (SentencePieceTokenizer) rebuilt.tokenizer();
        for (int id = 0; id < n; id++) {
            assertThat(b.piece(id)).isEqualTo(a.piece(id));
            assertThat(b.type(id)).isEqualTo(a.type(id));
        }
    }

    @Test
    void sentencePieceMetadataHasLlamaCppsKeysAndTypes() {
        SentencePieceTokenizer tok = SentencePieceTokenizer.load(TokenizerTestData.demoSentencePiece());
        int n = tok.vocabularySize();
        try (GgufFile gguf = GgufFile.open(write(GgufTokenizerMetadata.of(tok, n)))) {
            Map<String, GgufValue> m = gguf.metadata();
            assertThat(m.get(MODEL)).isEqualTo(GgufValue.string("llama"));
            assertThat(m).doesNotContainKeys(PRE, MERGES);
            assertArray(m, TOKENS, GgufType.STRING, n);
            assertArray(m, SCORES, GgufType.FLOAT32, n);
            assertArray(m, TOKEN_TYPE, GgufType.INT32, n);
            for (String key : List.of(BOS_ID, EOS_ID, UNK_ID, PAD_ID)) assertThat(m.get(key).type()).as(key).isEqualTo(GgufType.UINT32);
            assertThat(gguf.integer(BOS_ID)).isEqualTo(1);
            assertThat(gguf.integer(EOS_ID)).isEqualTo(2);
            assertThat(gguf.integer(UNK_ID)).isEqualTo(0);
            assertThat(gguf.integer(PAD_ID)).isEqualTo(2); // no pad in the model: eos, as llama.cpp's converter does
            assertThat(m.get(ADD_BOS)).isEqualTo(GgufValue.bool(true));
            assertThat(m.get(ADD_EOS)).isEqualTo(GgufValue.bool(false));
            assertThat(m.get(ADD_SPACE_PREFIX)).isEqualTo(GgufValue.bool(tok.model().addDummyPrefix()));
            assertThat(m.get(CHAT_TEMPLATE)).isEqualTo(GgufValue.string("mistral-v3"));
            List<Object> tokens = objects(gguf.array(TOKENS, GgufType.STRING)), types = objects(gguf.array(TOKEN_TYPE, GgufType.INT32)),
                    scores = objects(gguf.array(SCORES, GgufType.FLOAT32));
            for (int id = 0; id < n; id++) {
                assertThat(tokens.get(id)).isEqualTo(tok.piece(id));
                assertThat(types.get(id)).isEqualTo((long) tok.type(id).number);
                assertThat((float) (double) (Double) scores.get(id)).isEqualTo(tok.model().pieces().get(id).score());
            }
            int newline = tokens.indexOf("<0x0A>");
            assertThat(types.get(newline)).isEqualTo(6L); // BYTE, upper-case hex as llama.cpp looks it up
            assertThat(tokens.indexOf("<0xAB>")).isPositive();
            assertThat(types.get(0)).isEqualTo(2L); // <unk>: UNKNOWN
            assertThat(types.get(1)).isEqualTo(3L); // <s>: CONTROL
            assertThat(tokens).anyMatch(t -> ((String) t).startsWith("\u2581"));
        }
    }

    /** The test vectors' tekken file too: no special_tokens list (mistral-common's defaults and fillers), a cut vocab. */
    @Test
    void tekkenRoundTripsThroughGguf() {
        tekkenRoundTrips(TokenizerTestData.demoTekken());
        tekkenRoundTrips(TokenizerTestData.resource("tekken-test.json"));
    }

    private void tekkenRoundTrips(Path source) {
        Tokenizers.Loaded original = Tokenizers.loadFile(source);
        int n = original.tokenizer().vocabularySize();
        Tokenizers.Loaded rebuilt = load(write(GgufTokenizerMetadata.of(original.tokenizer(), n)));
        assertThat(rebuilt.tokenizer()).isInstanceOf(TekkenTokenizer.class);
        assertThat(rebuilt.tokenizer().vocabularySize()).isEqualTo(n);
        assertSameTokenizer(original, rebuilt);
        TekkenTokenizer a = (TekkenTokenizer) original.tokenizer(), b = (TekkenTokenizer) rebuilt.tokenizer();
        assertThat(b.numSpecialTokens()).isEqualTo(a.numSpecialTokens());
        for (int id = 0; id < a.numSpecialTokens(); id++) assertThat(b.specialTokenName(id)).isEqualTo(a.specialTokenName(id));
    }

    @Test
    void tekkenMetadataHasLlamaCppsKeysAndTypes() {
        TekkenTokenizer tok = TekkenTokenizer.load(TokenizerTestData.demoTekken());
        assertThat(tok.pattern()).isEqualTo(TEKKEN_PATTERN);
        int n = tok.vocabularySize(), s = tok.numSpecialTokens();
        try (GgufFile gguf = GgufFile.open(write(GgufTokenizerMetadata.of(tok, n)))) {
            Map<String, GgufValue> m = gguf.metadata();
            assertThat(m.get(MODEL)).isEqualTo(GgufValue.string("gpt2"));
            assertThat(m.get(PRE)).isEqualTo(GgufValue.string("tekken"));
            assertArray(m, TOKENS, GgufType.STRING, n);
            assertArray(m, TOKEN_TYPE, GgufType.INT32, n);
            assertThat(m.get(MERGES).type()).isEqualTo(GgufType.ARRAY);
            assertThat(m.get(MERGES).elementType()).isEqualTo(GgufType.STRING);
            assertThat(m).doesNotContainKey(SCORES).doesNotContainKey(ADD_SPACE_PREFIX);
            for (String key : List.of(BOS_ID, EOS_ID, UNK_ID, PAD_ID)) assertThat(m.get(key).type()).as(key).isEqualTo(GgufType.UINT32);
            assertThat(gguf.integer(BOS_ID)).isEqualTo(1);
            assertThat(gguf.integer(EOS_ID)).isEqualTo(2);
            assertThat(gguf.integer(UNK_ID)).isEqualTo(0);
            assertThat(gguf.integer(PAD_ID)).isEqualTo(11); // <pad>
            assertThat(m.get(ADD_BOS)).isEqualTo(GgufValue.bool(true));
            assertThat(m.get(ADD_EOS)).isEqualTo(GgufValue.bool(false));
            assertThat(m.get(CHAT_TEMPLATE)).isEqualTo(GgufValue.string("mistral-v3-tekken"));
            List<Object> tokens = objects(gguf.array(TOKENS, GgufType.STRING)), types = objects(gguf.array(TOKEN_TYPE, GgufType.INT32));
            assertThat(tokens.subList(0, 5)).containsExactly("<unk>", "<s>", "</s>", "[INST]", "[/INST]");
            assertThat(tokens.get(50)).isEqualTo("<SPECIAL_50>");
            for (int id = 0; id < s; id++) assertThat(types.get(id)).isEqualTo(3L);
            for (int id = s; id < n; id++) {
                assertThat(types.get(id)).isEqualTo(1L);
                assertThat(tokens.get(id)).isEqualTo(ByteToUnicode.encode(tok.tokenBytes(id)));
            }
            assertThat(tokens.get(s + 'A')).isEqualTo("A");
            assertThat(tokens.get(s + ' ')).isEqualTo("Ġ");
            assertThat(tokens.get(s + '\n')).isEqualTo("Ċ");
            assertThat((String) tokens.get(tok.encode(" the")[0])).startsWith("Ġt");
            assertThat(objects(gguf.array(MERGES, GgufType.STRING))).contains("Ġ t").allMatch(x -> ((String) x).indexOf(' ', 1) > 0);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> objects(List<?> list) { return (List<Object>) list; }

    private static void assertArray(Map<String, GgufValue> m, String key, GgufType element, int size) {
        assertThat(m.get(key).type()).as(key).isEqualTo(GgufType.ARRAY);
        assertThat(m.get(key).elementType()).as(key).isEqualTo(element);
        assertThat(m.get(key).list()).as(key).hasSize(size);
    }

    @Test
    void tokenListIsPaddedToTheModelsVocabulary() {
        for (Path source : List.of(TokenizerTestData.demoSentencePiece(), TokenizerTestData.demoTekken())) {
            Tokenizers.Loaded original = Tokenizers.loadFile(source);
            int n = original.tokenizer().vocabularySize();
            Map<String, GgufValue> meta = GgufTokenizerMetadata.of(original.tokenizer(), n + 7);
            List<Object> tokens = objects(meta.get(TOKENS).list()), types = objects(meta.get(TOKEN_TYPE).list());
            assertThat(tokens).hasSize(n + 7);
            assertThat(tokens.get(n)).isEqualTo("[PAD" + n + "]");
            assertThat(tokens.get(n + 6)).isEqualTo("[PAD" + (n + 6) + "]");
            assertThat(types.subList(n, n + 7)).containsOnly(5L); // UNUSED
            if (meta.containsKey(SCORES)) assertThat(objects(meta.get(SCORES).list()).subList(n, n + 7)).containsOnly(-10000.0);
            Path file = write(meta);
            Tokenizers.Loaded rebuilt = load(file);
            Tokenizer b = rebuilt.tokenizer();
            assertThat(b.vocabularySize()).isEqualTo(n + 7);
            for (String text : TokenizerTestData.lines("corpus.txt")) {
                assertThat(b.encode(text)).as(text).containsExactly(original.tokenizer().encode(text));
            }
            assertThat(b.encode("[PAD" + n + "]")).doesNotContain(n);
            // written again from the GGUF tokenizer: the same metadata
            assertThat(GgufTokenizerMetadata.of(b, n + 7)).isEqualTo(meta);
        }
        TekkenTokenizer padded = (TekkenTokenizer) load(write(GgufTokenizerMetadata.of(
                TekkenTokenizer.load(TokenizerTestData.demoTekken()), 4100))).tokenizer();
        assertThat(padded.tokenBytes(4099)).isEmpty();
        assertThat(padded.isSpecial(4099)).isTrue();
        assertThat(padded.decode(new int[] {100 + 'h', 4099, 100 + 'i'})).isEqualTo("hi");
    }

    @Test
    void aTokenizerLargerThanTheModelVocabularyIsRefused() {
        for (Path source : List.of(TokenizerTestData.demoSentencePiece(), TokenizerTestData.demoTekken())) {
            Tokenizer tok = Tokenizers.loadFile(source).tokenizer();
            assertThatThrownBy(() -> GgufTokenizerMetadata.of(tok, tok.vocabularySize() - 1))
                    .isInstanceOf(TokenizerFormatException.class)
                    .hasMessageContaining(source.toString())
                    .hasMessageContaining(tok.vocabularySize() + " tokens")
                    .hasMessageContaining(String.valueOf(tok.vocabularySize() - 1));
        }
    }

    @Test
    void settingsGgufCannotCarryAreRefused() {
        Path userdef = TokenizerTestData.resource("spm-userdef.model"); // removes extra whitespace: llama.cpp cannot
        SentencePieceTokenizer spm = SentencePieceTokenizer.load(userdef);
        assertThatThrownBy(() -> GgufTokenizerMetadata.of(spm, spm.vocabularySize()))
                .isInstanceOf(TokenizerFormatException.class).hasMessageContaining(userdef.toString())
                .hasMessageContaining("remove_extra_whitespaces");
        TekkenTokenizer demo = TekkenTokenizer.load(TokenizerTestData.demoTekken());
        List<byte[]> ranks = new ArrayList<>();
        for (int r = 0; r < demo.normalTokenCount(); r++) ranks.add(demo.tokenBytes(demo.numSpecialTokens() + r));
        List<String> specials = new ArrayList<>();
        for (int id = 0; id < demo.numSpecialTokens(); id++) specials.add(demo.specialTokenName(id));
        TekkenTokenizer otherPattern = TekkenTokenizer.of(demo.file(), "v3", "\\s+|\\S+", specials,
                demo.numSpecialTokens(), demo.vocabularySize(), ranks, r -> "vocab[" + r + "]");
        assertThatThrownBy(() -> GgufTokenizerMetadata.of(otherPattern, 4096))
                .isInstanceOf(TokenizerFormatException.class).hasMessageContaining("config.pattern")
                .hasMessageContaining("tekken");
    }

    @Test
    void metadataFromAModelFolderIsTheTokenizersOwn() {
        Path folder = TokenizerTestData.demoTekken().getParent();
        assertThat(GgufTokenizerMetadata.of(folder, 4096))
                .isEqualTo(GgufTokenizerMetadata.of(TekkenTokenizer.load(TokenizerTestData.demoTekken()), 4096));
    }

    @Test
    void unknownModelPreTokenizerAndTemplateAreRefusedNamingFileAndKey() {
        Map<String, GgufValue> tekken = GgufTokenizerMetadata.of(TekkenTokenizer.load(TokenizerTestData.demoTekken()), 4096);
        Map<String, GgufValue> spm = GgufTokenizerMetadata.of(SentencePieceTokenizer.load(TokenizerTestData.demoSentencePiece()), 4096);
        assertRefused(write(spm, m -> m.put(MODEL, GgufValue.string("bert"))), MODEL, "'bert'", "'llama'", "'gpt2'", "'tekken'");
        assertRefused(write(tekken, m -> m.put(PRE, GgufValue.string("llama-bpe"))), PRE, "'llama-bpe'", "'tekken'");
        assertRefused(write(tekken, m -> m.remove(PRE)), PRE, "missing", "'tekken'");
        assertRefused(write(tekken, m -> m.put(CHAT_TEMPLATE, GgufValue.string("chatml"))), CHAT_TEMPLATE, "'chatml'", "mistral-v3");
        assertRefused(write(spm, m -> m.remove(MODEL)), MODEL);
        assertRefused(write(tekken, m -> m.remove(MERGES)), MERGES);
        assertRefused(write(spm, m -> m.put(TOKEN_TYPE, GgufValue.array(GgufType.UINT8, m.get(TOKEN_TYPE).list()))), TOKEN_TYPE, "INT32");
        // merges out of token order would give llama.cpp a different priority than the ranks
        assertRefused(write(tekken, m -> {
            List<Object> merges = new ArrayList<>(m.get(MERGES).list());
            merges.add(0, merges.remove(merges.size() - 1));
            m.put(MERGES, GgufValue.array(GgufType.STRING, merges));
        }), MERGES + "[1]", "token order");
        assertRefused(write(tekken, m -> {
            List<Object> tokens = new ArrayList<>(m.get(TOKENS).list());
            tokens.set(150, "a b"); // a space is never part of a byte-level token
            m.put(TOKENS, GgufValue.array(GgufType.STRING, tokens));
        }), TOKENS + "[150]", "byte-to-unicode");
        assertRefused(write(tekken, m -> m.put(BOS_ID, GgufValue.u32(5))), BOS_ID, "<s>");
        assertRefused(write(spm, m -> m.put(EOS_ID, GgufValue.u32(99999))), EOS_ID, "99999");
    }

    private static void assertRefused(Path file, String... messageParts) {
        var thrown = assertThatThrownBy(() -> load(file)).hasMessageContaining(file.toString());
        for (String part : messageParts) thrown.hasMessageContaining(part);
    }
}
