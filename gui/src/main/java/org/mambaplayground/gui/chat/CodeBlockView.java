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

/** A fenced code block: language label, copy button and a read-only, highlighted code area. */
public final class CodeBlockView extends VBox {
    private static final double LINE_HEIGHT_GUESS = 18;
    private static final double MAX_HEIGHT = 480;

    private final CodeArea area = new CodeArea();
    private final Label languageLabel = new Label();
    private final Button copyButton = new Button("Copy");
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
        HBox header = new HBox(8, languageLabel, spacer, copyButton);
        header.setAlignment(Pos.CENTER_LEFT);
        header.getStyleClass().add("code-block-header");
        VirtualizedScrollPane<CodeArea> scroll = new VirtualizedScrollPane<>(area);
        // grow with the content up to a limit, then scroll
        area.totalHeightEstimateProperty().addListener((obs, old, height) -> {
            if (height != null) {
                scroll.setPrefHeight(Math.min(MAX_HEIGHT, height + 16));
            }
        });
        // a block short enough to show whole passes vertical wheel scrolling on to the transcript around it
        scroll.addEventFilter(ScrollEvent.SCROLL, e -> {
            boolean vertical = Math.abs(e.getDeltaY()) > Math.abs(e.getDeltaX());
            if (vertical && scroll.getPrefHeight() < MAX_HEIGHT && getParent() != null) {
                e.consume();
                getParent().fireEvent(e.copyFor(getParent(), getParent()));
            }
        });
        getChildren().addAll(header, scroll);
        setCode(info, code);
        scroll.setPrefHeight(Math.min(MAX_HEIGHT, lineCount() * LINE_HEIGHT_GUESS + 16));
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
