package org.mambaplayground.gui.compare;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import javafx.scene.control.Label;
import javafx.scene.layout.GridPane;
import org.mambaplayground.backend.ReplyStats;
import org.mambaplayground.engine.model.Sizes;

/** The two runs' measured figures side by side, row by row, as their backends reported them. */
final class FiguresTable extends GridPane {
    private record Figure(String name, Function<ReplyStats, String> value) {}

    private static final List<Figure> FIGURES = List.of(
            new Figure("Prompt tokens", s -> s.promptTokens() < 0 ? "not reported" : Integer.toString(s.promptTokens())),
            new Figure("Prefill", s -> s.remote() ? "not separable at the client (in the time to first token)"
                    : String.format(Locale.ROOT, "%.1f ms (%.0f tok/s)", s.prefillMillis(), s.prefillTokensPerSecond())),
            new Figure("Time to first token", s -> String.format(Locale.ROOT, "%.1f ms", s.timeToFirstTokenMillis())),
            new Figure("Tokens generated", s -> Integer.toString(s.completionTokens())),
            new Figure("Per token", s -> s.millisPerToken() > 0
                    ? String.format(Locale.ROOT, "%.2f ms (%.1f tok/s)", s.millisPerToken(), s.tokensPerSecond()) : "\u2014"),
            new Figure("State memory at the end", s -> (s.stateBytes().isPresent() ? Sizes.bytes(s.stateBytes().getAsLong())
                    : "not measured (remote)") + " (" + s.contextTokens() + " tokens)"),
            new Figure("Ended by", s -> s.finishReason().name().toLowerCase(Locale.ROOT)),
            new Figure("Measured", s -> s.remote() ? "at the client, network included" : "in the engine"));

    private final Label[] headers = {new Label("\u2014"), new Label("\u2014")};
    private final Label[][] cells = new Label[FIGURES.size()][2];

    FiguresTable() {
        setHgap(24);
        setVgap(4);
        getStyleClass().add("compare-figures");
        Label title = new Label("Measured");
        title.getStyleClass().add("compare-figures-header");
        add(title, 0, 0);
        for (int side = 0; side < 2; side++) {
            headers[side].getStyleClass().add("compare-figures-header");
            add(headers[side], side + 1, 0);
        }
        for (int row = 0; row < FIGURES.size(); row++) {
            Label name = new Label(FIGURES.get(row).name());
            name.getStyleClass().add("compare-figures-name");
            add(name, 0, row + 1);
            for (int side = 0; side < 2; side++) {
                cells[row][side] = new Label("\u2014");
                add(cells[row][side], side + 1, row + 1);
            }
        }
    }

    void clear(int side, String model) {
        headers[side].setText(model);
        for (Label[] row : cells) row[side].setText("\u2014");
    }

    void show(int side, ReplyStats stats) {
        for (int row = 0; row < FIGURES.size(); row++) cells[row][side].setText(FIGURES.get(row).value().apply(stats));
    }

    /** The text shown for a figure ("Prefill", ...) on one side, for tests. */
    String value(String figure, int side) {
        for (int row = 0; row < FIGURES.size(); row++) {
            if (FIGURES.get(row).name().equals(figure)) return cells[row][side].getText();
        }
        throw new IllegalArgumentException("no figure " + figure);
    }
}
