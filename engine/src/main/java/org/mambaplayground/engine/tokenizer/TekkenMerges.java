package org.mambaplayground.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BPE merges implied by tiktoken ranks, derived as llama.cpp's converter does for tekken
 * ({@code MistralVocab.extract_vocab_merges_from_model} in gguf-py, after HF's {@code convert_slow_tokenizer}):
 * for each rank r from 256 up, every split of that token into two halves that are both tokens is one merge, the
 * splits of one token ordered by (rank of left, rank of right), the tokens in rank order. The index of a merge is
 * its priority in llama.cpp. Each merge is {@code "left right"}, both halves spelled with {@link ByteToUnicode}.
 */
final class TekkenMerges {
    private TekkenMerges() {}

    /** @param tokensByRank the byte sequence of each rank; ranks 0..255 are the single bytes */
    static List<String> derive(List<byte[]> tokensByRank) {
        Map<String, Integer> rank = new HashMap<>(tokensByRank.size() * 2);
        for (int r = 0; r < tokensByRank.size(); r++) rank.put(latin1(tokensByRank.get(r)), r);
        List<String> merges = new ArrayList<>(tokensByRank.size() * 2);
        List<int[]> splits = new ArrayList<>(); // {split index, rank of left, rank of right}
        for (int r = 256; r < tokensByRank.size(); r++) {
            String token = latin1(tokensByRank.get(r));
            splits.clear();
            for (int j = 1; j < token.length(); j++) {
                Integer left = rank.get(token.substring(0, j)), right = rank.get(token.substring(j));
                if (left != null && right != null) splits.add(new int[] {j, left, right});
            }
            if (splits.isEmpty()) {
                // the converter fails the same way: such a token could only be reached as a whole pre-token
                throw new IllegalArgumentException("rank " + r + " (" + ByteToUnicode.encode(tokensByRank.get(r))
                        + ") cannot be split into two tokens, so no merge can produce it");
            }
            splits.sort(Comparator.<int[]>comparingInt(s -> s[1]).thenComparingInt(s -> s[2]));
            for (int[] s : splits) {
                merges.add(spell(token.substring(0, s[0])) + " " + spell(token.substring(s[0])));
            }
        }
        return merges;
    }

    /** Bytes as a string of one char per byte, for hashing byte sequences. */
    private static String latin1(byte[] bytes) { return new String(bytes, StandardCharsets.ISO_8859_1); }

    private static String spell(String latin1) { return ByteToUnicode.encode(latin1.getBytes(StandardCharsets.ISO_8859_1)); }
}
