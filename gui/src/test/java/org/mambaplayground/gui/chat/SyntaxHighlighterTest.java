package org.mambaplayground.gui.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SyntaxHighlighterTest {

    /** CSS class of the token that is exactly {@code text} (first occurrence), or "plain". */
    private static String classOf(String language, String code, String text) {
        CodeLanguage lang = CodeLanguages.forFenceInfo(language).orElseThrow();
        int at = code.indexOf(text);
        assertThat(at).as("snippet contains %s", text).isGreaterThanOrEqualTo(0);
        for (SyntaxHighlighter.Token t : SyntaxHighlighter.tokens(lang, code)) {
            if (t.start() <= at && at < t.end()) {
                assertThat(t.text(code)).as("token at '%s'", text).isEqualTo(text);
                return t.styleClass();
            }
        }
        return "plain";
    }

    @Test
    void java() {
        String code = """
                @Override
                public static int add(int a, int b) { // adds "two" numbers
                    String s = "return here"; /* class */
                    return a + b + 42 + 'c' == null;
                }
                """;
        assertThat(classOf("java", code, "@Override")).isEqualTo("annotation");
        assertThat(classOf("java", code, "public")).isEqualTo("keyword");
        assertThat(classOf("java", code, "int")).isEqualTo("type");
        assertThat(classOf("java", code, "String")).isEqualTo("type");
        assertThat(classOf("java", code, "// adds \"two\" numbers")).isEqualTo("comment");
        assertThat(classOf("java", code, "\"return here\"")).isEqualTo("string");
        assertThat(classOf("java", code, "/* class */")).isEqualTo("comment");
        assertThat(classOf("java", code, "42")).isEqualTo("number");
        assertThat(classOf("java", code, "'c'")).isEqualTo("string");
        assertThat(classOf("java", code, "null")).isEqualTo("literal");
        assertThat(classOf("java", code, "add")).isEqualTo("plain");
    }

    @Test
    void python() {
        String code = """
                @dataclass
                def greet(name: str) -> None:
                    # print the "greeting" with def inside
                    doc = \"\"\"multi
                    line with return\"\"\"
                    if name is not None and True:
                        print(f"hi {name}", 3.5e2)
                """;
        assertThat(classOf("python", code, "@dataclass")).isEqualTo("annotation");
        assertThat(classOf("py", code, "def")).isEqualTo("keyword");
        assertThat(classOf("python", code, "# print the \"greeting\" with def inside")).isEqualTo("comment");
        assertThat(classOf("python", code, "\"\"\"multi\n    line with return\"\"\"")).isEqualTo("string");
        assertThat(classOf("python", code, "None")).isEqualTo("literal");
        assertThat(classOf("python", code, "f\"hi {name}\"")).isEqualTo("string");
        assertThat(classOf("python", code, "3.5e2")).isEqualTo("number");
        assertThat(classOf("python", code, "greet")).isEqualTo("plain");
    }

    @Test
    void javascriptAndTypescript() {
        String code = """
                export async function load(url: string): Promise<void> {
                  const res = await fetch(`${url}/api`); // fetch it
                  let ok = res.status === 200 || undefined;
                }
                """;
        assertThat(classOf("js", code, "export")).isEqualTo("keyword");
        assertThat(classOf("javascript", code, "const")).isEqualTo("keyword");
        assertThat(classOf("ts", code, "string")).isEqualTo("type");
        assertThat(classOf("typescript", code, "Promise")).isEqualTo("type");
        assertThat(classOf("tsx", code, "`${url}/api`")).isEqualTo("string");
        assertThat(classOf("js", code, "// fetch it")).isEqualTo("comment");
        assertThat(classOf("js", code, "200")).isEqualTo("number");
        assertThat(classOf("js", code, "undefined")).isEqualTo("literal");
    }

    @Test
    void cAndCpp() {
        String code = """
                #include <stdio.h>
                int main(void) {
                    const char *s = "while(1)"; // loop
                    std::vector<int> v{1, 2};
                    return s == nullptr ? 0 : 0x1F;
                }
                """;
        assertThat(classOf("c", code, "#include <stdio.h>")).isEqualTo("preprocessor");
        assertThat(classOf("c", code, "int")).isEqualTo("type");
        assertThat(classOf("c", code, "const")).isEqualTo("keyword");
        assertThat(classOf("cpp", code, "\"while(1)\"")).isEqualTo("string");
        assertThat(classOf("c++", code, "// loop")).isEqualTo("comment");
        assertThat(classOf("cpp", code, "nullptr")).isEqualTo("literal");
        assertThat(classOf("cpp", code, "0x1F")).isEqualTo("number");
        assertThat(classOf("cpp", code, "return")).isEqualTo("keyword");
    }

    @Test
    void rust() {
        String code = """
                #[derive(Debug)]
                pub fn longest<'a>(x: &'a str, n: u32) -> Option<&'a str> {
                    let c = 'x'; // not a lifetime
                    println!("{} {}", x, n);
                    Some(x)
                }
                """;
        assertThat(classOf("rust", code, "#[derive(Debug)]")).isEqualTo("annotation");
        assertThat(classOf("rs", code, "pub")).isEqualTo("keyword");
        assertThat(classOf("rust", code, "fn")).isEqualTo("keyword");
        assertThat(classOf("rust", code, "'a")).isEqualTo("annotation");
        assertThat(classOf("rust", code, "u32")).isEqualTo("type");
        assertThat(classOf("rust", code, "Option")).isEqualTo("type");
        assertThat(classOf("rust", code, "'x'")).isEqualTo("string");
        assertThat(classOf("rust", code, "println!")).isEqualTo("macro");
        assertThat(classOf("rust", code, "Some")).isEqualTo("literal");
        assertThat(classOf("rust", code, "// not a lifetime")).isEqualTo("comment");
    }

    @Test
    void go() {
        String code = """
                package main
                func main() {
                    var s string = `raw "text"`
                    for i := 0; i < 10; i++ { fmt.Println(s, nil) } // loop
                }
                """;
        assertThat(classOf("go", code, "package")).isEqualTo("keyword");
        assertThat(classOf("golang", code, "func")).isEqualTo("keyword");
        assertThat(classOf("go", code, "string")).isEqualTo("type");
        assertThat(classOf("go", code, "`raw \"text\"`")).isEqualTo("string");
        assertThat(classOf("go", code, "10")).isEqualTo("number");
        assertThat(classOf("go", code, "nil")).isEqualTo("literal");
        assertThat(classOf("go", code, "// loop")).isEqualTo("comment");
    }

    @Test
    void bash() {
        String code = """
                #!/usr/bin/env bash
                for f in "$HOME"/*.txt; do   # every text file
                  echo 'done here' "${f%.txt}" --verbose $1
                done
                """;
        assertThat(classOf("bash", code, "#!/usr/bin/env bash")).isEqualTo("comment");
        assertThat(classOf("sh", code, "for")).isEqualTo("keyword");
        assertThat(classOf("shell", code, "\"$HOME\"")).isEqualTo("string");
        assertThat(classOf("bash", code, "# every text file")).isEqualTo("comment");
        assertThat(classOf("bash", code, "echo")).isEqualTo("type");
        assertThat(classOf("bash", code, "'done here'")).isEqualTo("string");
        assertThat(classOf("bash", code, "--verbose")).isEqualTo("property");
        assertThat(classOf("bash", code, "$1")).isEqualTo("variable");
        var last = SyntaxHighlighter.tokens(CodeLanguages.forFenceInfo("bash").orElseThrow(), code).getLast();
        assertThat(last.text(code)).isEqualTo("done");
        assertThat(last.styleClass()).isEqualTo("keyword");
    }

    @Test
    void sql() {
        String code = """
                -- users with orders
                SELECT u.name, COUNT(*) AS n FROM users u
                where u.note = 'it''s from here' AND u.age > 21 /* adults */ IS NOT NULL;
                """;
        assertThat(classOf("sql", code, "-- users with orders")).isEqualTo("comment");
        assertThat(classOf("sql", code, "SELECT")).isEqualTo("keyword");
        assertThat(classOf("sql", code, "where")).isEqualTo("keyword");
        assertThat(classOf("sql", code, "COUNT")).isEqualTo("type");
        assertThat(classOf("postgresql", code, "'it''s from here'")).isEqualTo("string");
        assertThat(classOf("sql", code, "21")).isEqualTo("number");
        assertThat(classOf("sql", code, "/* adults */")).isEqualTo("comment");
        assertThat(classOf("sql", code, "NULL")).isEqualTo("literal");
    }

    @Test
    void json() {
        String code = """
                {"name": "mamba", "layers": 64, "ratio": -1.5e3, "tied": true, "next": null}
                """;
        assertThat(classOf("json", code, "\"name\"")).isEqualTo("property");
        assertThat(classOf("json", code, "\"mamba\"")).isEqualTo("string");
        assertThat(classOf("json", code, "64")).isEqualTo("number");
        assertThat(classOf("json", code, "-1.5e3")).isEqualTo("number");
        assertThat(classOf("json", code, "true")).isEqualTo("literal");
        assertThat(classOf("json", code, "null")).isEqualTo("literal");
    }

    @Test
    void unknownLanguagesAndInfoStringsAreHandled() {
        assertThat(CodeLanguages.forFenceInfo("brainfuck")).isEmpty();
        assertThat(CodeLanguages.forFenceInfo("")).isEmpty();
        assertThat(CodeLanguages.forFenceInfo(null)).isEmpty();
        assertThat(CodeLanguages.forFenceInfo("Java title=\"Main.java\"")).map(CodeLanguage::name).contains("java");
        assertThat(CodeLanguages.forFenceInfo("language-python")).map(CodeLanguage::name).contains("python");
        // plain text: one unstyled span over everything
        var spans = SyntaxHighlighter.styleSpans(null, "int x = 1;");
        assertThat(spans.length()).isEqualTo(10);
        assertThat(spans.getSpanCount()).isEqualTo(1);
    }

    @Test
    void styleSpansCoverTheWholeTextAndUnterminatedConstructsEndAtTheEnd() {
        CodeLanguage java = CodeLanguages.forFenceInfo("java").orElseThrow();
        String streamingHalf = "int a = 1; /* still being written";
        var spans = SyntaxHighlighter.styleSpans(java, streamingHalf);
        assertThat(spans.length()).isEqualTo(streamingHalf.length());
        List<SyntaxHighlighter.Token> tokens = SyntaxHighlighter.tokens(java, streamingHalf);
        assertThat(tokens.getLast().styleClass()).isEqualTo("comment");
        assertThat(tokens.getLast().end()).isEqualTo(streamingHalf.length());
    }
}
