package org.mambaplayground.engine.tokenizer;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Mistral's tekken tokenizer ({@code tekken.json}, Mistral Nemo): tiktoken-style byte-level BPE.
 * <p>Layout, as mistral-common's {@code Tekkenizer} reads it: ids {@code 0 .. S-1} are the special tokens
 * ({@code S = config.default_num_special_tokens}; the file's {@code special_tokens} list, or mistral-common's
 * default list when the file has none, padded with {@code <SPECIAL_i>}); normal token of rank {@code r} has id
 * {@code S + r}. Only the first {@code config.default_vocab_size - S} entries of {@code vocab} are used.
 * <p>Encoding: the text is cut by {@code config.pattern} (compiled for java.util.regex with Unicode character
 * classes, so {@code \s}, {@code \p{L}} mean what they mean to the Rust regex tiktoken uses); each piece's UTF-8
 * bytes are merged pairwise, always the adjacent pair whose concatenation has the lowest rank (the leftmost on
 * ties), until no pair is in the vocabulary. Special-token names in the text are plain text.
 * <p>Decoding: special tokens are left out; the bytes of each run of normal tokens are decoded as UTF-8, each
 * maximal malformed subpart becoming U+FFFD (Python's "replace", as tiktoken's decode does).
 * <p>Built from a GGUF file ({@link GgufTokenizerLoader}) the vocabulary may end with padding ids up to the model's
 * embedding rows: they stand for no text, like special tokens, and encoding never produces them.
 */
public final class TekkenTokenizer implements Tokenizer {
    /** mistral-common's special tokens for tekken files that do not list their own (Nemo's first file). */
    static final List<String> DEFAULT_SPECIAL_TOKENS = List.of("<unk>", "<s>", "</s>", "[INST]", "[/INST]",
            "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]", "[/TOOL_RESULTS]", "[TOOL_CALLS]", "[IMG]",
            "<pad>", "[IMG_BREAK]", "[IMG_END]", "[PREFIX]", "[MIDDLE]", "[SUFFIX]", "[SYSTEM_PROMPT]",
            "[/SYSTEM_PROMPT]", "[TOOL_CONTENT]");

    private final Path file;
    private final String version;
    private final Pattern pattern;
    private final String patternSource;
    private final int numSpecial;
    private final int vocabSize;
    /** The special tokens the file (or the default list) names; ids past them are {@code <SPECIAL_i>} fillers. */
    private final List<String> namedSpecials;
    private final Map<String, Integer> specialIds = new HashMap<>();
    /** Normal tokens by rank. */
    private final byte[][] tokenBytes;
    /** Rank of each byte sequence, keyed by the bytes as an ISO-8859-1 string (one char per byte). */
    private final Map<String, Integer> ranks;
    private final int bosId;
    private final int eosId;

    private TekkenTokenizer(Path file, String version, String patternSource, Pattern pattern, List<String> specials,
                            int numSpecial, int vocabSize, byte[][] tokenBytes, Map<String, Integer> ranks) {
        this.file = file;
        this.version = version;
        this.patternSource = patternSource;
        this.pattern = pattern;
        this.numSpecial = numSpecial;
        this.vocabSize = vocabSize;
        this.tokenBytes = tokenBytes;
        this.ranks = ranks;
        namedSpecials = List.copyOf(specials);
        for (int i = 0; i < specials.size(); i++) {
            String name = specials.get(i);
            if (specialIds.putIfAbsent(name, i) != null || fillerId(name) >= 0) {
                throw new TokenizerFormatException(file, "special token '" + name + "' appears twice");
            }
        }
        bosId = requireSpecial("<s>");
        eosId = requireSpecial("</s>");
    }

    private int requireSpecial(String name) {
        Integer id = specialIds.get(name);
        if (id == null) throw new TokenizerFormatException(file, "special_tokens has no " + name);
        return id;
    }

