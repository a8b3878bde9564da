package org.mambaplayground.engine.io.gguf;

import java.util.List;

/**
 * One metadata value of a GGUF file, with its type kept so a file written back says exactly what it said
 * (llama.cpp checks types: token types must be INT32, scores FLOAT32). Integers of every width are held as
 * long, floats as double; an array holds its element type and a list of values.
 */
public record GgufValue(GgufType type, Object value, GgufType elementType) {
    public static GgufValue string(String s) { return new GgufValue(GgufType.STRING, s, null); }
    public static GgufValue u32(long v) { return new GgufValue(GgufType.UINT32, v, null); }
    public static GgufValue i32(long v) { return new GgufValue(GgufType.INT32, v, null); }
    public static GgufValue u16(long v) { return new GgufValue(GgufType.UINT16, v, null); }
    public static GgufValue u64(long v) { return new GgufValue(GgufType.UINT64, v, null); }
    public static GgufValue f32(double v) { return new GgufValue(GgufType.FLOAT32, v, null); }
    public static GgufValue bool(boolean v) { return new GgufValue(GgufType.BOOL, v, null); }

    /** An array of {@code elementType} values (Long, Double, Boolean or String as that type needs). */
    public static GgufValue array(GgufType elementType, List<?> values) {
        return new GgufValue(GgufType.ARRAY, List.copyOf(values), elementType);
    }

    public List<?> list() { return (List<?>) value; }

    @Override
    public String toString() {
        if (type == GgufType.ARRAY) return elementType + "[" + list().size() + "]";
        return type + " " + value;
    }
}
