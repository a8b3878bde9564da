package org.mambaplayground.gui.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.mambaplayground.engine.generate.FinishReason;
import org.mambaplayground.engine.generate.GenerationStats;

/**
 * One message of the transcript: who said it, its text, and for answers the prefill phase and the figures.
 * A user's message is shown as typed; an answer as markdown, or as highlighted code when it is code
 * without fences (see {@link #showAsCode}); the "Raw" toggle shows any message's text as it is.
 *
 * <p>An answer holds one or more alternatives (the answers Regenerate produced); one is shown at a time.
 */
public final class MessageView extends VBox {
    public enum Role { USER, ASSISTANT, NOTE }

    private final Role role;
    private final List<StringBuilder> alternatives = new ArrayList<>(List.of(new StringBuilder()));
    private int shown;
    private final VBox content = new VBox();
    private final MarkdownView markdown = new MarkdownView();
    private final Label plain = new Label();
    private CodeBlockView code;
    private Optional<CodeLanguage> codeLanguage = Optional.empty();
    private boolean asCode;
    private final ToggleButton raw = new ToggleButton("Raw");
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
        who.setMinWidth(0);
        Button copy = new Button("Copy");
        copy.getStyleClass().addAll("small", "flat");
        copy.setFocusTraversable(false);
        copy.setOnAction(e -> {
            ClipboardContent clip = new ClipboardContent();
            clip.putString(text());
            Clipboard.getSystemClipboard().setContent(clip);
        });
        raw.getStyleClass().addAll("small", "flat");
        raw.setFocusTraversable(false);
        raw.setTooltip(new Tooltip("Show the text exactly as it was written, without formatting"));
        raw.selectedProperty().addListener((obs, was, now) -> render());
        raw.setVisible(role == Role.ASSISTANT);
        raw.setManaged(role == Role.ASSISTANT);
        for (Node n : List.of(copy, raw)) ((Region) n).setMinWidth(Region.USE_PREF_SIZE);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox header = new HBox(8, who, spacer, raw, copy);
        header.setAlignment(Pos.CENTER_LEFT);
        phase.getStyleClass().add("chat-message-phase");
        phase.setWrapText(true);
        prefillBar.setPrefWidth(140);
        prefillBar.setMinWidth(80);
        phaseRow.setAlignment(Pos.CENTER_LEFT);
        stats.getStyleClass().add("chat-message-stats");
        stats.setWrapText(true);
        error.getStyleClass().add("chat-message-error");
        error.setWrapText(true);
        plain.getStyleClass().add("chat-message-plain");
        plain.setWrapText(true);
        plain.setMinHeight(Region.USE_PREF_SIZE);
        getChildren().addAll(header, content);
        if (initialText != null) alternatives.getFirst().append(initialText);
        render();
    }

    public Role role() { return role; }

    /** The text of the alternative shown. */
    public String text() { return alternatives.get(shown).toString(); }

    /** Every alternative's text, in the order they were made. */
    public List<String> alternatives() { return alternatives.stream().map(StringBuilder::toString).toList(); }

    /** Which alternative is shown (0-based). */
    public int shownAlternative() { return shown; }

    /** Replaces the alternatives (a restored conversation) and shows the one at {@code index}. */
    public void setAlternatives(List<String> texts, int index) {
        alternatives.clear();
        for (String t : texts) alternatives.add(new StringBuilder(t));
        if (alternatives.isEmpty()) alternatives.add(new StringBuilder());
        shown = Math.clamp(index, 0, alternatives.size() - 1);
        render();
    }

    public MarkdownView body() { return markdown; }

    /** The code view of an answer shown as code; null otherwise. */
    public CodeBlockView codeView() { return code != null && content.getChildren().contains(code) ? code : null; }

    /** The plain-text view, used for user messages and raw text. */
    public Label plainLabel() { return plain; }

    public ToggleButton rawToggle() { return raw; }

    public Label statsLabel() { return stats; }

    public Label phaseLabel() { return phase; }

    /** The prompt size the "processing prompt" phase last showed, or -1 if it never showed one. */
    public int prefillShownTotal() { return prefillShownTotal; }

    public void append(String piece) {
        alternatives.get(shown).append(piece);
        render();
        if (!piece.isEmpty()) hidePhase();
    }

    /**
     * Shows the answer as code (an answer in completion mode, or one that continues code without
     * fences), highlighted in that language when known; or as markdown.
     */
    public void showAs(boolean code, Optional<CodeLanguage> language) {
        if (code == asCode && language.equals(codeLanguage)) return;
        asCode = code;
        codeLanguage = code ? language : Optional.empty();
        this.code = null; // the language label is set once per block
        render();
    }

    public boolean shownAsCode() { return asCode; }

    public Optional<CodeLanguage> codeLanguage() { return codeLanguage; }

    private void render() {
        String text = text();
        Node view;
        if (role != Role.ASSISTANT || raw.isSelected()) {
            plain.setText(text);
            view = plain;
        } else if (asCode) {
            String info = codeLanguage.map(l -> l.aliases().stream().sorted().findFirst().orElse("")).orElse("");
            if (code == null) code = new CodeBlockView(info, text);
            else code.setCode(info, text);
            view = code;
        } else {
            markdown.setMarkdown(text);
            view = markdown;
        }
        if (content.getChildren().size() != 1 || content.getChildren().getFirst() != view) content.getChildren().setAll(view);
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
        setStatsText(describe(s));
    }

    /** The figures line as saved with a conversation. */
    public String statsText() { return getChildren().contains(stats) ? stats.getText() : ""; }

    public void setStatsText(String line) {
        if (line == null || line.isEmpty()) return;
        stats.setText(line);
        if (!getChildren().contains(stats)) getChildren().add(stats);
    }

    static String describe(GenerationStats s) {
        StringBuilder line = new StringBuilder();
        line.append(s.generatedTokens()).append(" tokens");
        if (s.millisPerToken() > 0) line.append(String.format(Locale.ROOT, " \u00b7 %.1f tok/s", s.tokensPerSecond()));
        if (s.generatedTokens() > 0) {
            line.append(String.format(Locale.ROOT, " \u00b7 first token %.0f ms", s.timeToFirstTokenMillis()));
        }
        line.append(String.format(Locale.ROOT, " \u00b7 prompt %d tokens in %.0f ms", s.promptTokens(), s.prefillMillis()));
        if (s.prefillMillis() > 0) line.append(String.format(Locale.ROOT, " (%.0f tok/s)", s.prefillTokensPerSecond()));
        if (s.finishReason() == FinishReason.LENGTH) line.append(" \u00b7 reached the token limit");
        if (s.finishReason() == FinishReason.CANCELLED) {
            line.append(s.generatedTokens() == 0 ? " \u00b7 stopped while processing the prompt" : " \u00b7 stopped");
        }
        return line.toString();
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
