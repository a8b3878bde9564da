package org.mambaplayground.engine.model;

public enum Architecture {
    /** Mamba2 selective state-space model (Codestral Mamba). */
    MAMBA2,
    /** Mistral-style decoder-only transformer (Mistral 7B, Mistral Nemo). */
    TRANSFORMER
}
