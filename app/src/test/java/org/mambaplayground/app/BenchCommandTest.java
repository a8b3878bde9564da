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

    @Test
    void aSyntheticMixtureOfExpertsWithASlidingWindowReportsTheExpertsRead() {
        Run moe = bench("--arch", "transformer", "--experts", "4:2", "--sliding-window", "4", "--size", "3MB", "--prompt", "8",
                "--decode", "4", "--repeats", "1", "--bandwidth-buffer", "32MB", "--dir", dir.resolve("moe").toString());
        assertThat(moe.exit()).as(moe.err()).isZero();
        assertThat(moe.out()).contains("Mixture of experts:", "expert weight sets read per decode token");
        assertThat(bench("--arch", "transformer", "--experts", "2:3").err()).contains("--experts 2:3:");
        assertThat(bench("--arch", "transformer", "--experts", "eight").err()).contains("--experts must be E:K");
        assertThat(bench("--arch", "mamba2", "--experts", "8:2").err()).contains("--experts and --sliding-window shape a synthetic transformer");
    }

    /** The committed llama.cpp-checked test GGUFs of the engine module. */
    static final Path GGUF = Path.of("..", "engine", "src", "test", "resources", "gguf");

    @Test
    void measuresAGgufFileOrAFolderHoldingOneAsStored() throws Exception {
        String[] common = {"--prompt", "8", "--decode", "4", "--repeats", "1", "--bandwidth-buffer", "32MB"};
        Run file = bench(concat(new String[] {"--model", GGUF.resolve("mamba2-demo-q8_0.gguf").toString()}, common));
        assertThat(file.exit()).as(file.err()).isZero();
        assertThat(file.out()).doesNotContain("Writing a", "synthetic model")
                .contains("mamba2 GGUF", "mostly Q8_0", "Model: mamba2,", "weights (Q8_0)", "Prefill:", "Decode:", "tokens/s",
                        "Effective weight bandwidth", "GB/s");

        Path folder = java.nio.file.Files.createDirectories(dir.resolve("nemo-gguf"));
        java.nio.file.Files.copy(GGUF.resolve("transformer-256-q6_k.gguf"), folder.resolve("transformer-256-Q6_K.gguf"));
        Run inFolder = bench(concat(new String[] {"--model", folder.toString()}, common));
        assertThat(inFolder.exit()).as(inFolder.err()).isZero();
        assertThat(inFolder.out()).contains("transformer GGUF", "Model: transformer,", "weights (Q6_K)", "Decode:");
    }

    @Test
    void aGgufWithOptionsThatDoNotApplyGetsOneClearLine() {
        String model = GGUF.resolve("mamba2-demo-q8_0.gguf").toString();
        Run precision = bench("--model", model, "--precision", "q4_0", "--repeats", "1", "--bandwidth-buffer", "32MB");
        assertThat(precision.exit()).isEqualTo(1);
        assertThat(precision.err()).contains("error: ").contains("mamba2-demo-q8_0.gguf").contains("runs in the types it stores")
                .doesNotContain("Exception");
        Run arch = bench("--model", model, "--arch", "transformer");
        assertThat(arch.exit()).isEqualTo(2);
        assertThat(arch.err()).contains("--arch describes a synthetic model; it does not go with --model");
        Run missing = bench("--model", dir.resolve("nothing.gguf").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("--model: no such file or folder: ").contains("nothing.gguf");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
