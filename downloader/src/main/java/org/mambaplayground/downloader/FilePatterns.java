package org.mambaplayground.downloader;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Include and ignore patterns with the semantics of huggingface_hub's allow_patterns/ignore_patterns
 * (Python {@code fnmatch.fnmatchcase}): {@code *} matches any run of characters including {@code /},
 * {@code ?} one character, {@code [seq]} and {@code [!seq]} classes; the whole path must match; case-sensitive.
 * A file is kept when it matches some include pattern (or there are none) and no ignore pattern.
 */
public final class FilePatterns {

    public static final FilePatterns ALL = new FilePatterns(List.of(), List.of());

    private final List<String> include;
    private final List<String> ignore;
    private final List<Pattern> includeRegex;
    private final List<Pattern> ignoreRegex;

    private FilePatterns(List<String> include, List<String> ignore) {
        this.include = List.copyOf(include);
        this.ignore = List.copyOf(ignore);
        this.includeRegex = compile(this.include);
        this.ignoreRegex = compile(this.ignore);
    }

    public static FilePatterns of(List<String> include, List<String> ignore) {
        return new FilePatterns(include == null ? List.of() : include, ignore == null ? List.of() : ignore);
    }

    public static FilePatterns include(String... patterns) {
        return of(List.of(patterns), List.of());
    }

    public FilePatterns ignoring(String... patterns) {
        List<String> all = new ArrayList<>(ignore);
        all.addAll(List.of(patterns));
        return new FilePatterns(include, all);
    }

    public List<String> include() {
        return include;
    }

    public List<String> ignore() {
        return ignore;
    }

    public boolean matches(String path) {
        String p = path.replace('\\', '/');
        boolean included = includeRegex.isEmpty() || includeRegex.stream().anyMatch(r -> r.matcher(p).matches());
        return included && ignoreRegex.stream().noneMatch(r -> r.matcher(p).matches());
    }

    private static List<Pattern> compile(List<String> patterns) {
        return patterns.stream().map(FilePatterns::translate).toList();
    }

    /** Python's fnmatch.translate, after huggingface_hub's pre-processing (backslashes, trailing slash). */
    static Pattern translate(String pattern) {
        String p = pattern.replace('\\', '/');
        if (p.endsWith("/")) p = p + "*";
        StringBuilder re = new StringBuilder();
        int i = 0;
        int n = p.length();
        while (i < n) {
            char c = p.charAt(i++);
            if (c == '*') {
                re.append(".*");
                while (i < n && p.charAt(i) == '*') i++;
            } else if (c == '?') {
                re.append('.');
            } else if (c == '[') {
                int j = i;
                if (j < n && p.charAt(j) == '!') j++;
                if (j < n && p.charAt(j) == ']') j++;
                while (j < n && p.charAt(j) != ']') j++;
                if (j >= n) {
                    re.append("\\[");  // unterminated: a literal bracket
                } else {
                    String body = p.substring(i, j);
                    i = j + 1;
                    StringBuilder cls = new StringBuilder("[");
                    int k = 0;
                    if (body.startsWith("!")) {
                        cls.append('^');
                        k = 1;
                    } else if (body.startsWith("^")) {
                        cls.append("\\^");
                        k = 1;
                    }
                    for (; k < body.length(); k++) {
                        char b = body.charAt(k);
                        if (b == '\\' || b == '[' || b == '&' || b == '~' || b == '|') cls.append('\\');
                        cls.append(b);
                    }
                    re.append(cls).append(']');
                }
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    @Override
    public String toString() {
        return "include " + include + ", ignore " + ignore;
    }
}
