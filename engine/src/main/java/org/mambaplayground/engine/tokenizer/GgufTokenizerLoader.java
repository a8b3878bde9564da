package org.mambaplayground.engine.tokenizer;

import static org.mambaplayground.engine.tokenizer.GgufTokenizerKeys.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mambaplayground.engine.io.gguf.GgufFile;
import org.mambaplayground.engine.io.gguf.GgufType;
import org.mambaplayground.engine.io.gguf.GgufValue;

/**
 * The tokenizer and chat format of a GGUF file, from llama.cpp's tokenizer metadata, built on this engine's own
 * tokenizers so a model encodes the same from its GGUF file as from its folder:
 * <ul>
 * <li>model "llama": a {@link SentencePieceTokenizer} over the tokens, scores and token types (byte fallback when
 * there are BYTE tokens), with add_space_prefix as its dummy prefix.</li>
 * <li>model "gpt2" with pre "tekken": a {@link TekkenTokenizer}. The leading CONTROL tokens are the special tokens,
 * the NORMAL tokens after them the ranks in id order (spelled with GPT-2's byte-to-unicode map), UNUSED tokens at
 * the end padding. Ranks are token ids, as in tekken.json; the merges must agree (each joins two halves into a
 * token, in non-decreasing id order, as llama.cpp's converter derives them), so llama.cpp's merge priority is
 * the same order.</li>
 * </ul>
 * The chat format is Mistral's v3 instruct layout; a {@code tokenizer.chat_template} that is neither llama.cpp's name
 * for it nor a Jinja template of the [INST] family is refused, as this engine has no other layout.
 */
public final class GgufTokenizerLoader {
    private GgufTokenizerLoader() {}

    public static Tokenizers.Loaded load(GgufFile gguf) {
        Path file = gguf.file();
        String model = gguf.string(MODEL);
        Tokenizer tokenizer = switch (model) {
            case MODEL_SENTENCEPIECE -> sentencePiece(gguf);
            case MODEL_BYTE_BPE -> tekken(gguf);
            default -> throw new TokenizerFormatException(file, MODEL + " is '" + model + "': supported are '"
                    + MODEL_SENTENCEPIECE + "' (SentencePiece) and '" + MODEL_BYTE_BPE + "' (byte-level BPE, with "
                    + PRE + " '" + PRE_TEKKEN + "')");
        };
        checkChatTemplate(gguf);
        try {
            return new Tokenizers.Loaded(tokenizer, MistralInstructFormat.of(tokenizer), file);
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(file, e.getMessage() + ": not a Mistral v3 instruct vocabulary");
        }
    }

    private static SentencePieceTokenizer sentencePiece(GgufFile gguf) {
        List<String> tokens = tokens(gguf);
        int n = tokens.size();
        List<?> scores = array(gguf, SCORES, GgufType.FLOAT32, n);
        SentencePieceModel.Type[] types = types(gguf, n);
        List<SentencePieceModel.Piece> pieces = new ArrayList<>(n);
        boolean bytePieces = false;
        for (int i = 0; i < n; i++) {
            pieces.add(new SentencePieceModel.Piece(tokens.get(i), (float) (double) (Double) scores.get(i), types[i]));
            bytePieces |= types[i] == SentencePieceModel.Type.BYTE;
        }
        // llama.cpp's defaults where a key is absent; no GGUF key for the normalizer settings llama.cpp lacks
        int unk = id(gguf, UNK_ID, 0, n), bos = id(gguf, BOS_ID, 1, n), eos = id(gguf, EOS_ID, 2, n);
        int pad = gguf.has(PAD_ID) ? id(gguf, PAD_ID, -1, n) : -1;
        boolean spacePrefix = bool(gguf, ADD_SPACE_PREFIX, true);
        SentencePieceModel spm = new SentencePieceModel(gguf.file(), List.copyOf(pieces), SentencePieceModel.MODEL_BPE,
                bytePieces, false, unk, bos, eos, pad, " \u2047 ", "identity", false, spacePrefix, false, true);
        return new SentencePieceTokenizer(spm);
    }

