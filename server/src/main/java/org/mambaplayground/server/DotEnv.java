package org.mambaplayground.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a {@code .env} file by python-dotenv's rules, the tool the Codestral Mamba server's users write
 * theirs for: optional {@code export}, keys bare or in single quotes, spaces around keys, {@code =} and
 * values ignored; values bare (a {@code #} after whitespace starts a comment), in single quotes (only
 * {@code \\} and {@code \'} are escapes) or double quotes ({@code \\ \' \" \a \b \f \n \r \t \v}), quoted
 * values may span lines and may be followed by a comment; {@code ${NAME}} and {@code ${NAME:-default}}
 * expand from keys above, then the environment. A bare {@code KEY} sets nothing. Where python-dotenv
 * warns and skips a line it cannot parse, this refuses the file, naming the line.
 */
public final class DotEnv {
    // python-dotenv's grammar, piece by piece; (?U): \s is Unicode whitespace, as in Python
    private static final int FLAGS = Pattern.UNICODE_CHARACTER_CLASS;
    private static final Pattern MULTILINE_WHITESPACE = Pattern.compile("\\s*", FLAGS);
    private static final Pattern EXPORT = Pattern.compile("(?:export[^\\S\\r\\n]+)?", FLAGS);
    private static final Pattern SINGLE_QUOTED_KEY = Pattern.compile("'([^']+)'", FLAGS);
    private static final Pattern UNQUOTED_KEY = Pattern.compile("([^=#\\s]+)", FLAGS);
    private static final Pattern WHITESPACE = Pattern.compile("[^\\S\\r\\n]*", FLAGS);
    private static final Pattern EQUAL_SIGN = Pattern.compile("=[^\\S\\r\\n]*", FLAGS);
    private static final Pattern SINGLE_QUOTED_VALUE = Pattern.compile("'((?:\\\\'|[^'])*)'", FLAGS);
    private static final Pattern DOUBLE_QUOTED_VALUE = Pattern.compile("\"((?:\\\\\"|[^\"])*)\"", FLAGS);
    private static final Pattern UNQUOTED_VALUE = Pattern.compile("([^\\r\\n]*)", FLAGS);
    private static final Pattern INLINE_COMMENT = Pattern.compile("\\s+#.*", FLAGS | Pattern.DOTALL);
    private static final Pattern COMMENT = Pattern.compile("(?:[^\\S\\r\\n]*#[^\\r\\n]*)?", FLAGS);
    private static final Pattern END_OF_LINE = Pattern.compile("[^\\S\\r\\n]*(?:\\r\\n|\\n|\\r|$)", FLAGS);
    private static final Pattern REST_OF_LINE = Pattern.compile("[^\\r\\n]*", FLAGS);
    private static final Pattern DOUBLE_QUOTE_ESCAPES = Pattern.compile("\\\\[\\\\'\"abfnrtv]");
    private static final Pattern SINGLE_QUOTE_ESCAPES = Pattern.compile("\\\\[\\\\']");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}:]*)(?::-([^}]*))?}");

    private DotEnv() {}

    /** The file's settings, variables expanded against {@code environment}. */
    public static Map<String, String> read(Path file, Map<String, String> environment) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString(), environment);
    }

    /** The settings of {@code text} (named {@code source} in errors); null values: keys given without {@code =}. */
    static Map<String, String> parse(String text, String source, Map<String, String> environment) {
        List<Map.Entry<String, String>> bindings = new ArrayList<>();
        Reader reader = new Reader(text.startsWith("\ufeff") ? text.substring(1) : text, source);
        while (reader.hasNext()) reader.binding(bindings);
        // expansion in file order: a key above wins over the environment (python-dotenv's dotenv_values)
        Map<String, String> resolved = new LinkedHashMap<>();
        for (var b : bindings) {
            resolved.put(b.getKey(), b.getValue() == null ? null : expand(b.getValue(), resolved, environment));
        }
        Map<String, String> values = new LinkedHashMap<>();
        resolved.forEach((k, v) -> { if (v != null) values.put(k, v); });
        return values;
    }

    private static String expand(String value, Map<String, String> above, Map<String, String> environment) {
        Matcher m = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String found = above.containsKey(name) ? above.get(name) : environment.get(name);
            if (found == null) found = m.group(2) != null ? m.group(2) : "";
            m.appendReplacement(out, Matcher.quoteReplacement(found));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String unescape(Pattern escapes, String value) {
        return escapes.matcher(value).replaceAll(m -> Matcher.quoteReplacement(switch (m.group().charAt(1)) {
            case 'a' -> "\u0007";
            case 'b' -> "\b";
            case 'f' -> "\f";
            case 'n' -> "\n";
            case 'r' -> "\r";
            case 't' -> "\t";
            case 'v' -> "\u000b";
            default -> m.group().substring(1); // \\ \' \"
        }));
    }

    /** Walks the text binding by binding, as python-dotenv's parser does. */
    private static final class Reader {
        private final String text;
        private final String source;
        private int pos;

        Reader(String text, String source) {
            this.text = text;
            this.source = source;
        }

        boolean hasNext() { return pos < text.length(); }

        /** Reads one binding (or blank or comment line) into {@code bindings}. */
        void binding(List<Map.Entry<String, String>> bindings) {
            read(MULTILINE_WHITESPACE);
            if (!hasNext()) return;
            int start = pos;
            read(EXPORT);
            String key;
            char c = text.charAt(pos);
            if (c == '#') key = null;
            else if (c == '\'') key = read(SINGLE_QUOTED_KEY, start).group(1);
            else key = read(UNQUOTED_KEY, start).group(1);
            read(WHITESPACE);
            String value = null;
            if (hasNext() && text.charAt(pos) == '=') {
                read(EQUAL_SIGN);
                value = value(start);
            }
            read(COMMENT);
            read(END_OF_LINE, start);
            if (key != null) bindings.add(new java.util.AbstractMap.SimpleEntry<>(key, value));
        }

        private String value(int start) {
            if (!hasNext()) return "";
            char c = text.charAt(pos);
            if (c == '\'') return unescape(SINGLE_QUOTE_ESCAPES, read(SINGLE_QUOTED_VALUE, start).group(1));
            if (c == '"') return unescape(DOUBLE_QUOTE_ESCAPES, read(DOUBLE_QUOTED_VALUE, start).group(1));
            if (c == '\n' || c == '\r') return "";
            String part = read(UNQUOTED_VALUE).group(1);
            return INLINE_COMMENT.matcher(part).replaceFirst("").stripTrailing();
        }

        private Matcher read(Pattern pattern) { return read(pattern, -1); }

        /** Matches {@code pattern} here and moves past it; a mismatch refuses the binding that began at {@code start}. */
        private Matcher read(Pattern pattern, int start) {
            Matcher m = pattern.matcher(text).region(pos, text.length());
            if (!m.lookingAt()) {
                int line = 1;
                for (int i = 0; i < start; i++) if (text.charAt(i) == '\n') line++;
                Matcher rest = REST_OF_LINE.matcher(text).region(start, text.length());
                String shown = rest.lookingAt() ? rest.group() : "";
                throw new IllegalArgumentException(source + " line " + line + ": cannot read '" + shown
                        + "' (expected KEY=VALUE, a value in matching quotes, or a # comment)");
            }
            pos = m.end();
            return m;
        }
    }
}
