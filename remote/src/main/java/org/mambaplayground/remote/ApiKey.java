package org.mambaplayground.remote;

/**
 * An API key. It never shows in {@link #toString}, logs or messages: only {@link #reveal} gives the
 * characters, and the client calls it in one place, for the Authorization header to the endpoint's own host.
 */
public final class ApiKey {
    private final String value;

    private ApiKey(String value) { this.value = value; }

    /** The key, or null for a blank one (no key). */
    public static ApiKey of(String value) {
        if (value == null || value.isBlank()) return null;
        String key = value.strip();
        if (key.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("The API key holds spaces or characters an HTTP header cannot carry");
        }
        return new ApiKey(key);
    }

    /** The key from the environment variable {@code name}, or null when it is unset or blank. */
    public static ApiKey fromEnvironment(String name) { return of(System.getenv(name)); }

    String reveal() { return value; }

    /** {@code text} with every occurrence of this key replaced by {@code ***} (a server may echo a refused key). */
    String redact(String text) {
        return text == null ? null : text.replace(value, "***");
    }

    @Override
    public String toString() { return "ApiKey[***]"; }
}
