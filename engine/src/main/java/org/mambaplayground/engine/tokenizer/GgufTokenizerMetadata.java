package org.mambaplayground.engine.tokenizer;

import static org.mambaplayground.engine.tokenizer.GgufTokenizerKeys.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mambaplayground.engine.io.gguf.GgufType;
import org.mambaplayground.engine.io.gguf.GgufValue;

/**
 * A tokenizer as llama.cpp's tokenizer metadata, in the form llama.cpp's own converter gives Mistral's tokenizers
 * ({@code _set_vocab_mistral} and {@code MistralVocab} in llama.cpp's conversion code):
 * <ul>
 * <li>SentencePiece ({@code tokenizer.model.v3}): model "llama"; the pieces as they are (with ▁, byte pieces
 * {@code <0xXX>}), their scores and types; add_space_prefix as the model's add_dummy_prefix.</li>
 * <li>tekken ({@code tekken.json}): model "gpt2", pre "tekken"; the special tokens by name (CONTROL), then the
 * ranked tokens spelled with GPT-2's byte-to-unicode map (NORMAL), and the merges the ranks imply
 * ({@link TekkenMerges}). No scores: byte-level BPE does not use them.</li>
 * </ul>
 * Both get bos/eos/unk/pad ids (pad is eos when the tokenizer has none, as the converter does), add_bos_token true,
 * add_eos_token false and llama.cpp's built-in chat template for the v3 instruct layout. The token list is padded to
 * the model's embedding rows with {@code [PAD<id>]} (UNUSED, score -10000), as llama.cpp's converter pads:
 * llama.cpp takes the vocabulary size from the token list and checks it against the embedding's shape.
 */
public final class GgufTokenizerMetadata {
    private GgufTokenizerMetadata() {}

    /** The metadata of the tokenizer a model folder ships ({@link Tokenizers#load}). */
    public static Map<String, GgufValue> of(Path modelFolder, int vocabularySize) {
        return of(Tokenizers.load(modelFolder).tokenizer(), vocabularySize);
    }

    /**
     * @param tokenizer      a {@link SentencePieceTokenizer} or a {@link TekkenTokenizer}
     * @param vocabularySize the model's embedding rows: the number of tokens written
     * @throws TokenizerFormatException if the tokenizer has more tokens than that, or a setting GGUF cannot carry
     */
    public static Map<String, GgufValue> of(Tokenizer tokenizer, int vocabularySize) {
        return switch (tokenizer) {
            case SentencePieceTokenizer spm -> sentencePiece(spm, vocabularySize);
            case TekkenTokenizer tekken -> tekken(tekken, vocabularySize);
            default -> throw new IllegalArgumentException("no GGUF form for a " + tokenizer.getClass().getSimpleName());
        };
    }

    private static Map<String, GgufValue> sentencePiece(SentencePieceTokenizer tok, int vocabularySize) {
        SentencePieceModel model = tok.model();
        Path file = model.file();
        checkFits(file, tok.vocabularySize(), vocabularySize);
        // llama.cpp's SentencePiece tokenizer always writes spaces as ▁ and never drops any: a model that does
        // otherwise would tokenize differently there (Mistral's models do neither)
        if (model.removeExtraWhitespaces() || !model.escapeWhitespaces()) {
            throw new TokenizerFormatException(file, "normalizer_spec.remove_extra_whitespaces on or escape_whitespaces off:"
                    + " llama.cpp's SentencePiece tokenizer cannot do that, so the model has no GGUF form");
        }
        List<String> tokens = new ArrayList<>(vocabularySize);
        List<Double> scores = new ArrayList<>(vocabularySize);
        List<Long> types = new ArrayList<>(vocabularySize);
        for (SentencePieceModel.Piece p : model.pieces()) {
            tokens.add(p.text());
            scores.add((double) p.score());
            types.add((long) p.type().number);
        }
        for (int id = tokens.size(); id < vocabularySize; id++) {
            tokens.add(padToken(id));
            scores.add((double) PAD_SCORE);
            types.add((long) SentencePieceModel.Type.UNUSED.number);
        }
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put(MODEL, GgufValue.string(MODEL_SENTENCEPIECE));
        m.put(TOKENS, GgufValue.array(GgufType.STRING, tokens));
        m.put(SCORES, GgufValue.array(GgufType.FLOAT32, scores));
        m.put(TOKEN_TYPE, GgufValue.array(GgufType.INT32, types));
        putIds(m, tok.bos(), tok.eos(), tok.unk(), model.padId() >= 0 ? model.padId() : tok.eos());
        m.put(ADD_SPACE_PREFIX, GgufValue.bool(model.addDummyPrefix()));
        m.put(CHAT_TEMPLATE, GgufValue.string(TEMPLATE_V3));
        return m;
    }

