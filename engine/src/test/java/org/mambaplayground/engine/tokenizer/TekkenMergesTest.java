package org.mambaplayground.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Merges derived from tekken ranks, checked by properties that do not depend on this engine's BPE code. */
class TekkenMergesTest {
    private static List<byte[]> ranks(TekkenTokenizer tok) {
        List<byte[]> byRank = new ArrayList<>();
        for (int r = 0; r < tok.normalTokenCount(); r++) byRank.add(tok.tokenBytes(tok.numSpecialTokens() + r));
        return byRank;
    }

    private static List<byte[]> bytesAnd(String... tokens) {
        List<byte[]> byRank = new ArrayList<>();
        for (int b = 0; b < 256; b++) byRank.add(new byte[] {(byte) b});
        for (String t : tokens) byRank.add(t.getBytes(StandardCharsets.UTF_8));
        return byRank;
    }

    @Test
    void everySplitIntoTwoTokensInRankOrderThenByTheHalvesRanks() {
        // "abc" splits as a+bc (ranks 97, 258) and ab+c (256, 99): a+bc comes first; "bc" is made after "abc"
        assertThat(TekkenMerges.derive(bytesAnd("ab", "abc", "bc")))
                .containsExactly("a b", "a bc", "ab c", "b c");
        assertThat(TekkenMerges.derive(bytesAnd(" t", " the", "he", "\nx")))
                .containsExactly("Ġ t", "Ġt he", "h e", "Ċ x");
    }

    @Test
    void aTokenNoMergeCanMakeIsRefused() {
        assertThatThrownBy(() -> TekkenMerges.derive(bytesAnd("ab", "xyz")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rank 257").hasMessageContaining("xyz");
    }

    /**
     * Applied as llama.cpp applies merges (repeatedly join the adjacent pair with the lowest merge index) to the
     * bytes of each multi-byte token, the merges rebuild that token.
     */
    @Test
    void greedyMergingByIndexRebuildsEveryToken() {
        for (TekkenTokenizer tok : List.of(TekkenTokenizer.load(TokenizerTestData.demoTekken()),
                TekkenTokenizer.load(TokenizerTestData.resource("tekken-test.json")))) {
            List<byte[]> byRank = ranks(tok);
            List<String> merges = TekkenMerges.derive(byRank);
            Map<String, Integer> index = new HashMap<>();
            for (int k = 0; k < merges.size(); k++) assertThat(index.put(merges.get(k), k)).as("merge %d repeated", k).isNull();
            List<String> notRebuilt = new ArrayList<>();
            for (int r = 256; r < byRank.size(); r++) {
                String token = ByteToUnicode.encode(byRank.get(r));
                List<String> symbols = greedyMerge(token, index);
                if (!symbols.equals(List.of(token))) notRebuilt.add(r + " " + token + " -> " + symbols);
            }
            assertThat(notRebuilt).as("tokens of %s the merges do not rebuild", tok.file()).isEmpty();
        }
    }

    private static List<String> greedyMerge(String token, Map<String, Integer> index) {
        List<String> symbols = new ArrayList<>();
        for (char c : token.toCharArray()) symbols.add(String.valueOf(c));
        while (true) {
            int best = -1, bestIndex = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer k = index.get(symbols.get(i) + " " + symbols.get(i + 1));
                if (k != null && k < bestIndex) { bestIndex = k; best = i; }
            }
            if (best < 0) return symbols;
            symbols.set(best, symbols.get(best) + symbols.remove(best + 1));
        }
    }

    /** Structure: each merge joins two tokens into a token, the made tokens in rank order, every split listed once. */
    @Test
    void mergesListEverySplitOfEveryTokenInRankOrder() {
        TekkenTokenizer tok = TekkenTokenizer.load(TokenizerTestData.demoTekken());
        List<byte[]> byRank = ranks(tok);
        Map<String, Integer> rank = new HashMap<>();
        for (int r = 0; r < byRank.size(); r++) rank.put(ByteToUnicode.encode(byRank.get(r)), r);
        List<String> merges = TekkenMerges.derive(byRank);
        int splits = 0;
        for (int r = 256; r < byRank.size(); r++) {
            String t = ByteToUnicode.encode(byRank.get(r));
            for (int j = 1; j < t.length(); j++) if (rank.containsKey(t.substring(0, j)) && rank.containsKey(t.substring(j))) splits++;
        }
        assertThat(merges).hasSize(splits).hasSizeGreaterThanOrEqualTo(byRank.size() - 256);
        int previousMade = -1, previousLeft = -1, previousRight = -1;
        for (String m : merges) {
            String[] halves = m.split(" ", -1);
            assertThat(halves).as(m).hasSize(2);
            Integer left = rank.get(halves[0]), right = rank.get(halves[1]), made = rank.get(halves[0] + halves[1]);
            assertThat(left).as(m).isNotNull();
            assertThat(right).as(m).isNotNull();
            assertThat(made).as(m).isNotNull().isGreaterThanOrEqualTo(Math.max(256, previousMade));
            if (made == previousMade) {
                assertThat(left > previousLeft || (left == previousLeft && right > previousRight)).as(m).isTrue();
            }
            previousMade = made;
            previousLeft = left;
            previousRight = right;
        }
    }
}
