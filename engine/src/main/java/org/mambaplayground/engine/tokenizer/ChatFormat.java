package org.mambaplayground.engine.tokenizer;

import java.util.List;

/** The instruct token layout of one tokenizer version (SentencePiece v3, tekken). */
public interface ChatFormat {
    /** Tokens of a conversation that ends with a user message, ready for the assistant's answer. */
    int[] encodeDialog(List<ChatMessage> messages);

    /** Tokens of a plain completion prompt (BOS + text). */
    int[] encodeCompletion(String prompt);

    /** Tokens that end an answer. */
    int[] stopTokens();
}
