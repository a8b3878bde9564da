package org.mambaplayground.engine.tokenizer;

import java.util.Arrays;

/**
 * GPT-2's reversible byte-to-unicode map ({@code bytes_to_unicode} in GPT-2, HF transformers and llama.cpp's
 * gguf-py): the printable bytes {@code !..~}, {@code ¡..¬}, {@code ®..ÿ} stand for themselves, every other byte
 * for U+0100 + n, n counting those bytes in increasing order (space is "Ġ", newline "Ċ"). Byte-level BPE
 * vocabularies in GGUF ({@code tokenizer.ggml.model = "gpt2"}) spell their tokens and merges this way, one char per
 * byte, so that no token contains a space or a control character.
 */
final class ByteToUnicode {
    private static final char[] CHAR_OF_BYTE = new char[256];
    /** Byte of each char below U+0144 (the highest char used), -1 for chars that stand for no byte. */
    private static final int[] BYTE_OF_CHAR = new int[0x144];

    static {
        Arrays.fill(BYTE_OF_CHAR, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + n++);
            CHAR_OF_BYTE[b] = c;
            BYTE_OF_CHAR[c] = b;
        }
    }

    private ByteToUnicode() {}

    static char charOf(int b) { return CHAR_OF_BYTE[b & 0xFF]; }

    /** The byte a char stands for, or -1. */
    static int byteOf(char c) { return c < BYTE_OF_CHAR.length ? BYTE_OF_CHAR[c] : -1; }

    static String encode(byte[] bytes) {
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) out[i] = charOf(bytes[i]);
        return new String(out);
    }

    /** The bytes a token spelled in this map stands for, or null if some char stands for no byte. */
    static byte[] decode(String text) {
        byte[] out = new byte[text.length()];
        for (int i = 0; i < out.length; i++) {
            int b = byteOf(text.charAt(i));
            if (b < 0) return null;
            out[i] = (byte) b;
        }
        return out;
    }
}