    public static TekkenTokenizer load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(file, new ObjectMapper().readTree(in));
        } catch (JacksonException e) {
            throw new TokenizerFormatException(file, "not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")" : ""), e);
        } catch (IOException e) {
            throw new TokenizerFormatException(file, "cannot read the tekken file: " + e.getMessage(), e);
        }
    }

    static TekkenTokenizer parse(Path file, JsonNode root) {
        if (root == null || !root.isObject()) throw new TokenizerFormatException(file, "expected a JSON object at the top");
        JsonNode config = field(file, root, "config", "config");
        if (!config.isObject()) throw new TokenizerFormatException(file, "config must be an object");
        String patternSource = text(file, config, "pattern", "config.pattern");
        String version = text(file, config, "version", "config.version");
        int vocabSize = integer(file, config, "default_vocab_size", "config.default_vocab_size");
        int numSpecial = integer(file, config, "default_num_special_tokens", "config.default_num_special_tokens");
        if (numSpecial < 3) throw new TokenizerFormatException(file, "config.default_num_special_tokens " + numSpecial + " is too small");
        int inner = vocabSize - numSpecial;
        if (inner < 256) {
            throw new TokenizerFormatException(file, "config.default_vocab_size " + vocabSize
                    + " leaves fewer than 256 normal tokens after " + numSpecial + " special tokens");
        }

        List<String> specials = new ArrayList<>();
        JsonNode specialList = root.get("special_tokens");
        if (specialList == null || specialList.isNull()) {
            specials.addAll(DEFAULT_SPECIAL_TOKENS);
        } else {
            if (!specialList.isArray()) throw new TokenizerFormatException(file, "special_tokens must be an array");
            for (int i = 0; i < specialList.size(); i++) {
                JsonNode t = specialList.get(i);
                String where = "special_tokens[" + i + "]";
                int rank = integer(file, t, "rank", where + ".rank");
                if (rank != i) {
                    throw new TokenizerFormatException(file, where + ".rank is " + rank + ", expected " + i
                            + (rank >= numSpecial ? " (past the " + numSpecial + " special token ids)" : ""));
                }
                specials.add(text(file, t, "token_str", where + ".token_str"));
            }
        }
        if (specials.size() > numSpecial) {
            throw new TokenizerFormatException(file, "special_tokens lists " + specials.size()
                    + " tokens, more than config.default_num_special_tokens " + numSpecial);
        }

        JsonNode vocab = field(file, root, "vocab", "vocab");
        if (!vocab.isArray()) throw new TokenizerFormatException(file, "vocab must be an array");
        if (vocab.size() < inner) {
            throw new TokenizerFormatException(file, "vocab has " + vocab.size() + " entries but config.default_vocab_size "
                    + vocabSize + " - default_num_special_tokens " + numSpecial + " needs " + inner);
        }
        List<byte[]> tokens = new ArrayList<>(inner);
        Base64.Decoder b64 = Base64.getDecoder();
        for (int i = 0; i < inner; i++) {
            JsonNode entry = vocab.get(i);
            String where = "vocab[" + i + "]";
            int rank = integer(file, entry, "rank", where + ".rank");
            if (rank != i) throw new TokenizerFormatException(file, where + ".rank is " + rank + ", expected " + i);
            try {
                tokens.add(b64.decode(text(file, entry, "token_bytes", where + ".token_bytes")));
            } catch (IllegalArgumentException e) {
                throw new TokenizerFormatException(file, where + ".token_bytes is not base64: " + e.getMessage());
            }
        }
        return of(file, version, patternSource, specials, numSpecial, vocabSize, tokens, i -> "vocab[" + i + "]");
    }

    /**
     * A tekken tokenizer from its parts in memory, such as a GGUF file holds them.
     * @param tokensByRank the bytes of each normal token, by rank (id {@code numSpecial + rank}); ranks 0..255
     *                     must be the single bytes
     * @param vocabSize    ids; ids past the normal tokens (a model's padding) stand for no text and are never
     *                     produced by encoding
     * @param where        names rank i's entry in the source, for error messages
     */
    static TekkenTokenizer of(Path file, String version, String patternSource, List<String> specials, int numSpecial,
                              int vocabSize, List<byte[]> tokensByRank, IntFunction<String> where) {
        if (tokensByRank.size() < 256) {
            throw new TokenizerFormatException(file, "only " + tokensByRank.size() + " normal tokens: the 256 bytes must all be tokens");
        }
        if (specials.size() > numSpecial) {
            throw new TokenizerFormatException(file, specials.size() + " special tokens named, more than the " + numSpecial + " special ids");
        }
        if ((long) numSpecial + tokensByRank.size() > vocabSize) {
            throw new TokenizerFormatException(file, numSpecial + " special and " + tokensByRank.size()
                    + " normal tokens do not fit in a vocabulary of " + vocabSize);
        }
        byte[][] tokens = new byte[tokensByRank.size()][];
        Map<String, Integer> ranks = new HashMap<>(tokens.length * 2);
        for (int i = 0; i < tokens.length; i++) {
            byte[] bytes = tokensByRank.get(i);
            if (bytes.length == 0) throw new TokenizerFormatException(file, where.apply(i) + ".token_bytes is empty");
            if (i < 256 && (bytes.length != 1 || (bytes[0] & 0xFF) != i)) {
                throw new TokenizerFormatException(file, where.apply(i) + " must be the single byte " + i + " (ranks 0..255 are the bytes)");
            }
            if (ranks.putIfAbsent(key(bytes, 0, bytes.length), i) != null) {
                throw new TokenizerFormatException(file, where.apply(i) + " repeats the bytes of an earlier token");
            }
            tokens[i] = bytes;
        }
        Pattern pattern;
        try {
            pattern = Pattern.compile(patternSource, Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) {
            throw new TokenizerFormatException(file, "config.pattern is not a regular expression Java can compile: "
                    + e.getDescription() + " near index " + e.getIndex());
        }
        return new TekkenTokenizer(file, version, patternSource, pattern, specials, numSpecial, vocabSize, tokens, ranks);
    }

    private static JsonNode field(Path file, JsonNode node, String name, String where) {
        JsonNode v = node == null ? null : node.get(name);
        if (v == null || v.isNull()) throw new TokenizerFormatException(file, "missing field " + where);
        return v;
    }

    private static String text(Path file, JsonNode node, String name, String where) {
        JsonNode v = field(file, node, name, where);
        if (!v.isTextual()) throw new TokenizerFormatException(file, where + " must be a string");
        return v.textValue();
    }

    private static int integer(Path file, JsonNode node, String name, String where) {
        JsonNode v = field(file, node, name, where);
        if (!v.canConvertToInt() || !v.isIntegralNumber()) throw new TokenizerFormatException(file, where + " must be an integer");
        return v.intValue();
    }

    private static String key(byte[] bytes, int from, int to) {
        return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
    }

    public Path file() { return file; }

    /** The tokenizer version from {@code config.version} ("v3" for Mistral Nemo). */
    public String version() { return version; }

    public String pattern() { return patternSource; }

    public int numSpecialTokens() { return numSpecial; }

    /** Normal (ranked) tokens: ids {@code numSpecialTokens() .. numSpecialTokens() + normalTokenCount() - 1}. */
    public int normalTokenCount() { return tokenBytes.length; }

    /** Ids past the normal tokens: padding up to a model's vocabulary, standing for no text. */
    private boolean isPadding(int token) { return token - numSpecial >= tokenBytes.length; }

    @Override
    public int vocabularySize() { return vocabSize; }

    @Override
    public int bos() { return bosId; }

    @Override
    public int eos() { return eosId; }

    @Override
    public boolean isSpecial(int token) {
        checkId(token);
        return token < numSpecial || isPadding(token);
    }

    @Override
    public int specialTokenId(String name) {
        Integer named = specialIds.get(name);
        return named != null ? named : fillerId(name);
    }

    /** The id of a filler name {@code <SPECIAL_i>} (mistral-common pads the special ids with them), else -1. */
    private int fillerId(String name) {
        if (!name.startsWith("<SPECIAL_") || !name.endsWith(">")) return -1;
        String digits = name.substring(9, name.length() - 1);
        if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) return -1;
        if (digits.length() > 1 && digits.charAt(0) == '0') return -1;
        int id = Integer.parseInt(digits);
        return id >= namedSpecials.size() && id < numSpecial ? id : -1;
    }

    /** The name of a special token, e.g. {@code [INST]}. */
    public String specialTokenName(int token) {
        checkId(token);
        if (token >= numSpecial) throw new IllegalArgumentException("token " + token + " is not a special token");
        return token < namedSpecials.size() ? namedSpecials.get(token) : "<SPECIAL_" + token + ">";
    }

    // ---- encoding ----

    @Override
    public int[] encode(String text) {
        IntList out = new IntList(text.length() / 3 + 4);
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            byte[] piece = m.group().getBytes(StandardCharsets.UTF_8);
            Integer whole = ranks.get(key(piece, 0, piece.length));
            if (whole != null) {
                out.add(numSpecial + whole);
            } else if (piece.length < LONG_PIECE) {
                bytePairMerge(piece, out);
            } else {
                bytePairMergeLong(piece, out);
            }
        }
        return out.toArray();
    }

    /** Pieces this long are merged with a priority queue: the scan below is quadratic in the piece length. */
    static final int LONG_PIECE = 256;

    /** tiktoken's merge: join the adjacent parts whose concatenation has the lowest rank, until none is known. */
    void bytePairMerge(byte[] piece, IntList out) {
        int n = piece.length;
        int[] start = new int[n + 1]; // part boundaries: part i is piece[start[i] .. start[i + 1])
        int[] pairRank = new int[n + 1]; // rank of parts i and i + 1 joined
        int parts = n;
        for (int i = 0; i <= n; i++) start[i] = i;
        for (int i = 0; i < n; i++) pairRank[i] = rankOf(piece, start, parts, i);
        while (true) {
            int best = -1, bestRank = Integer.MAX_VALUE;
            for (int i = 0; i < parts - 1; i++) {
                if (pairRank[i] < bestRank) { bestRank = pairRank[i]; best = i; }
            }
            if (best < 0) break;
            System.arraycopy(start, best + 2, start, best + 1, parts - best - 1);
            System.arraycopy(pairRank, best + 2, pairRank, best + 1, parts - best - 2);
            parts--;
            pairRank[best] = rankOf(piece, start, parts, best);
            if (best > 0) pairRank[best - 1] = rankOf(piece, start, parts, best - 1);
        }
        for (int i = 0; i < parts; i++) {
            Integer r = ranks.get(key(piece, start[i], start[i + 1]));
            out.add(numSpecial + r); // every single byte has a rank, and merged parts were found in the map
        }
    }

    /**
     * The same merge order as {@link #bytePairMerge} (lowest rank first, leftmost on ties) for long pieces, such as
     * a line of thousands of dashes: candidate pairs wait in a priority queue ordered by (rank, start), and a
     * candidate is dropped when either side has been merged into something else since it was queued.
     */
    void bytePairMergeLong(byte[] piece, IntList out) {
        int n = piece.length;
        int[] end = new int[n];  // part starting at i covers piece[i .. end[i]); 0 when merged into its left
        int[] prev = new int[n];
        for (int i = 0; i < n; i++) { end[i] = i + 1; prev[i] = i - 1; }
        java.util.PriorityQueue<long[]> queue = new java.util.PriorityQueue<>(
                (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        for (int i = 0; i + 1 < n; i++) queuePair(piece, end, i, queue);
        while (!queue.isEmpty()) {
            long[] c = queue.poll();
            int left = (int) c[1], right = (int) c[2], stop = (int) c[3];
            if (end[left] != right || right >= n || end[right] != stop) continue; // stale
            end[left] = stop;
            end[right] = 0;
            if (stop < n) prev[stop] = left;
            if (prev[left] >= 0) queuePair(piece, end, prev[left], queue);
            queuePair(piece, end, left, queue);
        }
        for (int i = 0; i < n; i = end[i]) out.add(numSpecial + ranks.get(key(piece, i, end[i])));
    }

    private void queuePair(byte[] piece, int[] end, int left, java.util.PriorityQueue<long[]> queue) {
        int right = end[left];
        if (right >= piece.length) return;
        int stop = end[right];
        Integer r = ranks.get(key(piece, left, stop));
        if (r != null) queue.add(new long[] {r, left, right, stop});
    }

    private int rankOf(byte[] piece, int[] start, int parts, int i) {
        if (i + 1 >= parts) return Integer.MAX_VALUE;
        Integer r = ranks.get(key(piece, start[i], start[i + 2]));
        return r == null ? Integer.MAX_VALUE : r;
    }

    // ---- decoding ----

    @Override
    public byte[] tokenBytes(int token) {
        checkId(token);
        return token < numSpecial || isPadding(token) ? new byte[0] : tokenBytes[token - numSpecial].clone();
    }

    /** Bytes wait until they form whole characters; a special token closes the run, as mistral-common's grouping does. */
    @Override
    public StreamingDecoder streamingDecoder() {
        return new StreamingDecoder() {
            private final Utf8Buffer bytes = new Utf8Buffer(Utf8Buffer.Policy.MAXIMAL_SUBPART);

            @Override
            public String next(int token) {
                checkId(token);
                if (token < numSpecial || isPadding(token)) return bytes.takeAll();
                bytes.append(tokenBytes[token - numSpecial]);
                return bytes.takeComplete();
            }

            @Override
            public String flush() {
                return bytes.takeAll();
            }
        };
    }

    private void checkId(int token) {
        if (token < 0 || token >= vocabSize) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary of " + file
                    + " (" + vocabSize + " tokens)");
        }
    }
}
