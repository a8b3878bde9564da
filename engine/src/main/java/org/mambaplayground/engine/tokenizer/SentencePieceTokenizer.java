package org.mambaplayground.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * SentencePiece BPE as in Mistral's {@code tokenizer.model.v3}, behaving like the reference C++ library:
 * <ul>
 * <li>Normalize: identity; with {@code remove_extra_whitespaces} leading, trailing and repeated spaces go (off in
 * Mistral's models); with {@code add_dummy_prefix} a space is put in front of non-empty text; with
 * {@code escape_whitespaces} every space becomes U+2581 (▁).</li>
 * <li>Split the text into characters (a user-defined symbol is one unbreakable symbol), then repeatedly merge the
 * adjacent pair whose concatenation is a piece with the highest score, the leftmost pair on ties. Only NORMAL,
 * USER_DEFINED and UNUSED pieces take part in merges; an UNUSED piece that results is split back into the two
 * pieces it was merged from.</li>
 * <li>A symbol that is not in the vocabulary becomes its UTF-8 bytes as {@code <0xXX>} pieces (byte fallback),
 * or {@code <unk>} (consecutive unknowns collapse into one) when the model has no byte fallback.</li>
 * <li>Decode: control tokens vanish, {@code <unk>} shows as " ⁇ ", ▁ becomes a space, runs of byte pieces are
 * decoded as UTF-8 (each malformed byte becomes U+FFFD), and the leading space of the first piece that has one is
 * dropped when the model adds a dummy prefix.</li>
 * </ul>
 */
public final class SentencePieceTokenizer implements Tokenizer {
    private static final String SPACE = "\u2581";

    private final SentencePieceModel model;
    private final String[] pieces;
    private final float[] scores;
    private final SentencePieceModel.Type[] types;
    /** Pieces BPE may produce: NORMAL, USER_DEFINED, UNUSED. */
    private final Map<String, Integer> mergeable = new HashMap<>();
    /** CONTROL, UNKNOWN and BYTE pieces: found by name, never produced by merging. */
    private final Map<String, Integer> reserved = new HashMap<>();
    private final List<String> userDefined = new ArrayList<>();
    private final Set<String> userDefinedSet = new HashSet<>();
    private final int[] byteIds = new int[256];
    /** Code points that occur in some mergeable piece of two or more characters: only these can ever merge. */
    private final BitSet mergeableChars = new BitSet();
    private final int unkId;
    private final int bosId;
    private final int eosId;

    public SentencePieceTokenizer(SentencePieceModel model) {
        this.model = model;
        Path file = model.file();
        if (model.modelType() != SentencePieceModel.MODEL_BPE) {
            throw new TokenizerFormatException(file, "SentencePiece model_type " + model.modelType()
                    + " is not supported: only BPE (2), the type of Mistral's tokenizer.model.v3");
        }
        if (model.hasPrecompiledCharsmap()) {
            throw new TokenizerFormatException(file, "SentencePiece normalizer '" + model.normalizerName()
                    + "' with a precompiled character map is not supported: only 'identity', as Mistral's models use");
        }
        if (model.treatWhitespaceAsSuffix()) {
            throw new TokenizerFormatException(file, "treat_whitespace_as_suffix is not supported");
        }
        int n = model.pieces().size();
        pieces = new String[n];
        scores = new float[n];
        types = new SentencePieceModel.Type[n];
        Arrays.fill(byteIds, -1);
        int unk = -1;
        for (int i = 0; i < n; i++) {
            SentencePieceModel.Piece p = model.pieces().get(i);
            pieces[i] = p.text();
            scores[i] = p.score();
            types[i] = p.type();
            boolean normal = switch (p.type()) {
                case NORMAL, USER_DEFINED, UNUSED -> true;
                default -> false;
            };
            if ((normal ? mergeable : reserved).putIfAbsent(p.text(), i) != null) {
                throw new TokenizerFormatException(file, "piece '" + p.text() + "' is defined twice (id " + i + ")");
            }
            if (normal && p.text().codePointCount(0, p.text().length()) > 1) {
                p.text().codePoints().forEach(mergeableChars::set);
            }
            switch (p.type()) {
                case USER_DEFINED -> { userDefined.add(p.text()); userDefinedSet.add(p.text()); }
                case UNKNOWN -> {
                    if (unk >= 0) throw new TokenizerFormatException(file, "two UNKNOWN pieces: ids " + unk + " and " + i);
                    unk = i;
                }
                case BYTE -> {
                    int b = pieceToByte(p.text());
                    if (b < 0) throw new TokenizerFormatException(file, "byte piece " + i + " '" + p.text() + "' is not <0xXX>");
                    if (!model.byteFallback()) {
                        throw new TokenizerFormatException(file, "byte piece " + p.text() + " found although byte_fallback is false");
                    }
                    byteIds[b] = i;
                }
                default -> { }
            }
        }
        if (unk < 0) throw new TokenizerFormatException(file, "the vocabulary has no UNKNOWN piece (<unk>)");
        if (model.byteFallback()) {
            for (int b = 0; b < 256; b++) {
                if (byteIds[b] < 0) {
                    throw new TokenizerFormatException(file, String.format("byte_fallback is on but piece <0x%02X> is missing", b));
                }
            }
        }
        unkId = unk;
        userDefined.sort((a, b) -> b.length() - a.length()); // longest match first
        bosId = controlId(model.bosId(), "bos_id");
        eosId = controlId(model.eosId(), "eos_id");
    }

    public static SentencePieceTokenizer load(Path file) {
        return new SentencePieceTokenizer(SentencePieceModel.read(file));
    }

    public SentencePieceModel model() { return model; }

    private int controlId(int id, String field) {
        if (id < 0) return -1;
        if (id >= pieces.length) {
            throw new TokenizerFormatException(model.file(), "trainer_spec." + field + " " + id
                    + " is past the vocabulary (" + pieces.length + " pieces)");
        }
        return id;
    }

    /** The byte of a piece spelled exactly {@code <0xXX>} (upper-case hex, as spm writes them), else -1. */
    private static int pieceToByte(String piece) {
        if (piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') return -1;
        int hi = "0123456789ABCDEF".indexOf(piece.charAt(3)), lo = "0123456789ABCDEF".indexOf(piece.charAt(4));
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    @Override
    public int vocabularySize() { return pieces.length; }

    @Override
    public int bos() { return bosId; }

    @Override
    public int eos() { return eosId; }

    public int unk() { return unkId; }

    /** The piece text of an id, as in the vocabulary (with ▁ for spaces). */
    public String piece(int token) {
        checkId(token);
        return pieces[token];
    }

    public SentencePieceModel.Type type(int token) {
        checkId(token);
        return types[token];
    }

    @Override
    public boolean isSpecial(int token) {
        checkId(token);
        return types[token] == SentencePieceModel.Type.CONTROL || types[token] == SentencePieceModel.Type.UNKNOWN;
    }

    @Override
    public int specialTokenId(String name) {
        Integer id = reserved.get(name);
        return id != null && types[id] == SentencePieceModel.Type.CONTROL ? id : -1;
    }

    // ---- encoding ----

    @Override
    public int[] encode(String text) { return encode(text, model.addDummyPrefix()); }

    /** Without the dummy-prefix space: the text goes on right after the tokens before it. */
    @Override
    public int[] encodeContinuation(String text) { return encode(text, false); }

    private int[] encode(String text, boolean dummyPrefix) {
        String normalized = normalize(text, dummyPrefix);
        if (normalized.isEmpty()) return new int[0];
        List<String> symbols = bpe(normalized);
        IntList out = new IntList(symbols.size() + 8);
        boolean previousUnknown = false;
        for (String symbol : symbols) {
            Integer id = mergeable.get(symbol);
            if (id == null) id = reserved.get(symbol);
            boolean unknown = id == null || id == unkId;
            if (unknown && model.byteFallback()) {
                for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) out.add(byteIds[b & 0xFF]);
            } else if (unknown) {
                if (!previousUnknown) out.add(unkId);
            } else {
                out.add(id);
            }
            previousUnknown = unknown;
        }
        return out.toArray();
    }

    /** SentencePiece's normalizer with the identity rule: only the ASCII space counts as whitespace here. */
    private String normalize(String text, boolean dummyPrefix) {
        if (text.isEmpty()) return "";
        String s = text;
        if (model.removeExtraWhitespaces()) {
            StringBuilder b = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == ' ' && (b.isEmpty() || b.charAt(b.length() - 1) == ' ')) continue; // leading or repeated
                b.append(c);
            }
            while (!b.isEmpty() && b.charAt(b.length() - 1) == ' ') b.setLength(b.length() - 1); // trailing
            if (b.isEmpty()) return "";
            s = b.toString();
        }
        if (dummyPrefix) s = " " + s;
        if (model.escapeWhitespaces()) s = s.replace(" ", SPACE);
        return s;
    }

    /**
     * BPE over the normalized text; returns the final symbols (UNUSED pieces resegmented). The text is first cut at
     * symbols that can never merge (user-defined symbols, and characters no multi-character piece contains, such
     * as a newline): no candidate pair spans such a symbol, so each run between them is merged on its own with the
     * same result as one pass over the whole text, and with small priority queues.
     */
    private List<String> bpe(String text) {
        // initial symbols: characters, or whole user-defined symbols
        List<String> symbols = new ArrayList<>();
        for (int i = 0; i < text.length(); ) {
            String match = null;
            for (String u : userDefined) {
                if (text.startsWith(u, i)) { match = u; break; }
            }
            if (match == null) match = text.substring(i, i + Character.charCount(text.codePointAt(i)));
            symbols.add(match);
            i += match.length();
        }
        List<String> out = new ArrayList<>(symbols.size());
        Map<String, String[]> unusedSplits = new HashMap<>();
        int runStart = 0;
        for (int i = 0; i <= symbols.size(); i++) {
            if (i == symbols.size() || neverMerges(symbols.get(i))) {
                if (i > runStart) bpeRun(symbols.subList(runStart, i), unusedSplits, out);
                if (i < symbols.size()) out.add(symbols.get(i));
                runStart = i + 1;
            }
        }
        return out;
    }

    private boolean neverMerges(String symbol) {
        return userDefinedSet.contains(symbol) || !mergeableChars.get(symbol.codePointAt(0));
    }

    private void bpeRun(List<String> run, Map<String, String[]> unusedSplits, List<String> out) {
        int n = run.size();
        String[] sym = run.toArray(new String[0]);
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) { prev[i] = i - 1; next[i] = i + 1 < n ? i + 1 : -1; }
        PriorityQueue<Candidate> agenda = new PriorityQueue<>();
        for (int i = 1; i < n; i++) offer(agenda, sym, i - 1, i, unusedSplits);
        while (!agenda.isEmpty()) {
            Candidate top = agenda.poll();
            String left = sym[top.left], right = sym[top.right];
            // stale: a side was merged away, or grew since this candidate was made
            if (left.isEmpty() || right.isEmpty() || left.length() + right.length() != top.length) continue;
            sym[top.left] = left + right;
            sym[top.right] = "";
            next[top.left] = next[top.right];
            if (next[top.right] >= 0) prev[next[top.right]] = top.left;
            offer(agenda, sym, prev[top.left], top.left, unusedSplits);
            offer(agenda, sym, top.left, next[top.left], unusedSplits);
        }
        for (int i = 0; i != -1; i = next[i]) resegment(sym[i], unusedSplits, out);
    }

    private void offer(PriorityQueue<Candidate> agenda, String[] sym, int left, int right,
                       Map<String, String[]> unusedSplits) {
        if (left < 0 || right < 0) return;
        String merged = sym[left] + sym[right];
        Integer id = mergeable.get(merged);
        if (id == null) return;
        agenda.add(new Candidate(left, right, scores[id], merged.length()));
        if (types[id] == SentencePieceModel.Type.UNUSED) unusedSplits.put(merged, new String[] {sym[left], sym[right]});
    }

    private void resegment(String symbol, Map<String, String[]> unusedSplits, List<String> out) {
        Integer id = mergeable.get(symbol);
        String[] split = id != null && types[id] == SentencePieceModel.Type.UNUSED ? unusedSplits.get(symbol) : null;
        if (split == null) {
            out.add(symbol);
        } else {
            resegment(split[0], unusedSplits, out);
            resegment(split[1], unusedSplits, out);
        }
    }

    /** A pair that may merge; higher score first, then the leftmost. */
    private record Candidate(int left, int right, float score, int length) implements Comparable<Candidate> {
        @Override
        public int compareTo(Candidate o) {
            int c = Float.compare(o.score, score);
            return c != 0 ? c : Integer.compare(left, o.left);
        }
    }

    // ---- decoding ----

    @Override
    public byte[] tokenBytes(int token) {
        checkId(token);
        return switch (types[token]) {
            case CONTROL -> new byte[0];
            case UNKNOWN -> model.unkSurface().getBytes(StandardCharsets.UTF_8);
            case BYTE -> new byte[] {(byte) pieceToByte(pieces[token])};
            default -> pieces[token].replace(SPACE, " ").getBytes(StandardCharsets.UTF_8);
        };
    }

    @Override
    public StreamingDecoder streamingDecoder() {
        return new Decoder();
    }

    /**
     * The reference decoder, one token at a time: byte pieces wait in a buffer until they form whole characters
     * (the run is closed, malformed bytes becoming U+FFFD, when a non-byte piece follows); the dummy-prefix space
     * is dropped from the first piece that starts with ▁ while nothing has been produced yet.
     */
    private final class Decoder implements StreamingDecoder {
        private final Utf8Buffer bytes = new Utf8Buffer(Utf8Buffer.Policy.PER_BYTE);
        private boolean expectLeadingSpace = true;
        private boolean producedAnything;

        @Override
        public String next(int token) {
            checkId(token);
            if (types[token] == SentencePieceModel.Type.BYTE) {
                bytes.append(tokenBytes(token));
                producedAnything = true;
                return bytes.takeComplete();
            }
            String out = bytes.takeAll();
            if (types[token] == SentencePieceModel.Type.CONTROL) return out;
            if (types[token] == SentencePieceModel.Type.UNKNOWN) {
                producedAnything = true;
                return out + model.unkSurface();
            }
            if (producedAnything) expectLeadingSpace = false;
            String piece = pieces[token];
            if (expectLeadingSpace && (model.addDummyPrefix() || model.removeExtraWhitespaces())
                    && piece.startsWith(SPACE)) {
                piece = piece.substring(SPACE.length());
                expectLeadingSpace = model.removeExtraWhitespaces();
            }
            String text = piece.replace(SPACE, " ");
            if (!text.isEmpty()) producedAnything = true;
            return out + text;
        }

        @Override
        public String flush() {
            return bytes.takeAll();
        }
    }

    private void checkId(int token) {
        if (token < 0 || token >= pieces.length) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary of "
                    + model.file() + " (" + pieces.length + " pieces)");
        }
    }
}
