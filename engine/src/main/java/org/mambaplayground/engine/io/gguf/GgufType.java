package org.mambaplayground.engine.io.gguf;

/** GGUF metadata value types, with the ids the file format gives them. */
public enum GgufType {
    UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4), FLOAT32(6, 4), BOOL(7, 1),
    STRING(8, 8), ARRAY(9, 12), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

    final int id;
    /** The fewest bytes a value of this type takes (a string's or array's length fields): bounds absurd counts. */
    final int minBytes;

    GgufType(int id, int minBytes) {
        this.id = id;
        this.minBytes = minBytes;
    }

    static GgufType of(int id) {
        for (GgufType t : values()) if (t.id == id) return t;
        return null;
    }

    boolean isInteger() { return this != FLOAT32 && this != FLOAT64 && this != BOOL && this != STRING && this != ARRAY; }
}
