package org.mambaplayground.backend;

import java.util.List;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.tokenizer.ChatMessage;

/**
 * One conversation with a backend's model: turns of a user message and its answers (more than one after a
 * {@link #regenerate}, one of them selected), as a chat's {@code < 2/3 >} shows them.
 *
 * <p>Rules every backend keeps, so the chat behaves the same on each:
 * <ul>
 *   <li>{@link #send} adds the user's message and answers it; the answer joins the conversation unless it was
 *       cancelled before its first word (then the message is left out too). A stopped answer keeps what was said.</li>
 *   <li>When a call throws (a cut stream, a full context, an HTTP error), the conversation is left exactly as it was
 *       before the call: nothing is lost and nothing half-said is kept.</li>
 *   <li>Only the last turn's alternatives can be selected; {@link #edit} drops the turns after the edited one.</li>
 * </ul>
 * Not thread-safe: one call at a time. {@link #context()} may be read from another thread while an answer streams
 * (its figures may then be a token old).
 */
public interface Conversation {
    /** True when turns use the model's chat format, false for a text the model continues. */
    boolean instruct();

    /**
     * Forgets everything and continues an earlier conversation (a saved one, or one another model held): the
     * system prompt (null or blank for none) and the turns as said. The next answer reads them whole. Consecutive
     * user messages join into one; a last user message without an answer is left out.
     */
    void resume(String systemPrompt, List<ChatMessage> history);

    /** Adds {@code userText} as a new turn and answers it. */
    Reply send(String userText, SamplingOptions options, CancellationToken cancel, ReplyListener listener);

    /** Answers the last message again; the new answer is added as an alternative and selected. */
    Reply regenerate(SamplingOptions options, CancellationToken cancel, ReplyListener listener);

    /** Replaces the user message of {@code turn}, drops the turns after it and answers it. */
    Reply edit(int turn, String userText, SamplingOptions options, CancellationToken cancel, ReplyListener listener);

    /** Selects another answer of the last turn; the next message goes on from it. */
    void selectAlternative(int alternative);

    int turnCount();

    /** The user message of {@code turn}. */
    String userText(int turn);

    /** How many answers {@code turn} has. */
    int alternativeCount(int turn);

    /** Index of the selected answer of {@code turn}, or -1 while it has none. */
    int selectedAlternative(int turn);

    /** The messages' text along the selected answers, the system prompt first. */
    List<ChatMessage> messages();

    /** Tokens in context, state memory and checkpoints, as far as this backend knows them. */
    ContextFigures context();
}
