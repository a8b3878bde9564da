package org.mambaplayground.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The byte-to-unicode table against its definition (GPT-2's bytes_to_unicode, as llama.cpp's gguf-py has it). */
class ByteToUnicodeTest {
    @Test
    void printableBytesStandForThemselvesAndTheOthersForU0100OnInOrder() {
        int next = 0x100;
        Set<Character> seen = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            boolean printable = ('!' <= b && b <= '~') || ('¡' <= b && b <= '¬') || ('®' <= b && b <= 'ÿ');
            char expected = printable ? (char) b : (char) next++;
            assertThat(ByteToUnicode.charOf(b)).as("byte %d", b).isEqualTo(expected);
            assertThat(ByteToUnicode.byteOf(expected)).isEqualTo(b);
            assertThat(seen.add(expected)).isTrue();
        }
        assertThat(next).isEqualTo(0x100 + 68); // 256 - 94 - 12 - 82 bytes are not printable
        assertThat(ByteToUnicode.charOf(' ')).isEqualTo('Ġ');
        assertThat(ByteToUnicode.charOf('\n')).isEqualTo('Ċ');
        assertThat(ByteToUnicode.charOf('\t')).isEqualTo('ĉ');
        assertThat(ByteToUnicode.charOf(0)).isEqualTo('Ā');
        assertThat(ByteToUnicode.charOf(0xAD)).isEqualTo('Ń'); // soft hyphen, the last unprintable byte
        assertThat(ByteToUnicode.byteOf(' ')).isEqualTo(-1);
        assertThat(ByteToUnicode.byteOf('Ņ')).isEqualTo(-1);
        assertThat(ByteToUnicode.byteOf('日')).isEqualTo(-1);
    }

    @Test
    void encodesAndDecodesByteStrings() {
        byte[] crab = " 🦀\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(ByteToUnicode.encode(crab)).isEqualTo("ĠðŁ¦ĢĊ");
        assertThat(ByteToUnicode.decode("ĠðŁ¦ĢĊ")).isEqualTo(crab);
        assertThat(ByteToUnicode.decode("a b")).isNull();
        byte[] all = new byte[256];
        for (int b = 0; b < 256; b++) all[b] = (byte) b;
        assertThat(ByteToUnicode.decode(ByteToUnicode.encode(all))).isEqualTo(all);
    }
}
