package org.mambaplayground.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.mambaplayground.backend.ContextFigures;
import org.mambaplayground.backend.Conversation;
import org.mambaplayground.backend.LocalBackend;
import org.mambaplayground.backend.ModelBackend;
import org.mambaplayground.backend.Reply;
import org.mambaplayground.backend.ReplyListener;
import org.mambaplayground.backend.ReplyStats;
import org.mambaplayground.downloader.Bytes;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.tokenizer.ChatMessage;

/**
 * The terminal chat loop over any {@link ModelBackend} (a local model, or a remote endpoint): reads a line, streams
 * the answer to {@code out} as it arrives, and reports prompt progress and speed on {@code status}. Locally each turn
 * reads only its new tokens (the session keeps the conversation as tokens); a remote endpoint gets the whole history. {@code /regen} answers the last message again from its checkpoint (no prompt token read),
 * {@code /alt N} goes back to answer N of the last message, {@code /reset} starts over, {@code /quit} (or
 * the end of input) leaves; Ctrl+C during an answer stops that answer. A line ending in {@code \\} continues on
 * the next, and text between two {@code """} lines is sent as one message (pasted code).
 */
final class ChatRepl {
    private final ModelBackend backend;
    private final Conversation session;
    private final String systemPrompt;
    private final float temperature;
    private final float topP;
    private final int maxTokens;
    private final SplittableRandom seeds;
    private final PrintStream out;
    private final PrintStream status;

    ChatRepl(LoadedModel model, boolean instruct, String systemPrompt, float temperature, float topP, int maxTokens,
             Long seed, PrintStream out, PrintStream status) {
        this(new LocalBackend(model), instruct, systemPrompt, temperature, topP, maxTokens, seed, out, status);
    }

    ChatRepl(ModelBackend backend, boolean instruct, String systemPrompt, float temperature, float topP, int maxTokens,
             Long seed, PrintStream out, PrintStream status) {
        this.backend = backend;
        this.session = backend.open(instruct);
        this.systemPrompt = systemPrompt;
        this.temperature = temperature;
        this.topP = topP;
        this.maxTokens = maxTokens;
        this.seeds = seed == null ? new SplittableRandom() : new SplittableRandom(seed);
        this.out = out;
        this.status = status;
        session.resume(systemPrompt, List.of());
    }

    /** The answer being generated, if any: Ctrl+C (or {@link #cancelAnswer}) stops it, not the program. */
    private volatile CancellationToken answering;

    /** Stops the answer in progress; returns false when none is running. */
    boolean cancelAnswer() {
        CancellationToken token = answering;
        if (token == null) return false;
        token.cancel();
        return true;
    }

    void run(BufferedReader in) throws IOException {
        String where = backend.spec().map(s -> s.architecture().name().toLowerCase(Locale.ROOT)).orElse("architecture unknown");
        if (backend.measuredAt() == org.mambaplayground.backend.MeasuredAt.CLIENT) where = "remote, " + where;
        status.printf("Chatting with %s (%s, %s mode). %s%n", backend.label(), where, session.instruct() ? "instruct" : "completion", COMMANDS);
        while (true) {
            out.print("> ");
            out.flush();
            String line = in.readLine();
            if (line == null) {
                out.println();
                return;
            }
            String text = line.strip();
            if (text.isEmpty()) continue;
            if (text.equals("/quit") || text.equals("/exit")) return;
            if (text.equals("/reset")) {
                session.resume(systemPrompt, List.of());
                status.println("(conversation cleared)");
                continue;
            }
            if (text.equals("/regen")) {
                if (session.turnCount() == 0) status.println("(nothing to answer again yet)");
                else answer(session::regenerate);
                continue;
            }
            if (text.startsWith("/alt")) {
                selectAlternative(text.substring(4).strip());
                continue;
            }
            if (text.startsWith("/")) {
                status.println("Unknown command " + text + ". " + COMMANDS);
                continue;
            }
            String message = text.equals("\"\"\"") ? block(in) : continued(line, in);
            if (message == null) return;
            if (!message.isBlank()) answer((options, cancel, listener) -> session.send(message, options, cancel, listener));
        }
    }

    static final String COMMANDS = "/regen answers again, /alt N shows answer N of the last message, /reset starts over, "
            + "/quit leaves, \"\"\" starts and ends a multi-line message.";

