package org.mambaplayground.remote;

/**
 * A model an endpoint lists under {@code GET /v1/models}.
 *
 * @param maxContext the context length when the server says it (Mistral's {@code max_context_length}, vLLM's
 *                   {@code max_model_len}), else 0
 */
public record RemoteModel(String id, String ownedBy, long maxContext) {}
