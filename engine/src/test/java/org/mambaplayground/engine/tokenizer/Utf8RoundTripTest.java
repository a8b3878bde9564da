package org.mambaplayground.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Property-style: random UTF-8 text (seeded) survives encode then decode, whole and streamed, in both tokenizers. */
class Utf8RoundTripTest {
    private static final int[][] RANGES = {
            {0x20, 0x7E}, {0x09, 0x0D}, {0x00, 0x1F}, {0xA0, 0x24F}, {0x300, 0x36F}, {0x370, 0x52F}, {0x590, 0x6FF},
            {0x900, 0x97F}, {0xE00, 0xE7F}, {0x1100, 0x11FF}, {0x2000, 0x206F}, {0x2190, 0x23FF}, {0x3000, 0x30FF},
            {0x4E00, 0x9FFF}, {0xAC00, 0xD7A3}, {0xE000, 0xF8FF}, {0xFB00, 0xFFFD}, {0x10000, 0x1007F},
            {0x1D400, 0x1D7FF}, {0x1F300, 0x1FAFF}, {0x20000, 0x2A6DF}, {0xE0000, 0xE007F}, {0x10FF00, 0x10FFFF}};

    static String randomText(Random rnd, int maxLength, boolean allowSpacePieceSymbol) {
        StringBuilder sb = new StringBuilder();
        int n = rnd.nextInt(maxLength + 1);
        while (sb.length() < n) {
            int[] r = RANGES[rnd.nextInt(RANGES.length)];
            int cp = r[0] + rnd.nextInt(r[1] - r[0] + 1);
            if (rnd.nextInt(4) == 0) cp = " \t\n\r".charAt(rnd.nextInt(4));
            if (!allowSpacePieceSymbol && cp == 0x2581) continue;
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    @Test
    void tekkenRoundTripsAnyText() {
        roundTrip(TekkenTokenizer.load(TokenizerTestData.demoTekken()), true, 1);
        roundTrip(TekkenTokenizer.load(TokenizerTestData.resource("tekken-test.json")), true, 2);
    }

    /** SentencePiece writes spaces as U+2581, so that one character cannot come back; everything else must. */
    @Test
    void sentencePieceRoundTripsAnyTextWithoutTheSpaceSymbol() {
        roundTrip(SentencePieceTokenizer.load(TokenizerTestData.demoSentencePiece()), false, 3);
        roundTrip(SentencePieceTokenizer.load(TokenizerTestData.resource("spm-test.model")), false, 4);
    }

    private static void roundTrip(Tokenizer tok, boolean allowSpaceSymbol, long seed) {
        Random rnd = new Random(seed);
        for (int i = 0; i < 400; i++) {
            String text = randomText(rnd, 60, allowSpaceSymbol);
            int[] ids = tok.encode(text);
            assertThat(tok.decode(ids)).as("case %d: %s", i, text).isEqualTo(text);
            StreamingDecoder d = tok.streamingDecoder();
            StringBuilder streamed = new StringBuilder();
            for (int id : ids) {
                String piece = d.next(id);
                SentencePieceTokenizerTest.hasNoBrokenSurrogate(piece);
                assertThat(piece).doesNotContain("\uFFFD");
                streamed.append(piece);
            }
            assertThat(streamed.append(d.flush()).toString()).isEqualTo(text);
        }
    }
}
