package org.mambaplayground.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Malformed UTF-8 against the two reference decoders. MAXIMAL_SUBPART: Python 3.11's
 * {@code bytes.decode("utf-8", "replace")} (what tiktoken's decode uses), values printed by /usr/bin/python3.
 * PER_BYTE: SentencePiece's decoder, which replaces one byte at a time when a sequence is malformed.
 */
class Utf8BufferTest {
    private static String py(int... bytes) {
        return Utf8Buffer.decode(toBytes(bytes), Utf8Buffer.Policy.MAXIMAL_SUBPART);
    }

    private static String spm(int... bytes) {
        return Utf8Buffer.decode(toBytes(bytes), Utf8Buffer.Policy.PER_BYTE);
    }

    private static byte[] toBytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) values[i];
        return b;
    }

    @Test
    void matchesPythonReplace() {
        assertThat(py(0xED, 0xA0, 0x80)).isEqualTo("\uFFFD\uFFFD\uFFFD"); // surrogate
        assertThat(py(0xF0, 0x9F, 0x98)).isEqualTo("\uFFFD");             // truncated 4-byte sequence
        assertThat(py(0xF0, 0x9F, 0x98, 'A')).isEqualTo("\uFFFDA");
        assertThat(py(0xC0, 0x80)).isEqualTo("\uFFFD\uFFFD");             // overlong
        assertThat(py(0xF4, 0x90, 0x80, 0x80)).isEqualTo("\uFFFD\uFFFD\uFFFD\uFFFD"); // past U+10FFFF
        assertThat(py(0xF0, 0x80, 0x80, 0x80)).isEqualTo("\uFFFD\uFFFD\uFFFD\uFFFD");
        assertThat(py(0xE2, 0x82, 0xAC)).isEqualTo("€");
        assertThat(py(0xE2, 0x82)).isEqualTo("\uFFFD");
        assertThat(py('a', 0x80, 'b')).isEqualTo("a\uFFFDb");
        assertThat(py(0xFE, 0xFF)).isEqualTo("\uFFFD\uFFFD");
    }

    @Test
    void sentencePieceReplacesEachByteOfAnUnfinishedSequence() {
        assertThat(spm(0xE2, 0x82)).isEqualTo("\uFFFD\uFFFD");
        assertThat(spm(0xF0, 0x9F, 0x98, 'A')).isEqualTo("\uFFFD\uFFFD\uFFFDA");
        assertThat(spm(0xE2, 0x82, 0xAC)).isEqualTo("€");
    }

    @Test
    void holdsAnIncompleteCharacterUntilItsLastByte() {
        Utf8Buffer b = new Utf8Buffer(Utf8Buffer.Policy.MAXIMAL_SUBPART);
        byte[] crab = "a🦀".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        for (byte x : crab) {
            b.append(new byte[] {x});
            String piece = b.takeComplete();
            assertThat(piece).doesNotContain("\uFFFD");
            out.append(piece);
        }
        assertThat(out.toString()).isEqualTo("a🦀");
        assertThat(b.isEmpty()).isTrue();
        b.append(new byte[] {(byte) 0xE2, (byte) 0x82});
        assertThat(b.takeComplete()).isEmpty();
        assertThat(b.takeAll()).isEqualTo("\uFFFD");
    }
}
