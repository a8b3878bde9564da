package org.mambaplayground.backend;

import java.util.List;
import java.util.OptionalLong;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.ChatSession;
import org.mambaplayground.engine.generate.GenerationListener;
import org.mambaplayground.engine.generate.GenerationResult;
import org.mambaplayground.engine.generate.GenerationStats;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.model.InferenceState;
import org.mambaplayground.engine.tokenizer.ChatMessage;

/** A conversation held by the engine's {@link ChatSession}: each turn reads only its new tokens. */
final class LocalConversation implements Conversation {
    private final ChatSession session;
    /**
     * The checkpoints' figures as the last call left them: the list itself changes on the generating thread, and
     * {@link #context()} may be read from another one while an answer streams.
     */
    private volatile int checkpoints;
    private volatile long checkpointBytes;

    LocalConversation(ChatSession session) { this.session = session; }

    /** The engine's session (for tests of what it read). */
    ChatSession session() { return session; }

    @Override public boolean instruct() { return session.instruct(); }

    @Override
    public void resume(String systemPrompt, List<ChatMessage> history) {
        session.resume(systemPrompt, history);
        noteCheckpoints();
    }

    @Override
    public Reply send(String userText, SamplingOptions options, CancellationToken cancel, ReplyListener listener) {
        return run(() -> session.send(userText, options, cancel, events(listener)));
    }

    @Override
    public Reply regenerate(SamplingOptions options, CancellationToken cancel, ReplyListener listener) {
        return run(() -> session.regenerate(options, cancel, events(listener)));
    }

    @Override
    public Reply edit(int turn, String userText, SamplingOptions options, CancellationToken cancel, ReplyListener listener) {
        return run(() -> session.edit(turn, userText, options, cancel, events(listener)));
    }

    @Override
    public void selectAlternative(int alternative) { session.selectAlternative(alternative); }

    @Override public int turnCount() { return session.conversation().turnCount(); }

    @Override public String userText(int turn) { return session.conversation().user(turn).text(); }

    @Override public int alternativeCount(int turn) { return session.conversation().alternativeCount(turn); }

    @Override public int selectedAlternative(int turn) { return session.conversation().selectedAlternative(turn); }

    @Override public List<ChatMessage> messages() { return session.messages(); }

    /** The state's position and size live (a figure one token old at worst while streaming), the checkpoints as of the last call. */
    @Override
    public ContextFigures context() {
        InferenceState state = session.state().state();
        return new ContextFigures(state.position(), OptionalLong.of(state.bytes()), checkpoints, checkpointBytes);
    }

    private void noteCheckpoints() {
        checkpoints = session.checkpoints().count();
        checkpointBytes = session.checkpoints().bytes();
    }

    /** The engine's answer as a reply; its failures (a conversation past the context, say) as the contract's. */
    private Reply run(java.util.function.Supplier<GenerationResult> call) {
        GenerationResult result;
        try {
            result = call.get();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new BackendException(BackendException.Kind.FAILED,
                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), null, e);
        } finally {
            noteCheckpoints();
        }
        return new Reply(result.text(), ReplyStats.of(result.stats()));
    }

    private static GenerationListener events(ReplyListener listener) {
        if (listener == null) return null;
        return new GenerationListener() {
            @Override public void onPrefillProgress(int done, int total) { listener.onPrefill(done, total); }
            @Override public void onToken(int token, String text) { listener.onText(text, 1); }
            @Override public void onFinished(GenerationStats stats) { listener.onFinished(ReplyStats.of(stats)); }
        };
    }
}
