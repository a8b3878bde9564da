package org.mambaplayground.gui.chat;

import static org.mambaplayground.gui.chat.CodeLanguage.words;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.mambaplayground.gui.chat.CodeLanguage.Rule;

/** The highlighting tables of the languages a code block can name in its fence info (```java). */
public final class CodeLanguages {
    // CSS classes, styled in chat.css
    public static final String KEYWORD = "keyword";
    public static final String TYPE = "type";
    public static final String STRING = "string";
    public static final String COMMENT = "comment";
    public static final String NUMBER = "number";
    public static final String LITERAL = "literal";
    public static final String ANNOTATION = "annotation";
    public static final String PREPROCESSOR = "preprocessor";
    public static final String VARIABLE = "variable";
    public static final String PROPERTY = "property";
    public static final String MACRO = "macro";

    private static final String LINE_COMMENT_SLASH = "//[^\\n]*";
    private static final String BLOCK_COMMENT = "/\\*(?:.|\\n)*?(?:\\*/|\\z)";
    private static final String DOUBLE_QUOTED = "\"(?:[^\"\\\\\\n]|\\\\.)*\"?";
    private static final String SINGLE_QUOTED = "'(?:[^'\\\\\\n]|\\\\.)*'?";
    private static final String NUMBER_RE =
            "\\b(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|\\d[\\d_]*(?:\\.\\d[\\d_]*)?(?:[eE][+-]?\\d+)?)[a-zA-Z0-9_]*\\b";
    private static final String CAPITALIZED_TYPE = "\\b[A-Z][A-Za-z0-9_]*\\b";

