package org.mambaplayground.engine.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * How an earlier conversation (a saved one, or one another model held) is taken up: as question-and-answer
 * pairs. System messages are left to the caller, consecutive user messages join into one, an answer to nothing
 * and a last question without an answer are left out. One rule for every kind of conversation.
 */
public final class AnsweredTurns {
    /** A question and the answer it got. */
    public record Turn(String question, String answer) {}

    private AnsweredTurns() {}

    public static List<Turn> of(List<ChatMessage> history) {
        List<Turn> turns = new ArrayList<>();
        String asked = null;
        for (ChatMessage m : history) {
            switch (m.role()) {
                case SYSTEM -> { }
                case USER -> asked = asked == null ? m.content() : asked + "\n\n" + m.content();
                case ASSISTANT -> {
                    if (asked == null) continue; // an answer to nothing
                    turns.add(new Turn(asked, m.content()));
                    asked = null;
                }
            }
        }
        return turns;
    }
}
