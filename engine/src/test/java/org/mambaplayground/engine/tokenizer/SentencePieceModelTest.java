package org.mambaplayground.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Hand-written ModelProto bytes: fields the reader needs, defaults, and files that lack what a tokenizer needs. */
class SentencePieceModelTest {
    private static final Path FILE = Path.of("models", "tokenizer.model.v3");

    /** A minimal protobuf writer for the test messages. */
    private static final class Proto {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            key(field, 0);
            raw(value);
            return this;
        }

        Proto fixed32(int field, float value) {
            key(field, 5);
            int bits = Float.floatToIntBits(value);
            for (int i = 0; i < 4; i++) out.write(bits >>> (8 * i));
            return this;
        }

        Proto bytes(int field, byte[] value) {
            key(field, 2);
            raw(value.length);
            out.writeBytes(value);
            return this;
        }

        Proto string(int field, String value) { return bytes(field, value.getBytes(StandardCharsets.UTF_8)); }

        Proto message(int field, Proto value) { return bytes(field, value.out.toByteArray()); }

        private void key(int field, int wire) { raw((long) field << 3 | wire); }

        private void raw(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) (v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
        }

        byte[] toBytes() { return out.toByteArray(); }
    }

    private static Proto piece(String text, float score, int type) {
        return new Proto().string(1, text).fixed32(2, score).varint(3, type);
    }

    /** <unk> <s> </s> [INST] [/INST] then a, b, ab, ▁, ▁a; BPE, no byte fallback, pad_id -1 as spm_train writes it. */
    private static Proto model(Proto trainer) {
        Proto m = new Proto();
        m.message(1, piece("<unk>", 0, 2)).message(1, piece("<s>", 0, 3)).message(1, piece("</s>", 0, 3))
                .message(1, piece("[INST]", 0, 3)).message(1, piece("[/INST]", 0, 3))
                .message(1, piece("a", -1, 1)).message(1, piece("b", -2, 1)).message(1, piece("ab", -0.5f, 1))
                .message(1, piece("\u2581", -3, 1)).message(1, piece("\u2581a", -0.1f, 1));
        m.message(2, trainer);
        m.message(3, new Proto().string(1, "identity").varint(4, 0));
        m.message(99, new Proto().string(1, "an unknown field is skipped"));
        return m;
    }

    private static Proto bpeTrainer() {
        return new Proto().varint(3, 2).varint(40, 0).varint(41, 1).varint(42, 2).varint(43, -1);
    }

    @Test
    void readsPiecesSpecsAndDefaults() {
        SentencePieceModel m = SentencePieceModel.parse(FILE, model(bpeTrainer()).toBytes());
        assertThat(m.pieces()).hasSize(10);
        assertThat(m.pieces().get(7)).isEqualTo(new SentencePieceModel.Piece("ab", -0.5f, SentencePieceModel.Type.NORMAL));
        assertThat(m.modelType()).isEqualTo(SentencePieceModel.MODEL_BPE);
        assertThat(m.padId()).isEqualTo(-1);
        assertThat(m.addDummyPrefix()).isTrue();          // proto default
        assertThat(m.removeExtraWhitespaces()).isFalse();
        assertThat(m.unkSurface()).isEqualTo(" \u2047 ");
        SentencePieceTokenizer tok = new SentencePieceTokenizer(m);
        // "aab": ▁a + a + b; then ab (score -0.5) beats nothing else left: ▁a, ab
        assertThat(tok.encode("aab")).containsExactly(9, 7);
        // no byte fallback: unknown characters collapse into one <unk>, decoded as " ⁇ "
        assertThat(tok.encode("a\u00e9\u00e9")).containsExactly(9, 0);
        assertThat(tok.decode(new int[] {1, 9, 0, 2})).isEqualTo("a \u2047 ");
        assertThat(new MistralInstructFormat(tok).encodeDialog(java.util.List.of(ChatMessage.user("ab"))))
                .containsExactly(1, 3, 9, 6, 4);
    }

    @Test
    void filesMissingWhatATokenizerNeedsAreNamed() {
        assertThatThrownBy(() -> SentencePieceModel.parse(FILE, new Proto().message(1, piece("a", 0, 1)).toBytes()))
                .isInstanceOf(TokenizerFormatException.class).hasMessageContaining(FILE.toString()).hasMessageContaining("trainer_spec");
        Proto noText = new Proto().message(1, new Proto().fixed32(2, 0)).message(2, bpeTrainer()).message(3, new Proto());
        assertThatThrownBy(() -> SentencePieceModel.parse(FILE, noText.toBytes()))
                .hasMessageContaining("piece 0 has no text");
        Proto badType = new Proto().message(1, piece("a", 0, 9)).message(2, bpeTrainer()).message(3, new Proto());
        assertThatThrownBy(() -> SentencePieceModel.parse(FILE, badType.toBytes())).hasMessageContaining("unknown type 9");
        Proto unigram = model(new Proto().varint(3, 1));
        assertThatThrownBy(() -> new SentencePieceTokenizer(SentencePieceModel.parse(FILE, unigram.toBytes())))
                .hasMessageContaining("model_type 1 is not supported");
        Proto bosPast = model(bpeTrainer().varint(41, 500));
        assertThatThrownBy(() -> new SentencePieceTokenizer(SentencePieceModel.parse(FILE, bosPast.toBytes())))
                .hasMessageContaining("bos_id 500 is past the vocabulary");
        Proto fallbackWithoutBytes = model(bpeTrainer().varint(35, 1));
        assertThatThrownBy(() -> new SentencePieceTokenizer(SentencePieceModel.parse(FILE, fallbackWithoutBytes.toBytes())))
                .hasMessageContaining("<0x00> is missing");
        byte[] wrongWire = new Proto().varint(1, 5).toBytes(); // pieces as a varint
        assertThatThrownBy(() -> SentencePieceModel.parse(FILE, wrongWire))
                .isInstanceOf(TokenizerFormatException.class).hasMessageContaining("wire type");
    }
}
