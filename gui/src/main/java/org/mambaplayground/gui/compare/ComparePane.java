package org.mambaplayground.gui.compare;

import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.mambaplayground.gui.chat.MessageView;

/** One side of the comparison: the model's name, its streaming answer with the prefill phase and its figures. */
final class ComparePane extends VBox {
    private final Label title = new Label();
    private final Label waiting = new Label();
    private final VBox holder = new VBox();
    private MessageView answer;

    ComparePane() {
        getStyleClass().add("compare-pane");
        setSpacing(6);
        title.getStyleClass().add("compare-pane-title");
        waiting.getStyleClass().add("compare-pane-waiting");
        ScrollPane scroll = new ScrollPane(holder);
        scroll.setFitToWidth(true);
        VBox.setVgrow(scroll, Priority.ALWAYS);
        waiting.setText("The answer appears here.");
        waiting.setWrapText(true);
        holder.getChildren().add(waiting);
        getChildren().addAll(title, scroll);
    }

    void setTitle(String text) { title.setText(text); }

    /** Clears the pane for a new run and shows why it waits. */
    MessageView start(String modelName, String waitingText) {
        answer = new MessageView(MessageView.Role.ASSISTANT, modelName, "");
        waiting.setText(waitingText);
        holder.getChildren().setAll(waiting);
        return answer;
    }

    /** Shows the answer in place of the waiting note (when this side's turn comes). */
    void showAnswer() {
        holder.getChildren().setAll(answer);
    }

    void showWaiting(String text) {
        waiting.setText(text);
        if (!holder.getChildren().contains(waiting)) holder.getChildren().setAll(waiting);
    }

    MessageView answer() { return answer; }
}
