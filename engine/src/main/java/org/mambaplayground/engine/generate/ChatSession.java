package org.mambaplayground.engine.generate;

import java.util.ArrayList;
import java.util.List;
import org.mambaplayground.engine.model.Model;
import org.mambaplayground.engine.tokenizer.ChatFormat;
import org.mambaplayground.engine.tokenizer.ChatMessage;
import org.mambaplayground.engine.tokenizer.Tokenizer;

/**
 * A conversation with one model: its messages and the inference state that has read them. Each turn
 * reuses the state when the new prompt's tokens start with what the state has consumed, so only the
 * new turn is processed; a checkpoint taken before each answer makes {@link #regenerate} cheap.
 *
 * <p>In instruct mode the prompt is the chat format's dialog; otherwise (base models) it is the plain
 * concatenation of everything said so far, continued as a completion. Not thread-safe.
 */
public final class ChatSession {
    private final Generator generator;
    private final ChatFormat format;
    private final boolean instruct;
    private final List<ChatMessage> messages = new ArrayList<>();
    private ReusableState current;
    private ReusableState beforeAnswer;

    public ChatSession(Model model, Tokenizer tokenizer, ChatFormat format, boolean instruct) {
        this(new Generator(model, tokenizer), format, instruct);
    }

    public ChatSession(Generator generator, ChatFormat format, boolean instruct) {
        this.generator = generator;
        this.format = format;
        this.instruct = instruct;
        this.current = new ReusableState(generator.model());
    }

    public List<ChatMessage> messages() { return List.copyOf(messages); }

    public boolean instruct() { return instruct; }

    /** The state as it stands (for its size and position). */
    public ReusableState state() { return current; }

    /** Forgets the conversation and the state. A system message, if given, starts the new one. */
    public void reset(String systemPrompt) {
        messages.clear();
        current.reset();
        beforeAnswer = null;
        if (systemPrompt != null && !systemPrompt.isBlank()) messages.add(ChatMessage.system(systemPrompt));
    }

    /**
     * Continues an earlier conversation (a saved one, or one another model held): the messages are taken
     * as said, and the next answer processes them whole with this session's model.
     */
    public void resume(String systemPrompt, List<ChatMessage> history) {
        reset(systemPrompt);
        for (ChatMessage m : history) if (m.role() != ChatMessage.Role.SYSTEM) messages.add(m);
    }

    /** Adds the user's message and generates the answer, which joins the conversation unless cancelled. */
    public GenerationResult send(String userText, SamplingOptions options, CancellationToken cancel,
                                 GenerationListener listener) {
        messages.add(ChatMessage.user(userText));
        GenerationResult result;
        try {
            result = answer(options, cancel, listener);
        } catch (RuntimeException e) {
            messages.removeLast(); // e.g. the conversation no longer fits the context: leave it as it was
            throw e;
        }
        if (result.text().isBlank() && result.finishReason() == FinishReason.CANCELLED) {
            messages.removeLast(); // stopped before a word: leave the conversation as it was
        }
        return result;
    }

    /**
     * Drops the last answer (if the conversation ends with one) and generates a new one for the same
     * conversation, starting from the checkpoint taken before that answer.
     */
    public GenerationResult regenerate(SamplingOptions options, CancellationToken cancel, GenerationListener listener) {
        if (messages.isEmpty() || messages.getLast().role() == ChatMessage.Role.SYSTEM) {
            throw new IllegalStateException("there is no question to answer again");
        }
        if (messages.getLast().role() == ChatMessage.Role.ASSISTANT) messages.removeLast();
        if (beforeAnswer != null) current = beforeAnswer.copy();
        return answer(options, cancel, listener);
    }

    /** The prompt tokens the next answer would be generated from. */
    public int[] promptTokens() {
        if (instruct) return format.encodeDialog(messages);
        StringBuilder text = new StringBuilder();
        for (ChatMessage m : messages) text.append(m.content());
        return format.encodeCompletion(text.toString());
    }

    private GenerationResult answer(SamplingOptions options, CancellationToken cancel, GenerationListener listener) {
        int[] prompt = promptTokens();
        if (!current.reuses(prompt) && beforeAnswer != null && beforeAnswer.reuses(prompt)) {
            current = beforeAnswer; // the re-encoded last answer differs from the sampled tokens: back up
        }
        int[] tail = current.prepare(prompt);
        beforeAnswer = current.copy();
        GenerationResult result = generator.generate(current.state(), tail, options, format.stopTokens(), cancel, listener);
        current.advance(tail, result.tokens());
        // A cancelled answer keeps what was said so far, as chat apps do when "stop" is pressed. An empty
        // answer is left out: chat formats cannot lay out an empty assistant turn.
        if (!result.text().isBlank()) messages.add(ChatMessage.assistant(result.text()));
        return result;
    }
}
