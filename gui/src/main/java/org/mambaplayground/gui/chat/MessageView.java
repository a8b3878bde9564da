package org.mambaplayground.gui.chat;

import java.util.Locale;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.mambaplayground.engine.generate.FinishReason;
import org.mambaplayground.engine.generate.GenerationStats;

/** One message of the transcript: who said it, the markdown text, and for answers the prefill phase and the figures. */
public final class MessageView extends VBox {
    public enum Role { USER, ASSISTANT, NOTE }

    private final Role role;
    private final MarkdownView body = new MarkdownView();
    private final StringBuilder text = new StringBuilder();
    private final Label phase = new Label();
    private final ProgressBar prefillBar = new ProgressBar(0);
    private final HBox phaseRow = new HBox(8, prefillBar, phase);
    private final Label stats = new Label();
    private final Label error = new Label();
    private int prefillShownTotal = -1;

    public MessageView(Role role, String roleName, String initialText) {
        this.role = role;
        getStyleClass().addAll("chat-message", role.name().toLowerCase(Locale.ROOT));
        setSpacing(6);
        Label who = new Label(roleName);
        who.getStyleClass().add("chat-message-role");
        Button copy = new Button("Copy");
        copy.getStyleClass().addAll("small", "flat");
        copy.setFocusTraversable(false);
        copy.setOnAction(e -> {
            ClipboardContent content = new ClipboardContent();
            content.putString(text.toString());
            Clipboard.getSystemClipboard().setContent(content);
        });
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox header = new HBox(8, who, spacer, copy);
        header.setAlignment(Pos.CENTER_LEFT);
        phase.getStyleClass().add("chat-message-phase");
        prefillBar.setPrefWidth(140);
        phaseRow.setAlignment(Pos.CENTER_LEFT);
        stats.getStyleClass().add("chat-message-stats");
        stats.setWrapText(true);
        error.getStyleClass().add("chat-message-error");
        error.setWrapText(true);
        getChildren().addAll(header, body);
        if (initialText != null && !initialText.isEmpty()) append(initialText);
    }

    public Role role() { return role; }

    public String text() { return text.toString(); }

    public MarkdownView body() { return body; }

    public Label statsLabel() { return stats; }

    public Label phaseLabel() { return phase; }

    /** The prompt size the "processing prompt" phase last showed, or -1 if it never showed one. */
    public int prefillShownTotal() { return prefillShownTotal; }

    public void append(String piece) {
        text.append(piece);
        body.setMarkdown(text.toString());
        if (!piece.isEmpty()) hidePhase();
    }

    /** The visible "processing prompt" phase, with its progress in tokens. */
    public void showPrefill(int done, int total) {
        if (!getChildren().contains(phaseRow)) getChildren().add(phaseRow);
        if (total > 0) prefillShownTotal = total;
        prefillBar.setProgress(total == 0 ? -1 : (double) done / total);
        phase.setText(done < total ? "Processing prompt: " + done + " / " + total + " tokens"
                : "Prompt processed (" + total + " tokens), generating\u2026");
    }

    /** Shown while another generation holds the CPU (so that neither's timings are skewed). */
    public void showWaiting(String why) {
        if (!getChildren().contains(phaseRow)) getChildren().add(phaseRow);
        prefillBar.setProgress(-1);
        phase.setText(why);
    }

    public void showStats(GenerationStats s) {
        hidePhase();
        StringBuilder line = new StringBuilder();
        line.append(s.generatedTokens()).append(" tokens");
        if (s.millisPerToken() > 0) line.append(String.format(Locale.ROOT, " \u00b7 %.1f tok/s", s.tokensPerSecond()));
        if (s.generatedTokens() > 0) {
            line.append(String.format(Locale.ROOT, " \u00b7 first token %.0f ms", s.timeToFirstTokenMillis()));
        }
        line.append(String.format(Locale.ROOT, " \u00b7 prompt %d tokens in %.0f ms", s.promptTokens(), s.prefillMillis()));
        if (s.prefillMillis() > 0) line.append(String.format(Locale.ROOT, " (%.0f tok/s)", s.prefillTokensPerSecond()));
        if (s.finishReason() == FinishReason.LENGTH) line.append(" \u00b7 reached the token limit");
        if (s.finishReason() == FinishReason.CANCELLED) line.append(" \u00b7 stopped");
        stats.setText(line.toString());
        if (!getChildren().contains(stats)) getChildren().add(stats);
    }

    public void showError(String message) {
        hidePhase();
        error.setText(message);
        if (!getChildren().contains(error)) getChildren().add(error);
    }

    private void hidePhase() {
        getChildren().remove(phaseRow);
    }
}
