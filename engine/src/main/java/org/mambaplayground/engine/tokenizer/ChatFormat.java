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

    /** Tokens that end an answer. */
    int[] stopTokens();
}