    private static Map<String, GgufValue> tekken(TekkenTokenizer tok, int vocabularySize) {
        Path file = tok.file();
        checkFits(file, tok.vocabularySize(), vocabularySize);
        // GGUF names the pre-tokenizer instead of storing its pattern; only tekken's own has a name
        if (!TEKKEN_PATTERN.equals(tok.pattern())) {
            throw new TokenizerFormatException(file, "config.pattern differs from tekken's: GGUF can only name the"
                    + " pre-tokenizer (tokenizer.ggml.pre 'tekken'), so this tokenizer has no GGUF form");
        }
        if (!"v3".equals(tok.version())) {
            throw new TokenizerFormatException(file, "tekken version " + tok.version()
                    + " has no GGUF chat template here: only v3 (" + TEMPLATE_V3_TEKKEN + ")");
        }
        int specials = tok.numSpecialTokens();
        List<String> tokens = new ArrayList<>(vocabularySize);
        List<Long> types = new ArrayList<>(vocabularySize);
        for (int id = 0; id < specials; id++) {
            tokens.add(tok.specialTokenName(id));
            types.add((long) SentencePieceModel.Type.CONTROL.number);
        }
        List<byte[]> byRank = new ArrayList<>(tok.normalTokenCount());
        for (int r = 0; r < tok.normalTokenCount(); r++) {
            byte[] bytes = tok.tokenBytes(specials + r);
            byRank.add(bytes);
            tokens.add(ByteToUnicode.encode(bytes));
            types.add((long) SentencePieceModel.Type.NORMAL.number);
        }
        for (int id = tokens.size(); id < vocabularySize; id++) {
            tokens.add(padToken(id));
            types.add((long) SentencePieceModel.Type.UNUSED.number);
        }
        List<String> merges;
        try {
            merges = TekkenMerges.derive(byRank);
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(file, "no BPE merges for GGUF: " + e.getMessage());
        }
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put(MODEL, GgufValue.string(MODEL_BYTE_BPE));
        m.put(PRE, GgufValue.string(PRE_TEKKEN));
        m.put(TOKENS, GgufValue.array(GgufType.STRING, tokens));
        m.put(TOKEN_TYPE, GgufValue.array(GgufType.INT32, types));
        m.put(MERGES, GgufValue.array(GgufType.STRING, merges));
        // written even where they are llama.cpp's SentencePiece defaults: its gpt2 defaults are bos = eos = 11
        int pad = tok.specialTokenId("<pad>");
        putIds(m, tok.bos(), tok.eos(), tok.specialTokenId("<unk>"), pad >= 0 ? pad : tok.eos());
        m.put(CHAT_TEMPLATE, GgufValue.string(TEMPLATE_V3_TEKKEN));
        return m;
    }

    private static void checkFits(Path file, int tokens, int vocabularySize) {
        if (tokens > vocabularySize) {
            throw new TokenizerFormatException(file, "the tokenizer has " + tokens + " tokens but the model's vocabulary"
                    + " (embedding rows) is " + vocabularySize + ": they do not belong together");
        }
    }

    /** Ids as UINT32 (llama.cpp reads them as uint32 and refuses other types); a missing one (-1) is left out. */
    private static void putIds(Map<String, GgufValue> m, int bos, int eos, int unk, int pad) {
        if (bos >= 0) m.put(BOS_ID, GgufValue.u32(bos));
        if (eos >= 0) m.put(EOS_ID, GgufValue.u32(eos));
        if (unk >= 0) m.put(UNK_ID, GgufValue.u32(unk));
        if (pad >= 0) m.put(PAD_ID, GgufValue.u32(pad));
        m.put(ADD_BOS, GgufValue.bool(true));
        m.put(ADD_EOS, GgufValue.bool(false));
    }
}
