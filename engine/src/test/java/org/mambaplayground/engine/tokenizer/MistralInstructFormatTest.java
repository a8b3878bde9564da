package org.mambaplayground.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The instruct layout, token by token, against sequences derived from mistral-common's InstructTokenizerV3
 * (tokens/tokenizers/instruct.py) and the reference encoders:
 * <pre>
 *   encode_instruct:      [BOS] + each message's tokens
 *   user message:         [INST] + encode(content) + [/INST], content = system_prompt + "\n\n" + content
 *                         for the last user message only (encode_user_content, is_last)
 *   assistant message:    encode(content.rstrip(" ")) + [EOS]
 *   system prompt:        all system messages joined with "\n\n" (the request normalizer)
 *   encode(s):            SentencePieceTokenizer: sp.encode(s), with the model's dummy prefix;
 *                         Tekkenizer: tiktoken encode, ranks shifted by the number of special tokens
 * </pre>
 * Conversation: system S1, user U1, assistant A1 + "  ", system S2, user U2 (chat-parts.txt).
 * <p>The per-text ids come from spm_encode / js-tiktoken (tools/tokenizers/make_test_vectors.sh). spm_encode
 * reads one line at a time, so the last user text (which holds newlines) is put together from parts: the demo
 * vocabulary has no piece containing "\n" (spm_train learns from single lines), so a newline is the byte piece
 * {@code <0x0A>} (id 771 + 10) and no merge crosses it; the text after it is segmented as if it began a text
 * without a dummy prefix, which spm_encode shows with a copy of the model whose add_dummy_prefix is false.
 */
class MistralInstructFormatTest {
    private static final List<String> PARTS = TokenizerTestData.lines("chat-parts.txt");
    private static final List<ChatMessage> CONVERSATION = List.of(
            ChatMessage.system(PARTS.get(2)),
            ChatMessage.user(PARTS.get(0)),
            ChatMessage.assistant(PARTS.get(1) + "  "),
            ChatMessage.system(PARTS.get(3)),
            ChatMessage.user(PARTS.get(4)));

    @Test
    void sentencePieceV3LayoutMatchesTheReference() {
        Tokenizers.Loaded loaded = Tokenizers.load(TokenizerTestData.demoSentencePiece().getParent());
        List<int[]> withPrefix = TokenizerTestData.ids("chat-spm-demo.ids");
        List<int[]> noPrefix = TokenizerTestData.ids("chat-spm-demo-nodummy.ids");
        int newline = 771 + 0x0A;
        int[] expected = join(
                new int[] {1, 3}, withPrefix.get(0), new int[] {4},         // <s>[INST] U1 [/INST]
                withPrefix.get(1), new int[] {2},                          // A1 </s>
                new int[] {3}, withPrefix.get(2), new int[] {newline, newline}, // [INST] S1 \n\n
                noPrefix.get(3), new int[] {newline, newline},            // S2 \n\n
                noPrefix.get(4), new int[] {4});                          // U2 [/INST]
        assertThat(loaded.chatFormat().encodeDialog(CONVERSATION)).containsExactly(expected);
        SentencePieceTokenizer tok = (SentencePieceTokenizer) loaded.tokenizer();
        assertThat(tok.piece(newline)).isEqualTo("<0x0A>");
        assertThat(loaded.chatFormat().stopTokens()).containsExactly(2);
        assertThat(loaded.chatFormat().encodeCompletion(PARTS.get(0))).containsExactly(join(new int[] {1}, withPrefix.get(0)));
    }

    @Test
    void tekkenLayoutMatchesTheReference() {
        Tokenizers.Loaded loaded = Tokenizers.load(TokenizerTestData.demoTekken().getParent());
        assertThat(loaded.tokenizer()).isInstanceOf(TekkenTokenizer.class);
        List<int[]> js = TokenizerTestData.ids("chat-tekken-demo.ids"); // U1, A1, S1 + "\n\n" + S2 + "\n\n" + U2
        int[] expected = join(new int[] {1, 3}, js.get(0), new int[] {4}, js.get(1), new int[] {2},
                new int[] {3}, js.get(2), new int[] {4});
        assertThat(loaded.chatFormat().encodeDialog(CONVERSATION)).containsExactly(expected);
        assertThat(loaded.chatFormat().stopTokens()).containsExactly(2);
    }

