package org.mambaplayground.engine.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mambaplayground.engine.model.InferenceState;
import org.mambaplayground.engine.model.Model;
import org.mambaplayground.engine.tokenizer.AnsweredTurns;
import org.mambaplayground.engine.tokenizer.ChatFormat;
import org.mambaplayground.engine.tokenizer.ChatMessage;
import org.mambaplayground.engine.tokenizer.Tokenizer;

/**
 * A conversation with one model. The conversation is kept as the tokens the model read and wrote
 * ({@link ConversationTokens}), never re-encoded from text, so each turn feeds only its new tokens: the user
 * message's (a KV cache or a Mamba2 state goes on from where the last answer ended).
 *
 * <p>Two checkpoints per turn ({@link StateCheckpoints}, bounded): when the prompt is read (before the answer:
 * {@link #regenerate} reads no token) and when the answer is closed (the turn boundary: {@link #edit} of the next
 * message and {@link #selectAlternative} of this answer read nothing before the new tokens). A transformer's
 * checkpoint is a position its KV cache rewinds to plus the logits there; a Mamba2 checkpoint is a copy of its
 * state. Costs when a checkpoint is gone: Mamba2 restores the longest earlier one and re-reads from there (from
 * the start if none); a transformer rewinds to the longest common prefix and re-reads the rest (under a sliding
 * window it can rewind only until the window is full, and re-reads from the start after that).
 *
 * <p>In instruct mode each user turn is {@code [INST] text [/INST]} and each answer ends with EOS, the layout of
 * the chat format's dialog; the system prompt goes in front of the first user message (mistral-common puts it
 * before the last one, which would change the tokens of every earlier turn). In completion mode (base models)
 * the conversation is one text continued by the model and the user in turn. Not thread-safe.
 */
public final class ChatSession {
    private final Generator generator;
    private final ChatFormat format;
    private final boolean instruct;
    private final ReusableState state;
    private final ConversationTokens conversation = new ConversationTokens();
    private String systemPrompt;

    public ChatSession(Model model, Tokenizer tokenizer, ChatFormat format, boolean instruct) {
        this(new Generator(model, tokenizer), format, instruct);
    }

    public ChatSession(Generator generator, ChatFormat format, boolean instruct) {
        this(generator, format, instruct, new StateCheckpoints());
    }

    public ChatSession(Generator generator, ChatFormat format, boolean instruct, StateCheckpoints checkpoints) {
        this.generator = generator;
        this.format = format;
        this.instruct = instruct;
        this.state = new ReusableState(generator.model(), checkpoints);
    }

    /** The messages' text, system prompt first (derived from the tokens; an empty answer is left out). */
    public List<ChatMessage> messages() {
        List<ChatMessage> out = new ArrayList<>();
        if (systemPrompt != null) out.add(ChatMessage.system(systemPrompt));
        out.addAll(conversation.messages());
        return out;
    }

    /** The turns, their tokens and alternatives (read it; change it only through this session). */
    public ConversationTokens conversation() { return conversation; }

    public boolean instruct() { return instruct; }

    /** The state as it stands (for its size and position). */
    public ReusableState state() { return state; }

    /** The checkpoints held (count and bytes, for a context panel). */
    public StateCheckpoints checkpoints() { return state.checkpoints(); }

    /** Forgets the conversation, the state and the checkpoints. A system message, if given, starts the new one. */
    public void reset(String systemPrompt) {
        conversation.clear();
        state.reset();
        state.checkpoints().clear();
        this.systemPrompt = systemPrompt == null || systemPrompt.isBlank() ? null : systemPrompt;
    }

    /**
     * Continues an earlier conversation (a saved one, or one another model held): its turns are taken as said
     * (encoded as this session's format lays them out), and the next answer reads them whole with this session's
     * model. Consecutive user messages join into one; a last message without an answer is left out.
     */
    public void resume(String systemPrompt, List<ChatMessage> history) {
        reset(systemPrompt);
        for (AnsweredTurns.Turn t : AnsweredTurns.of(history)) {
            conversation.addUser(t.question(), userTokens(t.question(), conversation.turnCount() == 0));
            conversation.addAnswer(t.answer(), answerTokens(t.answer()));
        }
    }