    private static final List<CodeLanguage> ALL = List.of(
            new CodeLanguage("java", Set.of("java"), List.of(
                    new Rule("\"\"\"(?:.|\\n)*?(?:\"\"\"|\\z)", STRING),
                    new Rule(LINE_COMMENT_SLASH, COMMENT),
                    new Rule(BLOCK_COMMENT, COMMENT),
                    new Rule(DOUBLE_QUOTED, STRING),
                    new Rule(SINGLE_QUOTED, STRING),
                    new Rule("@[A-Za-z_][\\w.]*", ANNOTATION),
                    new Rule(words("abstract", "assert", "break", "case", "catch", "class", "const", "continue",
                            "default", "do", "else", "enum", "extends", "final", "finally", "for", "goto", "if",
                            "implements", "import", "instanceof", "interface", "native", "new", "package",
                            "private", "protected", "public", "record", "return", "sealed", "permits", "static",
                            "strictfp", "super", "switch", "synchronized", "this", "throw", "throws", "transient",
                            "try", "var", "void", "volatile", "while", "yield"), KEYWORD),
                    new Rule(words("boolean", "byte", "char", "short", "int", "long", "float", "double"), TYPE),
                    new Rule(words("true", "false", "null"), LITERAL),
                    new Rule(NUMBER_RE, NUMBER),
                    new Rule(CAPITALIZED_TYPE, TYPE))),
            new CodeLanguage("python", Set.of("python", "py", "python3", "py3"), List.of(
                    new Rule("#[^\\n]*", COMMENT),
                    new Rule("(?i:[rbuf]{0,2})(?:\"\"\"(?:.|\\n)*?(?:\"\"\"|\\z)|'''(?:.|\\n)*?(?:'''|\\z))", STRING),
                    new Rule("(?i:[rbuf]{0,2})(?:" + DOUBLE_QUOTED + "|" + SINGLE_QUOTED + ")", STRING),
                    new Rule("^\\s*@[A-Za-z_][\\w.]*", ANNOTATION),
                    new Rule(words("and", "as", "assert", "async", "await", "break", "class", "continue", "def",
                            "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
                            "in", "is", "lambda", "match", "case", "nonlocal", "not", "or", "pass", "raise",
                            "return", "try", "while", "with", "yield", "self"), KEYWORD),
                    new Rule(words("True", "False", "None"), LITERAL),
                    new Rule(words("int", "float", "str", "bool", "list", "dict", "set", "tuple", "bytes",
                            "object", "print", "len", "range", "enumerate", "zip", "map", "filter", "open"), TYPE),
                    new Rule(NUMBER_RE, NUMBER))),
            new CodeLanguage("javascript", Set.of("javascript", "js", "jsx", "mjs", "cjs", "typescript", "ts", "tsx",
                    "node"), List.of(
                    new Rule(LINE_COMMENT_SLASH, COMMENT),
                    new Rule(BLOCK_COMMENT, COMMENT),
                    new Rule("`(?:[^`\\\\]|\\\\.)*`?", STRING),
                    new Rule(DOUBLE_QUOTED, STRING),
                    new Rule(SINGLE_QUOTED, STRING),
                    new Rule("@[A-Za-z_][\\w.]*", ANNOTATION),
                    new Rule(words("abstract", "as", "async", "await", "break", "case", "catch", "class", "const",
                            "continue", "debugger", "declare", "default", "delete", "do", "else", "enum", "export",
                            "extends", "finally", "for", "from", "function", "get", "if", "implements", "import",
                            "in", "instanceof", "interface", "keyof", "let", "namespace", "new", "of", "private",
                            "protected", "public", "readonly", "return", "set", "static", "super", "switch",
                            "this", "throw", "try", "type", "typeof", "var", "void", "while", "with", "yield"),
                            KEYWORD),
                    new Rule(words("string", "number", "boolean", "any", "unknown", "never", "object", "bigint",
                            "symbol"), TYPE),
                    new Rule(words("true", "false", "null", "undefined", "NaN", "Infinity"), LITERAL),
                    new Rule(NUMBER_RE, NUMBER),
                    new Rule(CAPITALIZED_TYPE, TYPE))),
            new CodeLanguage("c/c++", Set.of("c", "h", "cpp", "c++", "cc", "cxx", "hpp", "hh", "hxx", "objc"), List.of(
                    new Rule(LINE_COMMENT_SLASH, COMMENT),
                    new Rule(BLOCK_COMMENT, COMMENT),
                    new Rule("^[ \\t]*#[ \\t]*[a-z]+\\b(?:[ \\t]*<[^>\\n]*>)?", PREPROCESSOR),
                    new Rule("(?:u8|[uUL])?R\"([^(\\s]*)\\((?:.|\\n)*?\\)\\1\"", STRING),
                    new Rule("(?:u8|[uUL])?" + DOUBLE_QUOTED, STRING),
                    new Rule("[uUL]?" + SINGLE_QUOTED, STRING),
                    new Rule(words("alignas", "alignof", "auto", "break", "case", "catch", "class", "const",
                            "consteval", "constexpr", "const_cast", "continue", "co_await", "co_return",
                            "co_yield", "decltype", "default", "delete", "do", "dynamic_cast", "else", "enum",
                            "explicit", "export", "extern", "for", "friend", "goto", "if", "inline", "mutable",
                            "namespace", "new", "noexcept", "operator", "private", "protected", "public",
                            "register", "reinterpret_cast", "requires", "return", "sizeof", "static",
                            "static_assert", "static_cast", "struct", "switch", "template", "this", "throw",
                            "try", "typedef", "typeid", "typename", "union", "using", "virtual", "volatile",
                            "while", "concept"), KEYWORD),
                    new Rule(words("void", "bool", "char", "short", "int", "long", "float", "double", "signed",
                            "unsigned", "size_t", "ssize_t", "wchar_t", "char8_t", "char16_t", "char32_t",
                            "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t",
                            "uint64_t", "std"), TYPE),
                    new Rule(words("true", "false", "NULL", "nullptr"), LITERAL),
                    new Rule(NUMBER_RE, NUMBER))),
            new CodeLanguage("rust", Set.of("rust", "rs"), List.of(
                    new Rule(LINE_COMMENT_SLASH, COMMENT),
                    new Rule(BLOCK_COMMENT, COMMENT),
                    new Rule("b?r(#*)\"(?:.|\\n)*?\"\\1", STRING),
                    new Rule("b?" + DOUBLE_QUOTED, STRING),
                    new Rule("b?'(?:[^'\\\\\\n]|\\\\[^\\n]+?)'", STRING),
                    new Rule("'[A-Za-z_]\\w*", ANNOTATION),
                    new Rule("#!?\\[[^\\]\\n]*\\]", ANNOTATION),
                    new Rule("\\b[a-z_][A-Za-z0-9_]*!", MACRO),
                    new Rule(words("as", "async", "await", "break", "const", "continue", "crate", "dyn", "else",
                            "enum", "extern", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod",
                            "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
                            "trait", "type", "unsafe", "use", "where", "while"), KEYWORD),
                    new Rule(words("i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128",
                            "usize", "f32", "f64", "bool", "char", "str"), TYPE),
                    new Rule(words("true", "false", "None", "Some", "Ok", "Err"), LITERAL),
                    new Rule(NUMBER_RE, NUMBER),
                    new Rule(CAPITALIZED_TYPE, TYPE))),
            new CodeLanguage("go", Set.of("go", "golang"), List.of(
                    new Rule(LINE_COMMENT_SLASH, COMMENT),
                    new Rule(BLOCK_COMMENT, COMMENT),
                    new Rule("`[^`]*`?", STRING),
                    new Rule(DOUBLE_QUOTED, STRING),
                    new Rule(SINGLE_QUOTED, STRING),
                    new Rule(words("break", "case", "chan", "const", "continue", "default", "defer", "else",
                            "fallthrough", "for", "func", "go", "goto", "if", "import", "interface", "map",
                            "package", "range", "return", "select", "struct", "switch", "type", "var"), KEYWORD),
                    new Rule(words("bool", "byte", "complex64", "complex128", "error", "float32", "float64", "int",
                            "int8", "int16", "int32", "int64", "rune", "string", "uint", "uint8", "uint16",
                            "uint32", "uint64", "uintptr", "any", "make", "len", "cap", "append", "new", "panic",
                            "recover"), TYPE),
                    new Rule(words("true", "false", "nil", "iota"), LITERAL),
                    new Rule(NUMBER_RE, NUMBER))),
            new CodeLanguage("bash", Set.of("bash", "sh", "shell", "zsh", "console", "shellsession"), List.of(
                    new Rule("(?:^|(?<=\\s))#[^\\n]*", COMMENT),
                    new Rule("'[^']*'?", STRING),
                    new Rule(DOUBLE_QUOTED, STRING),
                    new Rule("\\$(?:\\{[^}\\n]*\\}?|[A-Za-z_]\\w*|[0-9@#?$!*-])", VARIABLE),
                    new Rule(words("if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done",
                            "case", "esac", "in", "function", "select", "return", "exit", "local", "export",
                            "readonly", "declare", "unset", "shift", "source", "time"), KEYWORD),
                    new Rule(words("echo", "printf", "cd", "ls", "cat", "grep", "sed", "awk", "test", "read",
                            "set", "eval", "exec", "trap", "mkdir", "rm", "cp", "mv", "chmod", "sudo", "curl"),
                            TYPE),
                    new Rule("(?<![\\w.-])-{1,2}[A-Za-z][\\w-]*", PROPERTY),
                    new Rule(NUMBER_RE, NUMBER))),
            new CodeLanguage("sql", Set.of("sql", "mysql", "postgresql", "postgres", "psql", "sqlite", "plsql"),
                    List.of(
                    new Rule("--[^\\n]*", COMMENT),
                    new Rule(BLOCK_COMMENT, COMMENT),
                    new Rule("'(?:[^']|'')*'?", STRING),
                    new Rule("\"[^\"\\n]*\"?", PROPERTY),
                    new Rule("(?i)" + words("select", "from", "where", "insert", "into", "values", "update", "set",
                            "delete", "create", "table", "drop", "alter", "add", "index", "view", "join", "inner",
                            "left", "right", "full", "outer", "cross", "on", "using", "group", "by", "order",
                            "having", "limit", "offset", "as", "and", "or", "not", "in", "is", "like", "between",
                            "exists", "distinct", "union", "all", "case", "when", "then", "else", "end", "with",
                            "primary", "key", "foreign", "references", "unique", "default", "constraint", "asc",
                            "desc", "begin", "commit", "rollback", "transaction", "returning", "if"), KEYWORD),
                    new Rule("(?i)" + words("int", "integer", "bigint", "smallint", "serial", "varchar", "char",
                            "text", "boolean", "date", "timestamp", "numeric", "decimal", "real", "float",
                            "double", "blob", "json", "jsonb", "uuid", "count", "sum", "avg", "min", "max",
                            "coalesce"), TYPE),
                    new Rule("(?i)" + words("null", "true", "false"), LITERAL),
                    new Rule(NUMBER_RE, NUMBER))),
            new CodeLanguage("json", Set.of("json", "jsonc", "json5"), List.of(
                    new Rule(LINE_COMMENT_SLASH, COMMENT),
                    new Rule(DOUBLE_QUOTED + "(?=\\s*:)", PROPERTY),
                    new Rule(DOUBLE_QUOTED, STRING),
                    new Rule(words("true", "false", "null"), LITERAL),
                    new Rule("-?\\b\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?\\b", NUMBER))));

