package org.mambaplayground.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * .env files read as python-dotenv reads them. The expected values are python-dotenv's own: its README's
 * "File format" section and the cases of its tests/test_parser.py and tests/test_main.py
 * (test_dotenv_values_string_io), at github.com/theskumar/python-dotenv, commit bca6644.
 */
class DotEnvTest {
    /** Text, then the keys and values dotenv_values gives (keys without a value left out, as load_dotenv does). */
    static Stream<Arguments> parserCases() {
        return Stream.of(
                Arguments.of("", Map.of()),
                Arguments.of("a=b", Map.of("a", "b")),
                Arguments.of("'a'=b", Map.of("a", "b")),
                Arguments.of("[=b", Map.of("[", "b")),
                Arguments.of(" a = b ", Map.of("a", "b")),
                Arguments.of("export a=b", Map.of("a", "b")),
                Arguments.of(" export 'a'=b", Map.of("a", "b")),
                Arguments.of("# a=b", Map.of()),
                Arguments.of("a=b#c", Map.of("a", "b#c")),
                Arguments.of("a=b #c", Map.of("a", "b")),
                Arguments.of("a=b\t#c", Map.of("a", "b")),
                Arguments.of("a=b c", Map.of("a", "b c")),
                Arguments.of("a=b\tc", Map.of("a", "b\tc")),
                Arguments.of("a=b  c", Map.of("a", "b  c")),
                Arguments.of("a=b\u00a0 c", Map.of("a", "b\u00a0 c")),
                Arguments.of("a=b c ", Map.of("a", "b c")),
                Arguments.of("a='b c '", Map.of("a", "b c ")),
                Arguments.of("a=\"b c \"", Map.of("a", "b c ")),
                Arguments.of("export export_a=1", Map.of("export_a", "1")),
                Arguments.of("export port=8000", Map.of("port", "8000")),
                Arguments.of("a=\"b\nc\"", Map.of("a", "b\nc")),
                Arguments.of("a='b\nc'", Map.of("a", "b\nc")),
                Arguments.of("a=\"b\\nc\"", Map.of("a", "b\nc")),
                Arguments.of("a='b\\nc'", Map.of("a", "b\\nc")),
                Arguments.of("a=\"b\\\"c\"", Map.of("a", "b\"c")),
                Arguments.of("a='b\\'c'", Map.of("a", "b'c")),
                Arguments.of("a=\"\\t\\\\x\\a\\v\"", Map.of("a", "\t\\x\u0007\u000b")),
                Arguments.of("a=à", Map.of("a", "à")),
                Arguments.of("a=\"à\"", Map.of("a", "à")),
                Arguments.of("no_value_var", Map.of()),
                Arguments.of("a=b\nc=d", Map.of("a", "b", "c", "d")),
                Arguments.of("a=b\rc=d", Map.of("a", "b", "c", "d")),
                Arguments.of("a=b\r\nc=d", Map.of("a", "b", "c", "d")),
                Arguments.of("a=\nb=c", Map.of("a", "", "b", "c")),
                Arguments.of("\n\n", Map.of()),
                Arguments.of("a=b\n\nc=d", Map.of("a", "b", "c", "d")),
                Arguments.of("# comment\na=\"b\nc\"\nd=e\n", Map.of("a", "b\nc", "d", "e")),
                Arguments.of("a=b\n# comment 1", Map.of("a", "b")),
                Arguments.of("uglyKey[%$=\"S3cr3t_P4ssw#rD\" #\na=b", Map.of("uglyKey[%$", "S3cr3t_P4ssw#rD", "a", "b")),
                Arguments.of("\ufeffa=b\nc=d", Map.of("a", "b", "c", "d")),
                // the issue's lines: quotes go, the comment after the closing quote too
                Arguments.of("HOST=\"127.0.0.1\"  # comment\nPORT=\"18013\" # comment", Map.of("HOST", "127.0.0.1", "PORT", "18013")),
                Arguments.of("API_KEY='sk-#1' # single quotes keep the #", Map.of("API_KEY", "sk-#1")));
    }

    @ParameterizedTest
    @MethodSource("parserCases")
    void readsLikePythonDotenv(String text, Map<String, String> expected) {
        assertThat(DotEnv.parse(text, "t.env", Map.of())).isEqualTo(expected);
    }

    /** Environment, text, then the values (test_dotenv_values_string_io, interpolation on). */
    static Stream<Arguments> expansionCases() {
        return Stream.of(
                Arguments.of(Map.of("b", "c"), "a=$b", Map.of("a", "$b")),
                Arguments.of(Map.of("b", "c"), "a=${b}", Map.of("a", "c")),
                Arguments.of(Map.of("b", "c"), "a=${b:-d}", Map.of("a", "c")),
                Arguments.of(Map.of(), "b=c\na=${b}", Map.of("a", "c", "b", "c")),
                Arguments.of(Map.of(), "a=${b}", Map.of("a", "")),
                Arguments.of(Map.of(), "a=${b:-d}", Map.of("a", "d")),
                Arguments.of(Map.of("b", "c"), "a=\"${b}\"", Map.of("a", "c")),
                Arguments.of(Map.of("b", "c"), "a='${b}'", Map.of("a", "c")),
                Arguments.of(Map.of("b", "c"), "a=x${b}y", Map.of("a", "xcy")),
                Arguments.of(Map.of("a", "b"), "a=${a}", Map.of("a", "b")),
                Arguments.of(Map.of(), "a=${a}", Map.of("a", "")),
                Arguments.of(Map.of("a", "b"), "a=${a:-c}", Map.of("a", "b")),
                Arguments.of(Map.of(), "a=${a:-c}", Map.of("a", "c")),
                Arguments.of(Map.of("b", "c"), "a=${b}${b}", Map.of("a", "cc")),
                Arguments.of(Map.of("b", "c"), "b=d\na=${b}", Map.of("a", "d", "b", "d")),
                Arguments.of(Map.of(), "a=b\na=c\nd=${a}", Map.of("a", "c", "d", "c")),
                Arguments.of(Map.of(), "a=b\nc=${a}\nd=e\nc=${d}", Map.of("a", "b", "c", "e", "d", "e")));
    }

    @ParameterizedTest
    @MethodSource("expansionCases")
    void expandsVariablesLikePythonDotenv(Map<String, String> environment, String text, Map<String, String> expected) {
        assertThat(DotEnv.parse(text, "t.env", environment)).isEqualTo(expected);
    }

    @Test
    void whatPythonDotenvCannotParseIsRefusedNamingTheLine() {
        // python-dotenv skips these with a warning; a server setting silently lost is worse than a clear error
        assertThatThrownBy(() -> DotEnv.parse("a=1\na: b", "x.env", Map.of())).hasMessage(
                "x.env line 2: cannot read 'a: b' (expected KEY=VALUE, a value in matching quotes, or a # comment)");
        assertThatThrownBy(() -> DotEnv.parse("a=\"\nb=c", "x.env", Map.of())).hasMessageStartingWith("x.env line 1:");
        assertThatThrownBy(() -> DotEnv.parse("a='x' y", "x.env", Map.of())).hasMessageStartingWith("x.env line 1:");
        Map<String, String> order = new LinkedHashMap<>(DotEnv.parse("z=1\na=2", "x.env", Map.of()));
        assertThat(order.keySet()).containsExactly("z", "a");
    }
}
