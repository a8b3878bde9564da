package org.mambaplayground.backend;

import java.util.ArrayList;
import java.util.List;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.FinishReason;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.tokenizer.AnsweredTurns;
import org.mambaplayground.engine.tokenizer.ChatMessage;

/**
 * A conversation kept as text, for backends that take the whole conversation with every request (an
 * OpenAI-compatible endpoint, Mistral's API): the turns, their alternatives and the {@link Conversation} rules are
 * kept here; a subclass only answers a list of messages. Not thread-safe, but for {@link #context()}.
 */
public abstract class MessageConversation implements Conversation {
    private static final class Turn {
        String user;
        final List<String> answers = new ArrayList<>();
        int selected = -1;

        Turn(String user) { this.user = user; }

        Turn copy() {
            Turn t = new Turn(user);
            t.answers.addAll(answers);
            t.selected = selected;
            return t;
        }
    }

    private final boolean instruct;
    private String systemPrompt;
    private final List<Turn> turns = new ArrayList<>();
    private volatile ContextFigures context = ContextFigures.unknown(0);

    protected MessageConversation(boolean instruct) { this.instruct = instruct; }

    /**
     * Answers the last user message of {@code messages} (system prompt first when there is one, then the turns along
     * their selected answers), streaming to {@code listener}. Throws {@link BackendException} on failure.
     */
    protected abstract Reply answer(List<ChatMessage> messages, SamplingOptions options, CancellationToken cancel,
                                    ReplyListener listener);

    /**
     * The conversation as one text for a completions endpoint (the completion layout of {@link #instruct()} false):
     * the system prompt in front of the first message, every message's text joined as said.
     */
    public static String completionText(List<ChatMessage> messages) {
        StringBuilder text = new StringBuilder();
        for (ChatMessage m : messages) text.append(m.content());
        return text.toString();
    }

    @Override public boolean instruct() { return instruct; }

    @Override
    public void resume(String systemPrompt, List<ChatMessage> history) {
        turns.clear();
        context = ContextFigures.unknown(0);
        this.systemPrompt = systemPrompt == null || systemPrompt.isBlank() ? null : systemPrompt;
        for (AnsweredTurns.Turn said : AnsweredTurns.of(history)) {
            Turn t = new Turn(said.question());
            t.answers.add(said.answer());
            t.selected = 0;
            turns.add(t);
        }
    }

    @Override
    public Reply send(String userText, SamplingOptions options, CancellationToken cancel, ReplyListener listener) {
        if (!turns.isEmpty() && turns.getLast().selected < 0) throw new IllegalStateException("the last message has no answer yet");
        List<Turn> before = snapshot();
        turns.add(new Turn(userText));
        return answerLast(before, options, cancel, listener, true);
    }

    @Override
    public Reply regenerate(SamplingOptions options, CancellationToken cancel, ReplyListener listener) {
        if (turns.isEmpty()) throw new IllegalStateException("there is no question to answer again");
        return answerLast(snapshot(), options, cancel, listener, false);
    }

    @Override
    public Reply edit(int turn, String userText, SamplingOptions options, CancellationToken cancel, ReplyListener listener) {
        if (turn < 0 || turn >= turns.size()) {
            throw new IllegalArgumentException("there is no message " + turn + " to edit (" + turns.size() + " turns)");
        }
        List<Turn> before = snapshot();
        while (turns.size() > turn) turns.removeLast();
        turns.add(new Turn(userText));
        return answerLast(before, options, cancel, listener, true);
    }

    @Override
    public void selectAlternative(int alternative) {
        Turn t = turns.isEmpty() ? null : turns.getLast();
        if (t == null || alternative < 0 || alternative >= t.answers.size()) {
            throw new IllegalArgumentException("the last turn has " + (t == null ? 0 : t.answers.size()) + " answers, not " + (alternative + 1));
        }
        t.selected = alternative;
    }

    @Override public int turnCount() { return turns.size(); }

    @Override public String userText(int turn) { return turns.get(turn).user; }

    @Override public int alternativeCount(int turn) { return turns.get(turn).answers.size(); }

    @Override public int selectedAlternative(int turn) { return turns.get(turn).selected; }

    @Override
    public List<ChatMessage> messages() {
        List<ChatMessage> out = new ArrayList<>();
        if (systemPrompt != null) out.add(ChatMessage.system(systemPrompt));
        for (Turn t : turns) {
            out.add(ChatMessage.user(t.user));
            if (t.selected >= 0 && !t.answers.get(t.selected).isEmpty()) out.add(ChatMessage.assistant(t.answers.get(t.selected)));
        }
        return out;
    }

    @Override public ContextFigures context() { return context; }

    /**
     * Answers the last turn's message; on failure puts back {@code before}; an answer cancelled before a word is
     * not kept (nor, when {@code newTurn}, its message).
     */
    private Reply answerLast(List<Turn> before, SamplingOptions options, CancellationToken cancel, ReplyListener listener,
                             boolean newTurn) {
        List<ChatMessage> asked = new ArrayList<>();
        if (systemPrompt != null) asked.add(ChatMessage.system(systemPrompt));
        for (int i = 0; i < turns.size(); i++) {
            Turn t = turns.get(i);
            asked.add(ChatMessage.user(t.user));
            if (i < turns.size() - 1 && t.selected >= 0) asked.add(ChatMessage.assistant(t.answers.get(t.selected)));
        }
        Reply reply;
        try {
            reply = answer(asked, options, cancel, listener == null ? new ReplyListener() {} : listener);
        } catch (RuntimeException e) {
            restore(before);
            throw e;
        }
        boolean nothingSaid = reply.finishReason() == FinishReason.CANCELLED && reply.text().isBlank();
        if (nothingSaid) {
            if (newTurn) restore(before);
            return reply;
        }
        Turn last = turns.getLast();
        last.answers.add(reply.text());
        last.selected = last.answers.size() - 1;
        ReplyStats s = reply.stats();
        if (s.promptTokens() >= 0) context = ContextFigures.unknown(s.promptTokens() + s.completionTokens());
        return reply;
    }

    private List<Turn> snapshot() { return turns.stream().map(Turn::copy).toList(); }

    private void restore(List<Turn> before) {
        turns.clear();
        before.forEach(t -> turns.add(t.copy()));
    }
}
