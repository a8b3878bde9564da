package org.mambaplayground.gui.library;

import static org.assertj.core.api.Assertions.assertThat;

import javafx.scene.Scene;
import javafx.scene.layout.StackPane;
import javafx.scene.text.Font;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * A hyphenated name too wide for its column breaks after a hyphen, not mid-word, and a path after a separator;
 * what fits is left alone.
 */
@ExtendWith(ApplicationExtension.class)
class LineBreaksTest {
    private final Font font = Font.font("DejaVu Sans", 13);

    @Start
    void start(Stage stage) {
        stage.setScene(new Scene(new StackPane(), 100, 100)); // the toolkit, for text measurement
    }

    private double width(String s) {
        Text t = new Text(s);
        t.setFont(font);
        return t.getLayoutBounds().getWidth();
    }

    @Test
    void breaksAfterTheLastHyphenThatFits() {
        String name = "codestral-mamba-demo";
        double narrow = width("codestral-mamba-de"); // where JavaFX alone broke it: "codestral-mamba-de" / "mo"
        assertThat(LineBreaks.after(name, "-", font, narrow)).isEqualTo("codestral-mamba-\ndemo");
        assertThat(LineBreaks.after(name, "-", font, width("codestral-ma"))).isEqualTo("codestral-\nmamba-\ndemo");
        assertThat(LineBreaks.after(name, "-", font, width(name) + 1)).isEqualTo(name);
    }

    @Test
    void leavesSpacesAndUnbreakableWordsToTheTextLayout() {
        assertThat(LineBreaks.after("Mistral Nemo 12B Instruct", "-", font, 40)).isEqualTo("Mistral Nemo 12B Instruct");
        // each word on its own: only the hyphenated one too wide is broken
        assertThat(LineBreaks.after("Mixtral 8x7B-Instruct-v0.1 model", "-", font, width("8x7B-Instruct-")))
                .isEqualTo("Mixtral 8x7B-Instruct-\nv0.1 model");
        // a first part that does not fit even alone is left to the layout
        assertThat(LineBreaks.after("verylongprefix-x", "-", font, width("verylong"))).isEqualTo("verylongprefix-x");
    }

    @Test
    void breaksAPathAfterTheLastSeparatorThatFits() {
        String path = "/root/.mamba-playground/models/codestral-mamba-demo";
        String marks = "/\\-";
        assertThat(LineBreaks.after(path, marks, font, width("/root/.mamba-playground/models/c")))
                .isEqualTo("/root/.mamba-playground/models/\ncodestral-mamba-demo");
        assertThat(LineBreaks.after("C:\\Users\\ada\\models", marks, font, width("C:\\Users\\ada\\mo")))
                .isEqualTo("C:\\Users\\ada\\\nmodels");
        assertThat(LineBreaks.after(path, marks, font, width(path) + 1)).isEqualTo(path);
    }
}
