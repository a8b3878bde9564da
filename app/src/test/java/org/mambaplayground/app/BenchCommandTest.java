package org.mambaplayground.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs {@code bench} through picocli on a tiny synthetic model (real files, real timing; no speed asserted). */
class BenchCommandTest {
    @TempDir Path dir;

    record Run(int exit, String out, String err) {}

    static Run bench(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int exit = new CommandLine(new BenchCommand(new PrintStream(out, true, StandardCharsets.UTF_8)))
                .setErr(new PrintWriter(err, true, StandardCharsets.UTF_8)).execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void printsPrefillDecodeAndBandwidthThenReusesTheModel() {
        String[] args = {"--arch", "transformer", "--size", "3MB", "--dtype", "bf16", "--prompt", "8", "--decode", "4",
                "--repeats", "1", "--bandwidth-buffer", "32MB", "--dir", dir.resolve("m").toString()};
        Run first = bench(args);
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("Writing a", "Prefill:", "Decode:", "tokens/s", "Effective weight bandwidth", "GB/s");
        Run second = bench(args);
        assertThat(second.exit()).isZero();
        assertThat(second.out()).contains("Reusing synthetic model");
    }

    @Test
    void badOptionsGetOneClearLine() {
        Run arch = bench("--arch", "rwkv");
        assertThat(arch.exit()).isEqualTo(2);
        assertThat(arch.err()).contains("unknown architecture \"rwkv\"");
        Run size = bench("--size", "lots");
        assertThat(size.exit()).isEqualTo(2);
        assertThat(size.err()).contains("not a size: \"lots\"");
        assertThat(bench("--dtype", "int4").err()).contains("--dtype must be bf16, f16 or f32");
    }
}