    private static final Map<String, CodeLanguage> BY_ALIAS = new TreeMap<>();

    static {
        for (CodeLanguage language : ALL) {
            for (String alias : language.aliases()) {
                BY_ALIAS.put(alias, language);
            }
        }
    }

    private CodeLanguages() {}

    public static List<CodeLanguage> all() { return ALL; }

    /**
     * The language a fence's info string names ("java", "Python", "ts title=x"), or empty when unknown
     * (the block is then shown plain).
     */
    public static Optional<CodeLanguage> forFenceInfo(String info) {
        if (info == null || info.isBlank()) {
            return Optional.empty();
        }
        String first = info.strip().split("[\\s{,]", 2)[0].toLowerCase(Locale.ROOT);
        if (first.startsWith("language-")) {
            first = first.substring("language-".length());
        }
        return Optional.ofNullable(BY_ALIAS.get(first));
    }

    /**
     * Signs of each language at the start of a line: what a prompt in completion mode, or code pasted
     * without fences, most likely is. Several signs must agree before text counts as code.
     */
    private static final Map<String, List<java.util.regex.Pattern>> SIGNS = Map.of(
            "python", patterns("^\\s*def \\w+\\(.*\\):", "^\\s*(?:from \\w[\\w.]* )?import \\w", "^\\s*class \\w+.*:\\s*$",
                    "^\\s*(?:if|elif|for|while|with)\\b.*:\\s*$", "^\\s*return\\b", "\\bself\\.", "^\\s*print\\("),
            "java", patterns("^\\s*(?:public |private |protected )?(?:static )?(?:final )?(?:class|interface|record|enum) \\w+",
                    "^\\s*(?:public|private|protected)\\b.*\\(.*\\)\\s*\\{", "^\\s*import [\\w.]+;", "System\\.out\\.", ";\\s*$",
                    "^\\s*package [\\w.]+;"),
            "javascript", patterns("^\\s*function\\b", "^\\s*(?:const|let|var) \\w+\\s*=", "=>", "console\\.log\\(",
                    "^\\s*(?:export|import) .*from ", ";\\s*$"),
            "c/c++", patterns("^\\s*#include\\s*[<\"]", "^\\s*(?:int|void|char|double|float)\\s+\\**\\w+\\s*\\(", "printf\\(|std::",
                    "^\\s*#define\\b", ";\\s*$"),
            "rust", patterns("^\\s*(?:pub )?fn \\w+", "\\blet (?:mut )?\\w+", "println!\\(", "^\\s*use \\w+::", "^\\s*impl\\b"),
            "go", patterns("^\\s*package \\w+\\s*$", "^\\s*func\\b", ":=", "fmt\\.\\w+\\("),
            "bash", patterns("^#!/.*sh", "^\\s*echo\\b", "^\\s*(?:if|then|fi|done|do)\\b", "\\$\\{?\\w+"),
            "sql", patterns("(?i)^\\s*select\\b.*", "(?i)\\bfrom\\s+\\w+", "(?i)^\\s*(?:insert|update|create|delete)\\b", "(?i)\\bwhere\\b"));

    private static List<java.util.regex.Pattern> patterns(String... regexes) {
        return java.util.Arrays.stream(regexes).map(r -> java.util.regex.Pattern.compile(r, java.util.regex.Pattern.MULTILINE)).toList();
    }

    /**
     * The programming language the text most likely is (from signs such as {@code def f():} or
     * {@code #include}), or empty when it reads like prose: at least two different signs of one language
     * must show, and a text with a markdown fence is prose holding code, not code.
     */
    public static Optional<CodeLanguage> detect(String text) {
        if (text == null || text.isBlank() || text.contains("```")) return Optional.empty();
        String best = null;
        int bestScore = 1;
        for (var entry : new TreeMap<>(SIGNS).entrySet()) {
            int score = 0;
            for (java.util.regex.Pattern sign : entry.getValue()) if (sign.matcher(text).find()) score++;
            if (score > bestScore) {
                bestScore = score;
                best = entry.getKey();
            }
        }
        if (best == null) return Optional.empty();
        String name = best;
        return ALL.stream().filter(l -> l.name().equals(name)).findFirst();
    }
}