    /** Adds the user's message and generates the answer, which joins the conversation unless cancelled before a word. */
    public GenerationResult send(String userText, SamplingOptions options, CancellationToken cancel,
                                 GenerationListener listener) {
        int turn = conversation.turnCount();
        conversation.addUser(userText, userTokens(userText, turn == 0));
        GenerationResult result;
        try {
            result = answer(turn, options, cancel, listener);
        } catch (RuntimeException e) {
            conversation.truncate(turn); // e.g. the conversation no longer fits the context: leave it as it was
            throw e;
        }
        if (conversation.selectedAlternative(turn) < 0) conversation.truncate(turn); // stopped before a word
        return result;
    }

    /**
     * Generates another answer to the last message, from the checkpoint taken when its prompt was read (no token
     * is read again while it is held). The new answer is added as an alternative and selected.
     */
    public GenerationResult regenerate(SamplingOptions options, CancellationToken cancel, GenerationListener listener) {
        if (conversation.turnCount() == 0) throw new IllegalStateException("there is no question to answer again");
        return answer(conversation.turnCount() - 1, options, cancel, listener);
    }

    /**
     * Replaces the user message of {@code turn} (and drops the turns after it) and answers it, resuming from the
     * checkpoint at the end of the turn before: only the new message's tokens are read while it is held.
     */
    public GenerationResult edit(int turn, String userText, SamplingOptions options, CancellationToken cancel,
                                 GenerationListener listener) {
        if (turn < 0 || turn >= conversation.turnCount()) {
            throw new IllegalArgumentException("there is no message " + turn + " to edit (" + conversation.turnCount() + " turns)");
        }
        conversation.truncate(turn);
        return send(userText, options, cancel, listener);
    }

    /** Selects another answer of the last turn; the state follows at the next turn (from that answer's checkpoint). */
    public void selectAlternative(int alternative) {
        conversation.select(conversation.turnCount() - 1, alternative);
    }

    /** The prompt tokens the next answer would read (the whole conversation so far). */
    public int[] promptTokens() { return conversation.tokens(); }

    private int[] userTokens(String text, boolean opens) {
        if (instruct) return format.encodeUserTurn(opens ? systemPrompt : null, text, opens);
        return format.encodeCompletionPart(opens && systemPrompt != null ? systemPrompt + text : text, opens);
    }

    /** An answer given as text, as the conversation holds it (closed with EOS in the instruct layout). */
    private int[] answerTokens(String text) {
        int[] tokens = format.encodeCompletionPart(text, false);
        if (!instruct) return tokens;
        int[] closed = Arrays.copyOf(tokens, tokens.length + 1);
        closed[tokens.length] = format.endOfAnswer();
        return closed;
    }

    private GenerationResult answer(int turn, SamplingOptions options, CancellationToken cancel, GenerationListener listener) {
        int[] prompt = conversation.promptOf(turn);
        ReusableState.Prepared prepared = state.prepare(prompt);
        GenerationListener events = listener == null ? new GenerationListener() {} : listener;
        GenerationResult result = generator.generate(state.state(), prepared.tail(), prepared.logits(), options,
                format.stopTokens(), cancel, new GenerationListener() {
                    @Override public void onPromptRead(InferenceState s, float[] logits) {
                        if (prepared.tail().length > 0) state.checkpoint(prompt, logits); // for regenerate (else it is one)
                        events.onPromptRead(s, logits);
                    }
                    @Override public void onPrefillProgress(int done, int total) { events.onPrefillProgress(done, total); }
                    @Override public void onToken(int token, String text) { events.onToken(token, text); }
                    @Override public void onFinished(GenerationStats stats) { events.onFinished(stats); }
                });
        state.advance(prepared.tail(), result.tokens(), result.nextLogits());
        // A cancelled answer keeps what was said so far, as chat apps do when "stop" is pressed; one stopped
        // before a word is left out.
        if (result.finishReason() == FinishReason.CANCELLED && result.text().isBlank()) return result;
        int[] written = result.tokens();
        if (instruct) { // the model wrote EOS (or would have): the dialog layout closes every answer with it
            written = Arrays.copyOf(written, written.length + 1);
            written[written.length - 1] = format.endOfAnswer();
        }
        conversation.addAnswer(result.text(), written);
        closeTurn();
        return result;
    }

    /** Feeds what the answer wrote but the state has not read (its last token) and checkpoints the turn boundary. */
    private void closeTurn() {
        int[] tokens = conversation.tokens();
        long maxContext = generator.model().spec().maxContext();
        if (maxContext > 0 && tokens.length > maxContext) return; // full: the next turn will not fit anyway
        float[] next = state.feed(tokens);
        state.checkpoint(tokens, next);
    }
}
