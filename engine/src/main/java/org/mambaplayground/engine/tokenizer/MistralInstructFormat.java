package org.mambaplayground.engine.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The instruct layout of mistral-common's {@code InstructTokenizerV3}, used by both Codestral Mamba
 * (SentencePiece {@code tokenizer.model.v3}) and Mistral Nemo ({@code tekken.json}, version v3):
 * <pre>
 *   BOS
 *   for each user turn:       [INST] encode(text) [/INST]
 *   for each assistant turn:  encode(text without trailing spaces) EOS
 * </pre>
 * <ul>
 * <li>All system messages are joined with a blank line ("\n\n") into one system prompt, which is put in front of
 * the <em>last</em> user message: {@code system + "\n\n" + user}. Earlier user turns do not see it.</li>
 * <li>Consecutive messages of the same role are joined with "\n\n" first (mistral-common's request normalizer; a
 * system message between two user messages keeps them apart). A conversation of system messages only gets an
 * empty user turn, as the normalizer gives it; one that starts with an assistant message is refused (the
 * normalizer would put an empty user turn in front of it; a chat client never sends that on purpose).</li>
 * <li>No text is added around the control tokens: the only spaces are the ones the tokenizer itself adds.
 * SentencePiece adds its dummy-prefix space to each encoded text, tekken adds none.</li>
 * </ul>
 * Example: system "Be brief.", user "Hi", assistant "Hello!", user "2+2?" gives (pieces written as text)
 * <pre>
 *   SentencePiece v3: &lt;s&gt;[INST]▁Hi[/INST]▁Hello!&lt;/s&gt;[INST]▁Be▁brief.&lt;0x0A&gt;&lt;0x0A&gt;2+2?[/INST]
 *   tekken (Nemo):    &lt;s&gt;[INST]Hi[/INST]Hello!&lt;/s&gt;[INST]Be brief.\n\n2+2?[/INST]
 * </pre>
 * (In Codestral Mamba's vocabulary a newline is the byte piece {@code <0x0A>}; the text after it gets no ▁
 * because the dummy prefix is added once, at the start of the encoded text.)
 *
 * <p>{@link #of} also gives mistral-common's {@code InstructTokenizerV1} layout for the SentencePiece vocabularies
 * without [INST] control tokens (Mistral 7B v0.1, Mixtral 8x7B v0.1): each user turn is the <em>text</em>
 * {@code "[INST] " + content + " [/INST]"} encoded as a whole, the system prompt goes in front of the
 * <em>first</em> user message, and an assistant message is encoded as it is (no trailing spaces removed).
 */
public final class MistralInstructFormat implements ChatFormat {
    private final Tokenizer tokenizer;
    private final int beginInst;
    private final int endInst;
    /** InstructTokenizerV1: [INST] and [/INST] are text, not control tokens. */
    private final boolean v1;

    /** The v3 layout; refused (IllegalArgumentException) for a vocabulary without [INST]/[/INST] control tokens. */
    public MistralInstructFormat(Tokenizer tokenizer) {
        this(tokenizer, false);
    }

    private MistralInstructFormat(Tokenizer tokenizer, boolean v1) {
        this.tokenizer = tokenizer;
        this.v1 = v1;
        this.beginInst = tokenizer.specialTokenId("[INST]");
        this.endInst = tokenizer.specialTokenId("[/INST]");
        if (!v1 && (beginInst < 0 || endInst < 0)) {
            throw new IllegalArgumentException("the vocabulary has no [INST]/[/INST] control tokens");
        }
        if (tokenizer.bos() < 0 || tokenizer.eos() < 0) {
            throw new IllegalArgumentException("the vocabulary has no <s>/</s> control tokens");
        }
    }

    /**
     * The layout a tokenizer's vocabulary calls for: v3 when it has [INST] control tokens, else (a SentencePiece
     * vocabulary, as Mistral 7B v0.1's and Mixtral's) v1.
     */
    public static MistralInstructFormat of(Tokenizer tokenizer) {
        boolean controls = tokenizer.specialTokenId("[INST]") >= 0 && tokenizer.specialTokenId("[/INST]") >= 0;
        return new MistralInstructFormat(tokenizer, !controls && tokenizer instanceof SentencePieceTokenizer);
    }

    /** Whether this is mistral-common's v1 layout (text markers) rather than v3 (control tokens). */
    public boolean isV1() { return v1; }

    @Override
    public int[] encodeDialog(List<ChatMessage> messages) {
        List<ChatMessage> turns = new ArrayList<>();
        List<Integer> turnEnds = new ArrayList<>(); // index in messages of each turn's last message, for errors
        List<String> system = new ArrayList<>();
        ChatMessage.Role previous = null;
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            if (m.role() == ChatMessage.Role.SYSTEM) {
                if (!m.content().isEmpty()) system.add(m.content());
            } else if (previous == m.role()) {
                ChatMessage last = turns.removeLast();
                turns.add(new ChatMessage(m.role(), last.content() + "\n\n" + m.content()));
                turnEnds.set(turnEnds.size() - 1, i);
            } else {
                turns.add(m);
                turnEnds.add(i);
            }
            previous = m.role(); // a system message ends a run of same-role messages, as in the normalizer
        }
        if (turns.isEmpty()) {
            turns.add(ChatMessage.user("")); // system messages only: the normalizer adds an empty user turn
        } else if (turns.getFirst().role() != ChatMessage.Role.USER) {
            throw new IllegalArgumentException("a conversation must start with a user message (after any system messages)");
        }
        int lastUser = -1;
        for (int i = 0; i < turns.size(); i++) if (turns.get(i).role() == ChatMessage.Role.USER) lastUser = i;
        int systemTurn = v1 ? 0 : lastUser; // v1 puts the system prompt before the first user message, v3 the last
        String systemPrompt = system.isEmpty() ? null : String.join("\n\n", system);

        IntList out = new IntList(256);
        out.add(tokenizer.bos());
        for (int i = 0; i < turns.size(); i++) {
            ChatMessage m = turns.get(i);
            if (m.role() == ChatMessage.Role.USER) {
                String text = i == systemTurn && systemPrompt != null ? systemPrompt + "\n\n" + m.content() : m.content();
                addUserText(out, text);
            } else {
                String text = v1 ? m.content() : stripTrailingSpaces(m.content());
                if (text.isEmpty()) throw new IllegalArgumentException("the assistant message at index " + turnEnds.get(i) + " is empty");
                out.addAll(tokenizer.encode(text));
                out.add(tokenizer.eos());
            }
        }
        return out.toArray();
    }

    private void addUserText(IntList out, String text) {
        if (v1) {
            out.addAll(tokenizer.encode("[INST] " + text + " [/INST]"));
            return;
        }
        out.add(beginInst);
        out.addAll(tokenizer.encode(text));
        out.add(endInst);
    }

    private static String stripTrailingSpaces(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ') end--;
        return s.substring(0, end);
    }

    @Override
    public int[] encodeCompletion(String prompt) {
        IntList out = new IntList(prompt.length() / 3 + 2);
        out.add(tokenizer.bos());
        out.addAll(tokenizer.encode(prompt));
        return out.toArray();
    }

    @Override
    public int[] encodeUserTurn(String systemPrompt, String text, boolean opensConversation) {
        IntList out = new IntList(text.length() / 3 + 4);
        if (opensConversation) out.add(tokenizer.bos());
        // v3 puts the system prompt before the latest user turn; v1 only before the first one
        boolean withSystem = systemPrompt != null && !systemPrompt.isEmpty() && (!v1 || opensConversation);
        addUserText(out, withSystem ? systemPrompt + "\n\n" + text : text);
        return out.toArray();
    }

    @Override
    public int[] encodeCompletionPart(String text, boolean opensConversation) {
        if (opensConversation) return encodeCompletion(text);
        return tokenizer.encodeContinuation(text);
    }

    @Override
    public int endOfAnswer() { return tokenizer.eos(); }

    @Override
    public int[] stopTokens() {
        return new int[] {tokenizer.eos()};
    }
}
