package org.mambaplayground.engine.generate;

import java.util.ArrayList;
import java.util.List;
import org.mambaplayground.engine.tokenizer.ChatMessage;

/**
 * A conversation as the tokens the model read and wrote, turn by turn: each turn is a user message and the
 * answers given to it (more than one after a regenerate, one of them selected). The text of each part is kept
 * beside its tokens; an answer's text is what its tokens decode to. The conversation's token sequence is the
 * turns' tokens along the selected answers, so the next turn only adds tokens after it. Pure bookkeeping: it
 * runs no model and knows no chat format. Not thread-safe.
 */
public final class ConversationTokens {
    /** One message: its role, its text and its tokens (control tokens included: BOS, [INST], EOS, ...). */
    public record Part(ChatMessage.Role role, String text, int[] tokens) {
        public Part {
            tokens = tokens.clone();
        }

        @Override public int[] tokens() { return tokens.clone(); }

        public int length() { return tokens.length; }
    }

    private static final class Turn {
        final Part user;
        final List<Part> answers = new ArrayList<>();
        int selected = -1;

        Turn(Part user) { this.user = user; }
    }

    private final List<Turn> turns = new ArrayList<>();

    public int turnCount() { return turns.size(); }

    public Part user(int turn) { return turn(turn).user; }

    /** The selected answer of a turn, or null while it has none. */
    public Part answer(int turn) {
        Turn t = turn(turn);
        return t.selected < 0 ? null : t.answers.get(t.selected);
    }

    /** How many answers a turn has (its alternatives). */
    public int alternativeCount(int turn) { return turn(turn).answers.size(); }

    /** Index of the selected answer, or -1 while the turn has none. */
    public int selectedAlternative(int turn) { return turn(turn).selected; }

    public Part alternative(int turn, int alternative) { return turn(turn).answers.get(alternative); }

    /** Starts a new turn; the previous one must have an answer. */
    public void addUser(String text, int[] tokens) {
        if (!turns.isEmpty() && turns.getLast().selected < 0) throw new IllegalStateException("the last message has no answer yet");
        turns.add(new Turn(new Part(ChatMessage.Role.USER, text, tokens)));
    }

    /** Adds an answer to the last turn, as a new alternative, and selects it. */
    public void addAnswer(String text, int[] tokens) {
        Turn t = last();
        t.answers.add(new Part(ChatMessage.Role.ASSISTANT, text, tokens));
        t.selected = t.answers.size() - 1;
    }

    /** Selects another answer of the last turn (alternatives of earlier turns would rewrite what came after them). */
    public void select(int turn, int alternative) {
        if (turn != turns.size() - 1) throw new IllegalArgumentException("only the last answer's alternatives can be selected, not turn " + turn);
        Turn t = last();
        if (alternative < 0 || alternative >= t.answers.size()) {
            throw new IllegalArgumentException("turn " + turn + " has " + t.answers.size() + " answers, not " + (alternative + 1));
        }
        t.selected = alternative;
    }

    /** Keeps the first {@code count} turns (to edit the message of turn {@code count}, or undo it). */
    public void truncate(int count) {
        if (count < 0 || count > turns.size()) throw new IllegalArgumentException("there are " + turns.size() + " turns, cannot keep " + count);
        while (turns.size() > count) turns.removeLast();
    }

    public void clear() { turns.clear(); }

    /** The whole sequence, along the selected answers. */
    public int[] tokens() { return tokensBefore(turns.size()); }

    /** The tokens before turn {@code turn}'s user message (the previous turns, with their selected answers). */
    public int[] tokensBefore(int turn) {
        IntBuilder out = new IntBuilder();
        for (int i = 0; i < turn; i++) {
            Turn t = turn(i);
            out.add(t.user.tokens);
            if (t.selected >= 0) out.add(t.answers.get(t.selected).tokens);
        }
        return out.toArray();
    }

    /** The prompt an answer of turn {@code turn} reads: everything before it and its user message. */
    public int[] promptOf(int turn) {
        IntBuilder out = new IntBuilder();
        out.add(tokensBefore(turn));
        out.add(turn(turn).user.tokens);
        return out.toArray();
    }

    /** The messages' text along the selected answers (an empty answer is left out). */
    public List<ChatMessage> messages() {
        List<ChatMessage> out = new ArrayList<>();
        for (Turn t : turns) {
            out.add(ChatMessage.user(t.user.text()));
            if (t.selected >= 0 && !t.answers.get(t.selected).text().isBlank()) {
                out.add(ChatMessage.assistant(t.answers.get(t.selected).text()));
            }
        }
        return out;
    }

    private Turn turn(int turn) {
        if (turn < 0 || turn >= turns.size()) throw new IllegalArgumentException("there is no turn " + turn + " (" + turns.size() + " turns)");
        return turns.get(turn);
    }

    private Turn last() {
        if (turns.isEmpty()) throw new IllegalStateException("the conversation has no message yet");
        return turns.getLast();
    }

    private static final class IntBuilder {
        private int[] values = new int[64];
        private int size;

        void add(int[] more) {
            if (size + more.length > values.length) values = java.util.Arrays.copyOf(values, Math.max(values.length * 2, size + more.length));
            System.arraycopy(more, 0, values, size, more.length);
            size += more.length;
        }

        int[] toArray() { return java.util.Arrays.copyOf(values, size); }
    }
}
