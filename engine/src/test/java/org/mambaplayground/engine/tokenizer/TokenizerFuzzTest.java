package org.mambaplayground.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random damage to real tokenizer files: each must either load (and then encode and decode) or fail with a
 * TokenizerFormatException naming the file, never with another exception (index out of bounds, null pointer,
 * out of memory).
 */
class TokenizerFuzzTest {
    @Test
    void damagedSentencePieceModels(@TempDir Path dir) throws IOException {
        byte[] good = Files.readAllBytes(TokenizerTestData.resource("spm-test.model"));
        Random rnd = new Random(5);
        Path file = dir.resolve("tokenizer.model.v3");
        int loaded = 0, refused = 0;
        for (int round = 0; round < 300; round++) {
            byte[] bad = good.clone();
            int edits = 1 + rnd.nextInt(4);
            for (int e = 0; e < edits; e++) {
                int at = rnd.nextInt(bad.length);
                switch (rnd.nextInt(3)) {
                    case 0 -> bad[at] = (byte) rnd.nextInt(256);
                    case 1 -> bad[at] ^= (byte) (1 << rnd.nextInt(8));
                    default -> bad = java.util.Arrays.copyOf(bad, at + 1);
                }
            }
            Files.write(file, bad);
            if (tryLoad(file)) loaded++; else refused++;
        }
        assertThat(loaded + refused).isEqualTo(300);
        assertThat(refused).as("damaged files refused").isPositive();
    }

    @Test
    void damagedTekkenFiles(@TempDir Path dir) throws IOException {
        String good = Files.readString(TokenizerTestData.resource("tekken-test.json"));
        String[] replacements = {"0", "-1", "1000000000", "\"x\"", "null", "[]", "{}", "true", "\"\"", "\"AA==\"", "2.5"};
        Random rnd = new Random(6);
        Path file = dir.resolve("tekken.json");
        int refused = 0;
        for (int round = 0; round < 300; round++) {
            String bad;
            if (rnd.nextBoolean()) {
                // replace one JSON value (after a colon) with another of any type
                int colon = good.indexOf(':', rnd.nextInt(good.length()));
                if (colon < 0) colon = good.indexOf(':');
                int end = colon + 1;
                while (end < good.length() && ",}]".indexOf(good.charAt(end)) < 0) end++;
                bad = good.substring(0, colon + 1) + replacements[rnd.nextInt(replacements.length)] + good.substring(end);
            } else {
                int at = rnd.nextInt(good.length());
                bad = good.substring(0, at) + (char) (32 + rnd.nextInt(95)) + good.substring(Math.min(good.length(), at + 1));
            }
            Files.writeString(file, bad, StandardCharsets.UTF_8);
            if (!tryLoad(file)) refused++;
        }
        assertThat(refused).as("damaged files refused").isPositive();
    }

    /** True if the file loaded and works, false if it was refused with a message naming it. */
    private static boolean tryLoad(Path file) {
        Tokenizers.Loaded loaded;
        try {
            loaded = Tokenizers.loadFile(file);
        } catch (TokenizerFormatException e) {
            assertThat(e.getMessage()).contains(file.toString());
            return false;
        }
        Tokenizer tok = loaded.tokenizer();
        String text = "def f(x):\n    return x + 1  # ok ✓";
        int[] ids = tok.encode(text);
        for (int id : ids) assertThat(id).isBetween(0, tok.vocabularySize() - 1);
        tok.decode(ids);
        return true;
    }
}
