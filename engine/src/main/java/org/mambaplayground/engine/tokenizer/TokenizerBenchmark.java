package org.mambaplayground.engine.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Measures encoding and decoding speed of a tokenizer file on a text file.
 * usage: TokenizerBenchmark TOKENIZER_FILE TEXT_FILE [ROUNDS]
 */
public final class TokenizerBenchmark {
    private TokenizerBenchmark() {}

    public record Result(long bytes, int tokens, double encodeSeconds, double decodeSeconds) {
        public double encodeMegabytesPerSecond() { return bytes / 1e6 / encodeSeconds; }

        public double encodeTokensPerSecond() { return tokens / encodeSeconds; }

        public double decodeTokensPerSecond() { return tokens / decodeSeconds; }

        @Override
        public String toString() {
            return String.format("%d bytes -> %d tokens (%.2f bytes/token); encode %.2f MB/s = %.0f tokens/s; "
                    + "streaming decode %.0f tokens/s", bytes, tokens, (double) bytes / tokens,
                    encodeMegabytesPerSecond(), encodeTokensPerSecond(), decodeTokensPerSecond());
        }
    }

    /** Best of {@code rounds} runs (the first also warms the JIT up). */
    public static Result run(Tokenizer tokenizer, String text, int rounds) {
        long bytes = text.getBytes(StandardCharsets.UTF_8).length;
        double bestEncode = Double.MAX_VALUE, bestDecode = Double.MAX_VALUE;
        int[] ids = new int[0];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            ids = tokenizer.encode(text);
            long t1 = System.nanoTime();
            StreamingDecoder d = tokenizer.streamingDecoder();
            long chars = 0;
            for (int id : ids) chars += d.next(id).length();
            chars += d.flush().length();
            long t2 = System.nanoTime();
            if (chars != text.length()) throw new IllegalStateException("decode did not give the text back");
            bestEncode = Math.min(bestEncode, (t1 - t0) / 1e9);
            bestDecode = Math.min(bestDecode, (t2 - t1) / 1e9);
        }
        return new Result(bytes, ids.length, bestEncode, bestDecode);
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: TokenizerBenchmark TOKENIZER_FILE TEXT_FILE [ROUNDS]");
            System.exit(2);
        }
        Tokenizer tokenizer = Tokenizers.loadFile(Path.of(args[0])).tokenizer();
        String text = Files.readString(Path.of(args[1]));
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        System.out.println(args[0] + ": " + run(tokenizer, text, rounds));
    }
}
