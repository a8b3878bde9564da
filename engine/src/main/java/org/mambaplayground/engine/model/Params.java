package org.mambaplayground.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * Typed reads of one params.json object. Every failure is a {@link ModelFormatException} naming the file
 * and the key, so a hand-edited or truncated params.json never surfaces as a NullPointerException.
 */
public final class Params {
    private final JsonNode node;
    private final Path file;
    /** Where this object sits in params.json ("moe." for the moe object), so messages name the full key. */
    private final String prefix;

    public Params(JsonNode node, Path file) {
        this(node, file, "");
    }

    private Params(JsonNode node, Path file, String prefix) {
        if (node == null || !node.isObject()) {
            throw new ModelFormatException(file, "params.json must hold a JSON object"
                    + (prefix.isEmpty() ? "" : " under '" + prefix.substring(0, prefix.length() - 1) + "'"));
        }
        this.node = node;
        this.file = file;
        this.prefix = prefix;
    }

    /** The JSON object under {@code key} (such as {@code moe}), read with the same checks; its messages name "key.field". */
    public Params requireObject(String key) {
        JsonNode v = present(key);
        if (!v.isObject()) throw wrongType(key, "a JSON object", v);
        return new Params(v, file, prefix + key + ".");
    }

    public Path file() { return file; }

    public boolean has(String key) { return node.hasNonNull(key); }

    public int requireInt(String key) { return intValue(key, present(key)); }

    public int optionalInt(String key, int fallback) { return has(key) ? intValue(key, node.get(key)) : fallback; }

    /** A strictly positive integer: a size or a count. */
    public int requirePositiveInt(String key) { return positive(key, requireInt(key)); }

    public int optionalPositiveInt(String key, int fallback) { return positive(key, optionalInt(key, fallback)); }

    /**
     * A positive count no larger than {@code max}: checked before anything is sized from it, so an absurd value
     * (n_layers 2000000000) is one message naming the key rather than an OutOfMemoryError.
     */
    public int requireCount(String key, int max) { return atMost(key, requirePositiveInt(key), max); }

    public int optionalCount(String key, int fallback, int max) { return atMost(key, optionalPositiveInt(key, fallback), max); }

    /** Checks a size derived from several keys (a product), reported against {@code key}. */
    public void checkProduct(String key, String what, long value, long max) {
        if (value > max) throw invalid(key, what + " = " + value + " is larger than the " + max + " this engine supports");
    }

    private int atMost(String key, int value, int max) {
        if (value > max) throw invalid(key, value + " is larger than the " + max + " this engine supports");
        return value;
    }

    public double requireDouble(String key) { return doubleValue(key, present(key)); }

    public double optionalDouble(String key, double fallback) { return has(key) ? doubleValue(key, node.get(key)) : fallback; }

    public boolean requireBoolean(String key) {
        JsonNode v = present(key);
        if (!v.isBoolean()) throw wrongType(key, "true or false", v);
        return v.booleanValue();
    }

    public String optionalString(String key, String fallback) {
        if (!has(key)) return fallback;
        JsonNode v = node.get(key);
        if (!v.isTextual()) throw wrongType(key, "a string", v);
        return v.textValue();
    }

    /** A failed consistency check between keys. */
    public ModelFormatException invalid(String key, String why) {
        return new ModelFormatException(file, "params.json key '" + prefix + key + "': " + why);
    }

    private JsonNode present(String key) {
        if (!has(key)) throw new ModelFormatException(file, "params.json is missing the key '" + prefix + key + "'");
        return node.get(key);
    }

    private int intValue(String key, JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw wrongType(key, "an integer", v);
        return v.intValue();
    }

    private double doubleValue(String key, JsonNode v) {
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) throw wrongType(key, "a number", v);
        return v.doubleValue();
    }

    private int positive(String key, int value) {
        if (value <= 0) throw invalid(key, "must be positive, got " + value);
        return value;
    }

    private ModelFormatException wrongType(String key, String expected, JsonNode v) {
        return new ModelFormatException(file, "params.json key '" + prefix + key + "' must be " + expected + ", got " + v);
    }
}