    /** {@code /alt N}: selects answer N (1-based) of the last message and prints it; the next turn goes on from it. */
    private void selectAlternative(String argument) {
        int turns = session.turnCount();
        int count = turns == 0 ? 0 : session.alternativeCount(turns - 1);
        int n;
        try {
            n = Integer.parseInt(argument);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > count) {
            status.println("/alt needs a number from 1 to " + count + " (the answers to the last message), got '" + argument + "'");
            return;
        }
        session.selectAlternative(n - 1);
        ChatMessage last = session.messages().getLast();
        out.println(last.role() == ChatMessage.Role.ASSISTANT ? last.content() : "");
        status.printf("(answer %d/%d)%n", n, count);
    }

    /** A message pasted between two lines of three double quotes (code keeps its lines); null at end of input. */
    private String block(BufferedReader in) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String line; (line = in.readLine()) != null; ) {
            if (line.strip().equals("\"\"\"")) return text.toString();
            if (!text.isEmpty()) text.append('\n');
            text.append(line);
        }
        return text.isEmpty() ? null : text.toString();
    }

    /** A line ending in a backslash goes on with the next one. */
    private static String continued(String first, BufferedReader in) throws IOException {
        StringBuilder text = new StringBuilder();
        String line = first;
        while (line != null && line.endsWith("\\")) {
            text.append(line, 0, line.length() - 1).append('\n');
            line = in.readLine();
        }
        if (line != null) text.append(line);
        return text.toString();
    }

    /** One generation of the session: {@code send} or {@code regenerate}. */
    private interface Generation {
        Reply run(SamplingOptions options, CancellationToken cancel, ReplyListener listener);
    }

    /** Runs one generation with streaming, Ctrl+C and the status line. */
    private void answer(Generation generation) {
        SamplingOptions options = new SamplingOptions(temperature, topP, seeds.nextLong(), maxTokens);
        ReplyListener listener = new ReplyListener() {
            private boolean shown;

            @Override
            public void onPrefill(int done, int total) {
                // a prompt read in one chunk reports only 0 and the end: nothing to watch
                if (done > 0 && done < total) {
                    status.printf("\r[prompt %d/%d tokens]", done, total);
                    shown = true;
                } else if (done == total && shown) {
                    status.print("\r                                        \r");
                }
                status.flush();
            }

            @Override
            public void onText(String piece, int tokens) {
                out.print(piece);
                out.flush();
            }
        };
        CancellationToken cancel = new CancellationToken();
        answering = cancel;
        Reply reply;
        try {
            reply = generation.run(options, cancel, listener);
        } catch (RuntimeException e) {
            out.println();
            // the conversation is as it was before this message (a remote stream's partial text stays on screen only)
            status.println("Generation failed: " + e.getMessage());
            return;
        } finally {
            answering = null;
        }
        out.println();
        status.println(figures(reply.stats()));
    }

    /** The status line after an answer: the engine's figures locally, the client's (network included) for a remote model. */
    private String figures(ReplyStats s) {
        int turn = session.turnCount() - 1;
        String alternatives = turn < 0 || session.alternativeCount(turn) < 2 ? ""
                : "; answer " + (session.selectedAlternative(turn) + 1) + "/" + session.alternativeCount(turn);
        String finish = s.finishReason().name().toLowerCase(Locale.ROOT);
        if (s.remote()) {
            String tokens = s.tokenSource() == ReplyStats.TokenSource.USAGE ? s.completionTokens() + " tokens"
                    : s.completionTokens() + " chunks (the server sent no usage)";
            String prompt = s.promptTokens() >= 0 ? "prompt " + s.promptTokens() + " tokens; " : "";
            return String.format(Locale.ROOT, "[%s, %.1f tokens/s; %sfirst token after %.0f ms; measured at the client, network included; %s%s]",
                    tokens, s.tokensPerSecond(), prompt, s.timeToFirstTokenMillis(), finish, alternatives);
        }
        ContextFigures c = session.context();
        return String.format(Locale.ROOT, "[%d tokens, %.1f tokens/s; prompt %d tokens in %.0f ms; first token after %.0f ms; "
                        + "context %d tokens; state %s; %d checkpoints, %s; %s%s]",
                s.completionTokens(), s.tokensPerSecond(), s.promptTokens(), s.prefillMillis(), s.timeToFirstTokenMillis(),
                c.tokens(), c.stateBytes().isPresent() ? Bytes.format(c.stateBytes().getAsLong()) : "unknown", c.checkpoints(),
                Bytes.format(c.checkpointBytes()), finish, alternatives);
    }
}
