package org.mambaplayground.gui.chat;

import java.util.Optional;
import javafx.animation.PauseTransition;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.Duration;
import org.fxmisc.flowless.VirtualizedScrollPane;
import org.fxmisc.richtext.CodeArea;

/**
 * A fenced code block: language label, copy button and a read-only, highlighted code area. The block
 * grows with its code (the transcript around it is the only vertical scroll); a long block can be
 * collapsed to its first lines. Long lines scroll sideways.
 */
public final class CodeBlockView extends VBox {
    private static final double LINE_HEIGHT_GUESS = 18;
    /** Blocks longer than this offer to collapse to this many lines. */
    static final int COLLAPSIBLE_LINES = 24;

    private final CodeArea area = new CodeArea();
    private final Label languageLabel = new Label();
    private final Button copyButton = new Button("Copy");
    private final Button collapseButton = new Button();
    private final VirtualizedScrollPane<CodeArea> scroll = new VirtualizedScrollPane<>(area);
    private boolean collapsed;
    private double contentHeight;
    private String info; // null until the first setCode, so the label is always set once
    private String code = "";
    private Optional<CodeLanguage> language = Optional.empty();

    public CodeBlockView(String info, String code) {
        getStyleClass().add("code-block");
        area.setEditable(false);
        area.setWrapText(false);
        area.getStyleClass().add("code-block-area");
        languageLabel.getStyleClass().add("code-block-language");
        copyButton.getStyleClass().addAll("code-block-copy", "small", "flat");
        copyButton.setFocusTraversable(false);
        copyButton.setOnAction(e -> copyToClipboard());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        collapseButton.getStyleClass().addAll("small", "flat");
        collapseButton.setFocusTraversable(false);
        collapseButton.setOnAction(e -> setCollapsed(!collapsed));
        HBox header = new HBox(8, languageLabel, spacer, collapseButton, copyButton);
        header.setAlignment(Pos.CENTER_LEFT);
        header.getStyleClass().add("code-block-header");
        scroll.setVbarPolicy(javafx.scene.control.ScrollPane.ScrollBarPolicy.NEVER);
        area.totalHeightEstimateProperty().addListener((obs, old, height) -> {
            if (height != null) {
                contentHeight = height;
                fitHeight();
            }
        });
        // vertical wheel scrolling belongs to the transcript around the block
        scroll.addEventFilter(ScrollEvent.SCROLL, e -> {
            boolean vertical = Math.abs(e.getDeltaY()) > Math.abs(e.getDeltaX());
            if (vertical && getParent() != null) {
                e.consume();
                getParent().fireEvent(e.copyFor(getParent(), getParent()));
            }
        });
        getChildren().addAll(header, scroll);
        setCode(info, code);
    }

    /** A collapsed block shows its first {@value #COLLAPSIBLE_LINES} lines only. */
    public void setCollapsed(boolean value) {
        collapsed = value;
        fitHeight();
    }

    public boolean isCollapsed() { return collapsed; }

    public Button collapseButton() { return collapseButton; }

    /** The whole code's height, or the collapsed part's; the estimate is the area's own once it has laid out. */
    private void fitHeight() {
        int lines = lineCount();
        boolean collapsible = lines > COLLAPSIBLE_LINES;
        collapseButton.setVisible(collapsible);
        collapseButton.setManaged(collapsible);
        collapseButton.setText(collapsed ? "Show all " + lines + " lines" : "Collapse");
        double lineHeight = contentHeight > 0 ? contentHeight / lines : LINE_HEIGHT_GUESS;
        double full = contentHeight > 0 ? contentHeight : lines * LINE_HEIGHT_GUESS;
        double shown = collapsed && collapsible ? COLLAPSIBLE_LINES * lineHeight : full;
        scroll.setPrefHeight(shown + 18); // room for the sideways scroll bar of long lines
        scroll.setMinHeight(shown + 18);
    }

    /** Replaces the content (used while an answer streams in: the same block keeps growing). */
    public void setCode(String info, String code) {
        String newInfo = info == null ? "" : info.strip();
        if (!newInfo.equals(this.info)) {
            this.info = newInfo;
            this.language = CodeLanguages.forFenceInfo(newInfo);
            String shown = newInfo.isEmpty() ? "text" : newInfo.split("\\s", 2)[0];
            languageLabel.setText(language.map(CodeLanguage::name).orElse(shown));
        }
        if (code.equals(this.code) && area.getLength() == code.length()) {
            return;
        }
        this.code = code;
        area.replaceText(code);
        area.setStyleSpans(0, SyntaxHighlighter.styleSpans(language.orElse(null), code));
        fitHeight();
    }

    public String code() { return code; }

    /** The language the block is highlighted as; empty when shown plain. */
    public Optional<CodeLanguage> language() { return language; }

    public CodeArea codeArea() { return area; }

    public Button copyButton() { return copyButton; }

    public void copyToClipboard() {
        ClipboardContent content = new ClipboardContent();
        content.putString(code);
        Clipboard.getSystemClipboard().setContent(content);
        copyButton.setText("Copied");
        PauseTransition reset = new PauseTransition(Duration.seconds(1.5));
        reset.setOnFinished(e -> copyButton.setText("Copy"));
        reset.play();
    }

    private int lineCount() {
        return (int) code.chars().filter(c -> c == '\n').count() + 1;
    }
}
