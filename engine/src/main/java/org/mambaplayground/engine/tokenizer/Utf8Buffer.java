package org.mambaplayground.engine.tokenizer;

import java.util.Arrays;

/**
 * Bytes waiting to become text. {@link #takeComplete()} returns every character that is already decided and keeps
 * an incomplete multi-byte sequence at the end for the next bytes, so a character split across tokens is emitted
 * once, whole. Malformed bytes become U+FFFD by one of two rules, matching the two reference decoders:
 * SentencePiece replaces each malformed byte on its own; Python's {@code bytes.decode("utf-8", "replace")} (used
 * by tiktoken) replaces each maximal malformed subpart with one U+FFFD.
 */
final class Utf8Buffer {
    enum Policy { PER_BYTE, MAXIMAL_SUBPART }

    private final Policy policy;
    private byte[] buf = new byte[16];
    private int size;

    Utf8Buffer(Policy policy) {
        this.policy = policy;
    }

    void append(byte[] bytes) {
        if (size + bytes.length > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + bytes.length));
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
    }

    boolean isEmpty() { return size == 0; }

    /** The decided text; an incomplete sequence at the end stays buffered. */
    String takeComplete() {
        return take(false);
    }

    /** Everything buffered; an incomplete sequence at the end becomes U+FFFD. */
    String takeAll() {
        return take(true);
    }

    static String decode(byte[] bytes, Policy policy) {
        Utf8Buffer b = new Utf8Buffer(policy);
        b.append(bytes);
        return b.takeAll();
    }

    private String take(boolean atEnd) {
        StringBuilder out = new StringBuilder(size);
        int pos = 0;
        while (pos < size) {
            int n = sequenceLength(buf, pos, size);
            if (n > 0) {
                appendCodePoint(out, pos, n);
                pos += n;
            } else if (n < 0) {
                out.append('\uFFFD');
                pos += policy == Policy.PER_BYTE ? 1 : -n;
            } else if (atEnd) {
                out.append('\uFFFD');
                pos += policy == Policy.PER_BYTE ? 1 : size - pos;
            } else {
                break;
            }
        }
        System.arraycopy(buf, pos, buf, 0, size - pos);
        size -= pos;
        return out.toString();
    }

    private void appendCodePoint(StringBuilder out, int pos, int n) {
        int b0 = buf[pos] & 0xFF;
        int cp = switch (n) {
            case 1 -> b0;
            case 2 -> (b0 & 0x1F) << 6 | (buf[pos + 1] & 0x3F);
            case 3 -> (b0 & 0x0F) << 12 | (buf[pos + 1] & 0x3F) << 6 | (buf[pos + 2] & 0x3F);
            default -> (b0 & 0x07) << 18 | (buf[pos + 1] & 0x3F) << 12 | (buf[pos + 2] & 0x3F) << 6 | (buf[pos + 3] & 0x3F);
        };
        out.appendCodePoint(cp);
    }

    /**
     * Length of the well-formed UTF-8 sequence at {@code pos} (Unicode table 3-7: no overlongs, no surrogates,
     * nothing past U+10FFFF); 0 when the bytes up to {@code end} are a proper prefix of one; minus the length of
     * the maximal malformed subpart otherwise.
     */
    static int sequenceLength(byte[] b, int pos, int end) {
        int b0 = b[pos] & 0xFF;
        if (b0 < 0x80) return 1;
        int n, lo = 0x80, hi = 0xBF;
        if (b0 >= 0xC2 && b0 <= 0xDF) n = 2;
        else if (b0 >= 0xE0 && b0 <= 0xEF) {
            n = 3;
            if (b0 == 0xE0) lo = 0xA0;
            if (b0 == 0xED) hi = 0x9F;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            n = 4;
            if (b0 == 0xF0) lo = 0x90;
            if (b0 == 0xF4) hi = 0x8F;
        } else return -1;
        for (int i = 1; i < n; i++) {
            if (pos + i >= end) return 0;
            int c = b[pos + i] & 0xFF;
            if (c < lo || c > hi) return -i;
            lo = 0x80;
            hi = 0xBF;
        }
        return n;
    }
}