    /**
     * mistral-common's normalizer (protocol/instruct/normalize.py, _aggregate_messages): runs of same-role messages
     * are joined with "\n\n"; system messages leave the list but still end a run; a conversation of system
     * messages only gets an empty user message. (One that starts with an assistant message is refused here.)
     */
    @Test
    void messagesAreNormalizedLikeMistralCommon() {
        Tokenizer tok = Tokenizers.load(TokenizerTestData.demoTekken().getParent()).tokenizer();
        ChatFormat format = new MistralInstructFormat(tok);
        assertThat(format.encodeDialog(List.of(ChatMessage.user("a"), ChatMessage.user("b"), ChatMessage.assistant("c"))))
                .containsExactly(join(new int[] {1, 3}, tok.encode("a\n\nb"), new int[] {4}, tok.encode("c"), new int[] {2}));
        assertThat(format.encodeDialog(List.of(ChatMessage.user("a"), ChatMessage.system("s"), ChatMessage.user("b"))))
                .containsExactly(join(new int[] {1, 3}, tok.encode("a"), new int[] {4, 3}, tok.encode("s\n\nb"), new int[] {4}));
        assertThatThrownBy(() -> format.encodeDialog(List.of(ChatMessage.assistant("b"), ChatMessage.user("a"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("start with a user message");
        assertThat(format.encodeDialog(List.of(ChatMessage.system("only system"))))
                .containsExactly(join(new int[] {1, 3}, tok.encode("only system\n\n"), new int[] {4}));
        assertThatThrownBy(() -> format.encodeDialog(List.of(ChatMessage.user("q"), ChatMessage.assistant("   "))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("assistant message at index 1 is empty");
        // the index is the caller's, system messages and merged runs included
        assertThatThrownBy(() -> format.encodeDialog(List.of(ChatMessage.system("s"), ChatMessage.user("q"), ChatMessage.user("r"),
                ChatMessage.assistant(" "), ChatMessage.user("t"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("assistant message at index 3 is empty");
    }

    private static int[] join(int[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToInt(IntStream::of).toArray();
    }

    /**
     * mistral-common's InstructTokenizerV1 (Mistral 7B v0.1, Mixtral), on the demo vocabulary with its [INST] and
     * [/INST] pieces made ordinary text (as in a v1 vocabulary, which has no such control tokens): the markers are
     * encoded as part of the user's text, and the system prompt goes before the first user message.
     */
    @Test
    void v1LayoutEncodesTheMarkersAsTextAndPutsTheSystemPromptFirst() {
        SentencePieceModel v3 = SentencePieceTokenizer.load(TokenizerTestData.demoSentencePiece()).model();
        List<SentencePieceModel.Piece> pieces = new java.util.ArrayList<>();
        for (SentencePieceModel.Piece p : v3.pieces()) {
            boolean marker = p.text().equals("[INST]") || p.text().equals("[/INST]");
            pieces.add(marker ? new SentencePieceModel.Piece("\u0000unused" + pieces.size(), p.score(), SentencePieceModel.Type.UNUSED) : p);
        }
        SentencePieceTokenizer t = new SentencePieceTokenizer(new SentencePieceModel(v3.file(), pieces, v3.modelType(), v3.byteFallback(),
                v3.treatWhitespaceAsSuffix(), v3.unkId(), v3.bosId(), v3.eosId(), v3.padId(), v3.unkSurface(), v3.normalizerName(),
                v3.hasPrecompiledCharsmap(), v3.addDummyPrefix(), v3.removeExtraWhitespaces(), v3.escapeWhitespaces()));
        assertThat(new MistralInstructFormat(SentencePieceTokenizer.load(TokenizerTestData.demoSentencePiece())).isV1()).isFalse();
        MistralInstructFormat f = MistralInstructFormat.of(t);
        assertThat(f.isV1()).isTrue();
        int[] dialog = f.encodeDialog(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"),
                ChatMessage.assistant("Hello! "), ChatMessage.user("2+2?")));
        IntList expected = new IntList(64);
        expected.add(t.bos());
        expected.addAll(t.encode("[INST] Be brief.\n\nHi [/INST]"));
        expected.addAll(t.encode("Hello! "));
        expected.add(t.eos());
        expected.addAll(t.encode("[INST] 2+2? [/INST]"));
        assertThat(dialog).containsExactly(expected.toArray());
        // turn by turn: the system prompt only where the conversation opens
        IntList turns = new IntList(64);
        turns.addAll(f.encodeUserTurn("Be brief.", "Hi", true));
        turns.addAll(t.encode("Hello! "));
        turns.add(t.eos());
        turns.addAll(f.encodeUserTurn("Be brief.", "2+2?", false));
        assertThat(turns.toArray()).containsExactly(dialog);
    }
}
