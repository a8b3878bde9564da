package org.mambaplayground.gui.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.IntConsumer;
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
import org.mambaplayground.backend.ReplyStats;

/**
 * One message of the transcript: who said it, its text, and for answers the prefill phase and the figures.
 * A user's message is shown as typed; an answer as markdown, or as highlighted code when it is code
 * without fences (see {@link #showAsCode}); the "Raw" toggle shows any message's text as it is.
 *
 * <p>An answer holds one or more alternatives (the answers Regenerate produced); one is shown at a time, and
 * {@code < 2/3 >} in its header switches between them. A user's message has an Edit button when the chat
 * sets one up ({@link #setOnEdit}).
 */
public final class MessageView extends VBox {
    public enum Role { USER, ASSISTANT, NOTE }

    private final Role role;
    private final List<StringBuilder> alternatives = new ArrayList<>(List.of(new StringBuilder()));
    private int shown;
    /** The figures line of each alternative. */
    private final List<String> statsTexts = new ArrayList<>(List.of(""));
    /**
     * Which answer of the engine's conversation each alternative is, for the conversation {@link #linkKey}
     * (-1: one the engine does not hold, e.g. a restored alternative).
     */
    private final List<Integer> links = new ArrayList<>(List.of(-1));
    private Object linkKey;
    private final Button previousAlternative = new Button("<");
    private final Label alternativeLabel = new Label();
    private final Button nextAlternative = new Button(">");
    private final HBox alternativeNav = new HBox(2, previousAlternative, alternativeLabel, nextAlternative);
    private IntConsumer onSwitch = this::showAlternative;
    private final Button edit = new Button("Edit");
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
        for (Button b : List.of(previousAlternative, nextAlternative, edit)) {
            b.getStyleClass().addAll("small", "flat");
            b.setFocusTraversable(false);
        }
        previousAlternative.setTooltip(new Tooltip("The previous answer to this message"));
        nextAlternative.setTooltip(new Tooltip("The next answer to this message"));
        previousAlternative.setOnAction(e -> onSwitch.accept(shown - 1));
        nextAlternative.setOnAction(e -> onSwitch.accept(shown + 1));
        alternativeLabel.getStyleClass().add("chat-message-role");
        alternativeNav.setAlignment(Pos.CENTER);
        alternativeNav.getStyleClass().add("chat-alternatives");
        edit.setTooltip(new Tooltip("Edit this message: sending it again replaces it and the answers after it"));
        edit.setVisible(false);
        edit.setManaged(false);
        for (Node n : List.of(copy, raw, previousAlternative, alternativeLabel, nextAlternative, edit)) {
            ((Region) n).setMinWidth(Region.USE_PREF_SIZE);
        }
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox header = new HBox(8, who, spacer, alternativeNav, edit, raw, copy);
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
        statsTexts.clear();
        links.clear();
        for (int i = 0; i < alternatives.size(); i++) {
            statsTexts.add("");
            links.add(-1);
        }
        shown = Math.clamp(index, 0, alternatives.size() - 1);
        render();
    }

    /** Starts a new, empty alternative (a regenerated answer streams into it) and shows it. */
    public void addAlternative() {
        alternatives.add(new StringBuilder());
        statsTexts.add("");
        links.add(-1);
        showAlternative(alternatives.size() - 1);
    }

    /** Drops the alternative shown (a regenerated answer that never got a word) and shows the one before it. */
    public void removeShownAlternative() {
        if (alternatives.size() < 2) return;
        alternatives.remove(shown);
        statsTexts.remove(shown);
        links.remove(shown);
        showAlternative(Math.max(0, shown - 1));
    }

    /** Shows alternative {@code index} (its text and figures). */
    public void showAlternative(int index) {
        shown = Math.clamp(index, 0, alternatives.size() - 1);
        getChildren().remove(error);
        showStatsLine(statsTexts.get(shown));
        render();
    }

    /** What the alternative buttons do with the index asked for (by default: show it). */
    public void setOnSwitch(IntConsumer action) { onSwitch = action == null ? this::showAlternative : action; }

    /** Whether the alternative buttons can be used (only the last answer's can: later turns build on the others). */
    public void setSwitchable(boolean switchable) { alternativeNav.setDisable(!switchable); }

    public Button previousAlternativeButton() { return previousAlternative; }

    public Button nextAlternativeButton() { return nextAlternative; }

    /** "2/3" while there are several alternatives. */
    public Label alternativeLabel() { return alternativeLabel; }

    /** Notes that alternative {@code alternative} is answer {@code engineIndex} of the engine's conversation {@code key}. */
    public void link(Object key, int alternative, int engineIndex) {
        if (key != linkKey) {
            linkKey = key;
            java.util.Collections.fill(links, -1);
        }
        links.set(alternative, engineIndex);
    }

    /** Which answer of the engine's conversation {@code key} alternative {@code alternative} is, or -1. */
    public int linked(Object key, int alternative) { return key != null && key == linkKey ? links.get(alternative) : -1; }

    /** Makes the Edit button (user messages) run {@code action}. */
    public void setOnEdit(Runnable action) {
        edit.setOnAction(e -> action.run());
        edit.setVisible(role == Role.USER);
        edit.setManaged(role == Role.USER);
    }

    public Button editButton() { return edit; }

    public MarkdownView body() { return markdown; }

    /** The code view of an answer shown as code; null otherwise. */
    public CodeBlockView codeView() { return code != null && content.getChildren().contains(code) ? code : null; }

    /** The plain-text view, used for user messages and raw text. */
    public Label plainLabel() { return plain; }

    public ToggleButton rawToggle() { return raw; }

    public Label statsLabel() { return stats; }

    /** The failure shown under the answer (empty when none). */
    public Label errorLabel() { return error; }

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
        boolean several = alternatives.size() > 1;
        alternativeNav.setVisible(several);
        alternativeNav.setManaged(several);
        alternativeLabel.setText((shown + 1) + "/" + alternatives.size());
        previousAlternative.setDisable(shown == 0);
        nextAlternative.setDisable(shown == alternatives.size() - 1);
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

    public void showStats(ReplyStats s) {
        hidePhase();
        setStatsText(describe(s));
    }

    /** The figures line of the alternative shown, as saved with a conversation. */
    public String statsText() { return statsTexts.get(shown); }

    public void setStatsText(String line) {
        if (line == null || line.isEmpty()) return;
        statsTexts.set(shown, line);
        showStatsLine(line);
    }

    private void showStatsLine(String line) {
        stats.setText(line);
        if (line.isEmpty()) getChildren().remove(stats);
        else if (!getChildren().contains(stats)) getChildren().add(stats);
    }

    static String describe(ReplyStats s) {
        StringBuilder line = new StringBuilder();
        line.append(s.completionTokens()).append(" tokens");
        if (s.millisPerToken() > 0) line.append(String.format(Locale.ROOT, " \u00b7 %.1f tok/s", s.tokensPerSecond()));
        if (s.completionTokens() > 0) {
            line.append(String.format(Locale.ROOT, " \u00b7 first token %.0f ms", s.timeToFirstTokenMillis()));
        }
        if (s.remote()) {
            if (s.promptTokens() >= 0) line.append(String.format(Locale.ROOT, " \u00b7 prompt %d tokens", s.promptTokens()));
            line.append(" \u00b7 measured at the client, network included");
            if (s.tokenSource() == ReplyStats.TokenSource.STREAM_CHUNKS) line.append(" (tokens counted from stream chunks)");
        } else if (s.promptTokens() == 0) {
            line.append(" \u00b7 prompt 0 tokens (resumed from a checkpoint)");
        } else {
            line.append(String.format(Locale.ROOT, " \u00b7 prompt %d tokens in %.0f ms", s.promptTokens(), s.prefillMillis()));
        }
        if (!s.remote() && s.promptTokens() > 0 && s.prefillMillis() > 0) line.append(String.format(Locale.ROOT, " (%.0f tok/s)", s.prefillTokensPerSecond()));
        if (s.finishReason() == FinishReason.LENGTH) line.append(" \u00b7 reached the token limit");
        if (s.finishReason() == FinishReason.CANCELLED) {
            line.append(s.completionTokens() == 0 ? " \u00b7 stopped while processing the prompt" : " \u00b7 stopped");
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
