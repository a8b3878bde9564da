package org.mambaplayground.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads the protocol buffers wire format (varint, 64-bit, length-delimited, 32-bit fields) from a byte range,
 * checking every length against the bytes that are really there so a truncated file fails with its offset.
 */
final class ProtoReader {
    static final int VARINT = 0, FIXED64 = 1, LENGTH_DELIMITED = 2, FIXED32 = 5;

    private final Path file;
    private final byte[] data;
    private final int end;
    private int pos;
    private int tag;

    ProtoReader(Path file, byte[] data) {
        this(file, data, 0, data.length);
    }

    private ProtoReader(Path file, byte[] data, int start, int end) {
        this.file = file;
        this.data = data;
        this.pos = start;
        this.end = end;
    }

    /** Advances to the next field; false at the end of this message. */
    boolean next() {
        if (pos >= end) return false;
        long key = readVarint();
        if (key >>> 3 == 0 || key >>> 3 > 0x1FFFFFFF) throw error("invalid field number " + (key >>> 3));
        tag = (int) key;
        return true;
    }

    int field() { return tag >>> 3; }

    int wireType() { return tag & 7; }

    int offset() { return pos; }

    long readVarint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) throw truncated("a varint");
            byte b = data[pos++];
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) return result;
        }
        throw error("varint longer than 10 bytes");
    }

    int readInt32() {
        expect(VARINT);
        return (int) readVarint();
    }

    boolean readBool() {
        expect(VARINT);
        return readVarint() != 0;
    }

    float readFloat() {
        expect(FIXED32);
        if (end - pos < 4) throw truncated("a 32-bit float");
        int bits = (data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8 | (data[pos + 2] & 0xFF) << 16 | (data[pos + 3] & 0xFF) << 24;
        pos += 4;
        return Float.intBitsToFloat(bits);
    }

    String readString() {
        int length = readLength();
        String s = new String(data, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return s;
    }

    byte[] readBytes() {
        int length = readLength();
        byte[] out = new byte[length];
        System.arraycopy(data, pos, out, 0, length);
        pos += length;
        return out;
    }

    /** A reader over the embedded message in the current length-delimited field. */
    ProtoReader readMessage() {
        int length = readLength();
        ProtoReader sub = new ProtoReader(file, data, pos, pos + length);
        pos += length;
        return sub;
    }

    void skip() {
        switch (wireType()) {
            case VARINT -> readVarint();
            case FIXED64 -> skipBytes(8);
            case LENGTH_DELIMITED -> skipBytes(readLength());
            case FIXED32 -> skipBytes(4);
            default -> throw error("unsupported wire type " + wireType() + " for field " + field());
        }
    }

    private void skipBytes(int n) {
        if (end - pos < n) throw truncated(n + " bytes of field " + field());
        pos += n;
    }

    private int readLength() {
        expect(LENGTH_DELIMITED);
        long length = readVarint();
        if (length < 0 || length > end - pos) {
            throw truncated("field " + field() + " of " + length + " bytes (" + (end - pos) + " left)");
        }
        return (int) length;
    }

    private void expect(int wireType) {
        if (wireType() != wireType) {
            throw error("field " + field() + " has wire type " + wireType() + ", expected " + wireType);
        }
    }

    TokenizerFormatException truncated(String what) {
        return error("truncated protobuf: the file ends inside " + what);
    }

    TokenizerFormatException error(String message) {
        return new TokenizerFormatException(file, message + " (at byte " + pos + ")");
    }
}
