package org.mambaplayground.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StopSequencesTest {
    @Test
    void cutsAtAStopStringSplitAcrossPieces() {
        StopSequences s = new StopSequences(List.of("\n\n", "END"));
        StringBuilder out = new StringBuilder();
        for (String piece : List.of("Hello", " wor", "ld E", "N", "D and more")) out.append(s.feed(piece));
        assertThat(s.stopped()).isTrue();
        out.append(s.finish());
        assertThat(out).hasToString("Hello world ");
    }

    @Test
    void releasesHeldTextThatTurnsOutNotToBeAStop() {
        StopSequences s = new StopSequences(List.of("END"));
        assertThat(s.feed("an E")).isEqualTo("an ");
        assertThat(s.feed("N")).isEmpty();
        assertThat(s.feed("ough")).isEqualTo("ENough");
        assertThat(s.finish()).isEmpty();
        assertThat(s.stopped()).isFalse();
    }

    @Test
    void anySplitOfTheTextGivesTheTextBeforeTheEarliestStop() {
        Random random = new Random(3);
        String alphabet = "ab\n";
        List<String> stops = List.of("ab\na", "\n\n", "bbb");
        for (int trial = 0; trial < 2000; trial++) {
            StringBuilder text = new StringBuilder();
            int len = random.nextInt(30);
            for (int i = 0; i < len; i++) text.append(alphabet.charAt(random.nextInt(3)));
            int cut = text.length();
            for (String stop : stops) {
                int at = text.indexOf(stop);
                if (at >= 0) cut = Math.min(cut, at);
            }
            StopSequences s = new StopSequences(stops);
            StringBuilder out = new StringBuilder();
            int pos = 0;
            while (pos < text.length()) {
                int end = Math.min(text.length(), pos + 1 + random.nextInt(4));
                out.append(s.feed(text.substring(pos, end)));
                pos = end;
            }
            out.append(s.finish());
            assertThat(out.toString()).as("text %s", text).isEqualTo(text.substring(0, cut));
            assertThat(s.stopped()).isEqualTo(cut < text.length());
        }
    }
}
