package org.mambaplayground.engine.tokenizer;

/**
 * llama.cpp's tokenizer metadata keys and the values this engine writes and reads (llama-arch.cpp's key table,
 * llama-vocab.cpp's loader). llama.cpp checks value types exactly: ids are UINT32, {@code token_type} an INT32
 * array, {@code scores} a FLOAT32 array.
 */
public final class GgufTokenizerKeys {
    public static final String MODEL = "tokenizer.ggml.model";
    public static final String PRE = "tokenizer.ggml.pre";
    public static final String TOKENS = "tokenizer.ggml.tokens";
    public static final String SCORES = "tokenizer.ggml.scores";
    public static final String TOKEN_TYPE = "tokenizer.ggml.token_type";
    public static final String MERGES = "tokenizer.ggml.merges";
    public static final String BOS_ID = "tokenizer.ggml.bos_token_id";
    public static final String EOS_ID = "tokenizer.ggml.eos_token_id";
    public static final String UNK_ID = "tokenizer.ggml.unknown_token_id";
    public static final String PAD_ID = "tokenizer.ggml.padding_token_id";
    public static final String ADD_BOS = "tokenizer.ggml.add_bos_token";
    public static final String ADD_EOS = "tokenizer.ggml.add_eos_token";
    public static final String ADD_SPACE_PREFIX = "tokenizer.ggml.add_space_prefix";
    public static final String CHAT_TEMPLATE = "tokenizer.chat_template";

    /** {@link #MODEL} values: SentencePiece, and byte-level BPE. */
    public static final String MODEL_SENTENCEPIECE = "llama", MODEL_BYTE_BPE = "gpt2";
    /** {@link #PRE} value for tekken's pre-tokenizer. */
    public static final String PRE_TEKKEN = "tekken";
    /** llama.cpp's built-in chat templates for Mistral's v3 instruct layout (llama-chat.cpp). */
    public static final String TEMPLATE_V3 = "mistral-v3", TEMPLATE_V3_TEKKEN = "mistral-v3-tekken";

    /**
     * The split pattern that pre "tekken" stands for: the one in Mistral Nemo's tekken.json and tokenizer.json,
     * quoted in llama-vocab.cpp. (llama.cpp itself runs an ASCII-cased approximation of it, as its regex engine
     * lacks \p{Lu} and friends; this engine keeps the original, as mistral-common does.)
     */
    public static final String TEKKEN_PATTERN = "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*"
            + "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+"
            + "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** Padding tokens, named and scored as llama.cpp's converter pads a vocabulary to the embedding rows. */
    static final float PAD_SCORE = -10000f;

    static String padToken(int id) { return "[PAD" + id + "]"; }

    private GgufTokenizerKeys() {}
}