    private static TekkenTokenizer tekken(GgufFile gguf) {
        Path file = gguf.file();
        String pre = gguf.has(PRE) ? gguf.string(PRE) : null;
        if (!PRE_TEKKEN.equals(pre)) {
            throw new TokenizerFormatException(file, PRE + (pre == null ? " is missing" : " is '" + pre + "'") + ": with "
                    + MODEL + " '" + MODEL_BYTE_BPE + "' the supported pre-tokenizer is '" + PRE_TEKKEN + "' (Mistral Nemo)");
        }
        List<String> tokens = tokens(gguf);
        int n = tokens.size();
        SentencePieceModel.Type[] types = types(gguf, n);
        int specials = 0;
        while (specials < n && types[specials] == SentencePieceModel.Type.CONTROL) specials++;
        int normalEnd = specials;
        while (normalEnd < n && types[normalEnd] == SentencePieceModel.Type.NORMAL) normalEnd++;
        for (int id = normalEnd; id < n; id++) {
            if (types[id] != SentencePieceModel.Type.UNUSED) {
                throw new TokenizerFormatException(file, TOKEN_TYPE + "[" + id + "] is " + types[id] + ": tekken's layout is"
                        + " CONTROL special tokens, then NORMAL ranked tokens, then only UNUSED padding");
            }
        }
        List<byte[]> byRank = new ArrayList<>(normalEnd - specials);
        for (int id = specials; id < normalEnd; id++) {
            byte[] bytes = ByteToUnicode.decode(tokens.get(id));
            if (bytes == null) {
                throw new TokenizerFormatException(file, TOKENS + "[" + id + "] '" + tokens.get(id)
                        + "' is not spelled with GPT-2's byte-to-unicode map");
            }
            byRank.add(bytes);
        }
        checkMerges(gguf, byRank, specials);
        final int s = specials;
        TekkenTokenizer tok = TekkenTokenizer.of(file, "v3", TEKKEN_PATTERN, tokens.subList(0, specials), specials, n,
                byRank, r -> TOKENS + "[" + (s + r) + "]");
        checkId(gguf, BOS_ID, tok.bos(), "<s>");
        checkId(gguf, EOS_ID, tok.eos(), "</s>");
        return tok;
    }

    /**
     * Merges in the order of the tokens they make: then merging by merge index (llama.cpp) and by the made token's
     * id (tiktoken, with ids as ranks) prefer the same pairs.
     */
    private static void checkMerges(GgufFile gguf, List<byte[]> byRank, int specials) {
        List<?> merges = gguf.array(MERGES, GgufType.STRING);
        Map<String, Integer> rank = new HashMap<>(byRank.size() * 2);
        for (int r = 0; r < byRank.size(); r++) rank.put(new String(byRank.get(r), StandardCharsets.ISO_8859_1), r);
        int previous = -1;
        for (int k = 0; k < merges.size(); k++) {
            String merge = (String) merges.get(k);
            int space = merge.indexOf(' ', 1); // llama.cpp splits at the first space after the first char
            byte[] left = space < 0 ? null : ByteToUnicode.decode(merge.substring(0, space));
            byte[] right = space < 0 ? null : ByteToUnicode.decode(merge.substring(space + 1));
            Integer made = left == null || right == null ? null
                    : rank.get(new String(left, StandardCharsets.ISO_8859_1) + new String(right, StandardCharsets.ISO_8859_1));
            if (made == null) {
                throw new TokenizerFormatException(gguf.file(), MERGES + "[" + k + "] '" + merge
                        + "' does not join two byte-level halves into a token");
            }
            if (made < previous) {
                throw new TokenizerFormatException(gguf.file(), MERGES + "[" + k + "] '" + merge + "' makes token "
                        + (specials + made) + " after a merge made token " + (specials + previous)
                        + ": tekken needs merges in token order (ranks are token ids)");
            }
            previous = made;
        }
    }

