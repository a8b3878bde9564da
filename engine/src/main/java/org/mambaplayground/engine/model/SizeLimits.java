package org.mambaplayground.engine.model;

/**
 * Upper bounds on what params.json may declare, checked before anything is sized from it. Each is far above
 * the largest released model (126 layers, dim 18432, hidden 53248, vocabulary 262144, 128 heads) and far below
 * what would overflow an int index or ask the heap for more than it can hold.
 */
public final class SizeLimits {
    public static final int LAYERS = 4096;
    /** dim, hidden_dim: the width of one activation vector. */
    public static final int WIDTH = 1 << 20;
    public static final int VOCABULARY = 1 << 22;
    /** Attention heads, KV heads, B/C groups; also head_dim and d_state. */
    public static final int HEADS = 1 << 14;
    /** Experts of a mixture-of-experts layer (Mixtral: 8; the largest released models route among 256). */
    public static final int EXPERTS = 1 << 12;
    /** d_conv, expand, pad_vocab_size_multiple, chunk_size. */
    public static final int SMALL = 1 << 12;
    /** A width derived from several keys (expand * dim, n_heads * head_dim, in_proj's rows): one float[] of it. */
    public static final long DERIVED_WIDTH = 1 << 24;
    /** About 1.1 trillion: no checkpoint of more fits on a disk this engine could map. */
    public static final long PARAMETERS = 1L << 40;
    /** A Mamba2 state lives on the heap (float arrays): Codestral Mamba 7B's is 276 MB. */
    public static final long STATE_BYTES = 1L << 31;

    private SizeLimits() {}
}
