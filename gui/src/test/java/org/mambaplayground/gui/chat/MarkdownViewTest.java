package org.mambaplayground.gui.chat;

import static org.assertj.core.api.Assertions.assertThat;

import atlantafx.base.theme.PrimerLight;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.control.ScrollPane;
import javafx.scene.input.Clipboard;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.fxmisc.richtext.model.StyleSpan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** Renders a given markdown answer in the real toolkit (headless Monocle) and inspects the nodes. */
@ExtendWith(ApplicationExtension.class)
class MarkdownViewTest {
    private MarkdownView view;
    private ScrollPane scroll;

    @Start
    void start(Stage stage) {
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        view = new MarkdownView();
        scroll = new ScrollPane(view);
        scroll.setFitToWidth(true);
        Scene scene = new Scene(scroll, 700, 500);
        scene.getStylesheets().add(ChatView.STYLESHEET);
        stage.setScene(scene);
        stage.show();
    }

    private static final String ANSWER = """
            Here is **bold** and *italic* text with `inline()` code and a [link](https://mistral.ai).

            ```java
            public class Hello {
                // greet
                public static void main(String[] args) { System.out.println("hi"); }
            }
            ```

            1. first
            2. second

            ```brainfuck
            ++[>+<-]
            ```
            """;

    @Test
    void fencedJavaBlockIsHighlightedInACodeArea(FxRobot robot) {
        robot.interact(() -> view.setMarkdown(ANSWER));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(view.codeBlocks()).hasSize(2);
        CodeBlockView java = view.codeBlocks().getFirst();
        assertThat(java.language()).map(CodeLanguage::name).contains("java");
        assertThat(java.codeArea().getText()).startsWith("public class Hello {").endsWith("}");
        assertThat(java.codeArea().isEditable()).isFalse();
        Set<String> classes = new HashSet<>();
        for (StyleSpan<Collection<String>> span : java.codeArea().getStyleSpans(0, java.codeArea().getLength())) {
            classes.addAll(span.getStyle());
        }
        assertThat(classes).contains("keyword", "comment", "string", "type");
        // the style at "public" is keyword
        assertThat(java.codeArea().getStyleAtPosition(1)).contains("keyword");

        CodeBlockView unknown = view.codeBlocks().get(1);
        assertThat(unknown.language()).isEmpty();
        assertThat(robot.lookup(".code-block-language").queryAllAs(javafx.scene.control.Label.class))
                .extracting(javafx.scene.control.Label::getText).containsExactly("java", "brainfuck");
        assertThat(unknown.codeArea().getStyleSpans(0, unknown.codeArea().getLength()).getSpanCount()).isEqualTo(1);

        // inline markdown became styled text nodes
        assertThat(robot.lookup(".md-strong").queryAll()).anyMatch(n -> ((Text) n).getText().equals("bold"));
        assertThat(robot.lookup(".md-em").queryAll()).anyMatch(n -> ((Text) n).getText().equals("italic"));
        assertThat(robot.lookup(".md-code").queryAll()).isNotEmpty();
        assertThat(robot.lookup(".md-list-marker").queryAll()).hasSize(2);
    }

    @Test
    void gfmTablesBecomeGrids(FxRobot robot) {
        robot.interact(() -> view.setMarkdown("""
                | model | state |
                |:------|------:|
                | Mamba2 | **constant** |
                | Transformer | grows |
                """));
        var grid = robot.lookup(".md-table").queryAs(javafx.scene.layout.GridPane.class);
        assertThat(grid.getChildren()).hasSize(6);
        assertThat(robot.lookup(".md-th").queryAll()).hasSize(2);
        assertThat(robot.lookup(".md-td").queryAll()).hasSize(4);
        assertThat(robot.lookup(".md-strong").queryAll()).anyMatch(n -> ((Text) n).getText().equals("constant"));
    }

    @Test
    void copyButtonPutsTheCodeOnTheClipboard(FxRobot robot) {
        robot.interact(() -> view.setMarkdown(ANSWER));
        robot.clickOn(view.codeBlocks().getFirst().copyButton());
        WaitForAsyncUtils.waitForFxEvents();
        String clip = WaitForAsyncUtils.waitFor(WaitForAsyncUtils.asyncFx(() -> Clipboard.getSystemClipboard().getString()));
        assertThat(clip).isEqualTo(view.codeBlocks().getFirst().code());
        assertThat(clip).contains("System.out.println(\"hi\");");
    }

    @Test
    void wheelScrollingOverAShortCodeBlockScrollsTheTranscript(FxRobot robot) {
        String filler = "Some words to fill the page.\n\n".repeat(30);
        robot.interact(() -> view.setMarkdown(filler + "```sql\nSELECT 1;\n```\n\n" + filler));
        robot.interact(() -> scroll.setVvalue(0.5));
        double before = scroll.getVvalue();
        robot.moveTo(view.codeBlocks().getFirst().codeArea());
        robot.scroll(3, javafx.geometry.VerticalDirection.DOWN);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(scroll.getVvalue()).isNotEqualTo(before);
    }

    @Test
    void streamingGrowthReusesTheCodeBlockAndHighlightsTheNewPart(FxRobot robot) {
        robot.interact(() -> view.setMarkdown("Look:\n\n```python\ndef f"));
        CodeBlockView first = view.codeBlocks().getFirst();
        assertThat(first.codeArea().getText()).isEqualTo("def f");
        robot.interact(() -> view.setMarkdown("Look:\n\n```python\ndef f(x):\n    return None\n```\nDone."));
        assertThat(view.codeBlocks()).containsExactly(first);
        String text = first.codeArea().getText();
        assertThat(text).isEqualTo("def f(x):\n    return None");
        assertThat(first.codeArea().getStyleAtPosition(text.indexOf("return") + 1)).contains("keyword");
        assertThat(first.codeArea().getStyleAtPosition(text.indexOf("None") + 1)).contains("literal");
    }
}