    /**
     * llama.cpp's names for Mistral's layout, or a Jinja template of the [INST] ... [/INST] family (what the hub's
     * Mistral GGUFs carry); any other layout is refused, as this engine formats only Mistral's.
     */
    private static void checkChatTemplate(GgufFile gguf) {
        if (!gguf.has(CHAT_TEMPLATE)) return;
        String template = gguf.string(CHAT_TEMPLATE);
        if (template.equals(TEMPLATE_V3) || template.equals(TEMPLATE_V3_TEKKEN)) return;
        if (template.contains("[INST]") && template.contains("[/INST]")) return;
        String shown = template.length() > 60 ? template.substring(0, 60) + "..." : template;
        throw new TokenizerFormatException(gguf.file(), CHAT_TEMPLATE + " is '" + shown + "': this engine has only"
                + " Mistral's [INST] instruct layout ('" + TEMPLATE_V3 + "', '" + TEMPLATE_V3_TEKKEN + "', or a Jinja template using [INST])");
    }

    @SuppressWarnings("unchecked")
    private static List<String> tokens(GgufFile gguf) {
        List<String> tokens = (List<String>) gguf.array(TOKENS, GgufType.STRING);
        if (tokens.isEmpty()) throw new TokenizerFormatException(gguf.file(), TOKENS + " is empty");
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i).isEmpty()) throw new TokenizerFormatException(gguf.file(), TOKENS + "[" + i + "] is empty");
        }
        return tokens;
    }

    /** Token types; llama.cpp's UNDEFINED (0) counts as NORMAL, as llama.cpp tokenizes with such tokens. */
    private static SentencePieceModel.Type[] types(GgufFile gguf, int n) {
        List<?> values = array(gguf, TOKEN_TYPE, GgufType.INT32, n);
        SentencePieceModel.Type[] types = new SentencePieceModel.Type[n];
        for (int i = 0; i < n; i++) {
            long v = (Long) values.get(i);
            types[i] = v == 0 ? SentencePieceModel.Type.NORMAL : SentencePieceModel.Type.of((int) v);
            if (types[i] == null || v != (int) v) {
                throw new TokenizerFormatException(gguf.file(), TOKEN_TYPE + "[" + i + "] is " + v
                        + ": expected 0..6 (UNDEFINED, NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE)");
            }
        }
        return types;
    }

    /** An array of at least one entry per token (llama.cpp reads only the first {@code n}). */
    private static List<?> array(GgufFile gguf, String key, GgufType elementType, int n) {
        List<?> values = gguf.array(key, elementType);
        if (values.size() < n) {
            throw new TokenizerFormatException(gguf.file(), key + " has " + values.size() + " entries for " + n + " tokens");
        }
        return values;
    }

    private static int id(GgufFile gguf, String key, int absent, int n) {
        if (!gguf.has(key)) return absent;
        long id = gguf.integer(key);
        if (id < 0 || id >= n) throw new TokenizerFormatException(gguf.file(), key + " " + id + " is not a token id (" + n + " tokens)");
        return (int) id;
    }

    private static void checkId(GgufFile gguf, String key, int expected, String name) {
        if (gguf.has(key) && gguf.integer(key) != expected) {
            throw new TokenizerFormatException(gguf.file(), key + " is " + gguf.integer(key) + " but " + name
                    + " is token " + expected);
        }
    }

    private static boolean bool(GgufFile gguf, String key, boolean absent) {
        GgufValue v = gguf.metadata().get(key);
        if (v == null) return absent;
        if (v.type() != GgufType.BOOL) throw new TokenizerFormatException(gguf.file(), key + " must be a bool, got " + v);
        return (Boolean) v.value();
    }
}
