package org.mambaplayground.backend;

import java.util.OptionalLong;

/**
 * What a conversation holds, for a context gauge.
 *
 * @param tokens          tokens in the context (a remote one: prompt plus completion of the last answer, from its
 *                        usage report; 0 before the first)
 * @param stateBytes      bytes the inference state really holds; empty when not known (a remote model)
 * @param checkpoints     states kept to regenerate or edit without reading again (0 where none are kept)
 * @param checkpointBytes their memory
 */
public record ContextFigures(int tokens, OptionalLong stateBytes, int checkpoints, long checkpointBytes) {
    /** Nothing held yet, or nothing known: no tokens, no state figure, no checkpoints. */
    public static ContextFigures unknown(int tokens) { return new ContextFigures(tokens, OptionalLong.empty(), 0, 0); }
}
