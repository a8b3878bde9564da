package org.mambaplayground.engine.tokenizer;

import java.util.List;

/** The instruct token layout of one tokenizer version (SentencePiece v3, tekken). */
public interface ChatFormat {
    /**
     * Tokens of a conversation. When it ends with a user message the tokens are ready for the assistant's answer;
     * a final assistant message is closed with EOS like every other assistant turn.
     */
    int[] encodeDialog(List<ChatMessage> messages);

    /** Tokens of a plain completion prompt (BOS + text). */
    int[] encodeCompletion(String prompt);

    /**
     * Tokens of one user turn as {@link #encodeDialog} lays it out, so a conversation can grow turn by turn: BOS
     * first when the turn opens the conversation, and the system prompt, if any, in front of the text.
     */
    int[] encodeUserTurn(String systemPrompt, String text, boolean opensConversation);

    /** Tokens of a later part of a completion prompt (BOS + text when it opens it, else the text alone). */
    int[] encodeCompletionPart(String text, boolean opensConversation);

    /** The token that closes an assistant turn in a dialog. */
    int endOfAnswer();

    /** Tokens that end an answer. */
    int[] stopTokens();
}
