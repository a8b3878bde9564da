package org.mambaplayground.backend;

import org.mambaplayground.engine.generate.FinishReason;

/** An answer: its text and its figures. */
public record Reply(String text, ReplyStats stats) {
    public FinishReason finishReason() { return stats.finishReason(); }
}
