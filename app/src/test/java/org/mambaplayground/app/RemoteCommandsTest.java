package org.mambaplayground.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.assets.DemoModels;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.remote.EndpointStore;
import org.mambaplayground.server.ApiServer;
import org.mambaplayground.server.ServerConfig;
import picocli.CommandLine;

/** {@code chat --endpoint} and {@code bench --endpoint} against our own {@code serve} on loopback, with a key and without. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RemoteCommandsTest {
    static final String KEY = "cli-test-key-a7c3";
    @TempDir static Path dir;
    static LoadedModel model;
    static ApiServer open;
    static ApiServer keyed;

    @BeforeAll
    static void start() throws Exception {
        Path folder = DemoModels.locate(dir.resolve("cache")).stream().filter(d -> d.name().equals("codestral-mamba-demo"))
                .findFirst().orElseThrow().folder();
        model = ModelLoader.load(folder, ModelLoader.Options.DEFAULT);
        open = ApiServer.start(ServerConfig.defaults().withPort(0), model);
        keyed = ApiServer.start(ServerConfig.defaults().withPort(0).withApiKey(KEY), model);
    }

    @AfterAll
    static void stop() {
        if (open != null) open.stop();
        if (keyed != null) keyed.stop();
        if (model != null) model.close();
    }

    record Run(int exit, String out, String status) {}

    static Run chat(String input, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), status = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8), s = new PrintStream(status, true, StandardCharsets.UTF_8);
        ChatCommand command = new ChatCommand(new BufferedReader(new StringReader(input)), o, s);
        command.environment = env::get;
        command.endpoints = new EndpointStore(dir.resolve("config"));
        int exit = new CommandLine(command).setErr(new java.io.PrintWriter(s, true)).execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), status.toString(StandardCharsets.UTF_8));
    }

    static Run bench(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        BenchCommand command = new BenchCommand(o);
        command.environment = env::get;
        command.endpoints = new EndpointStore(dir.resolve("config"));
        int exit = new CommandLine(command).setErr(new java.io.PrintWriter(o, true)).execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), "");
    }

    @Test
    void chatsWithARemoteModelThroughTheSameLoop() {
        Run run = chat("Hello\n/regen\n/alt 1\n/quit\n", Map.of(), "--endpoint", open.address().toString(),
                "--model", open.modelName(), "--max-tokens", "5", "--temperature", "0");
        assertThat(run.exit()).as(run.status()).isZero();
        String port = String.valueOf(open.address().getPort());
        assertThat(run.status()).contains("Remote endpoint " + open.address() + "/v1 (OpenAI-compatible)")
                .contains("Chatting with codestral-mamba-demo · 127.0.0.1:" + port + " (remote, architecture unknown, instruct mode)")
                .containsPattern("\\[\\d+ tokens, [0-9.]+ tokens/s; prompt \\d+ tokens; first token after \\d+ ms; "
                        + "measured at the client, network included; (stop|length)\\]")
                .contains("; answer 2/2]").contains("(answer 1/2)");
        // greedy: the regenerated answer and the first are the same text, and /alt 1 prints the first again
        String[] answers = run.out().split("> ");
        assertThat(answers[1].strip()).isNotEmpty();
        assertThat(answers[2].strip()).isEqualTo(answers[1].strip());
        assertThat(answers[3].strip()).isEqualTo(answers[1].strip());
    }

    @Test
    void theKeyComesFromTheNamedVariableAndAMissingOneIsSaid() {
        Run withKey = chat("Hi\n/quit\n", Map.of("PLAYGROUND_KEY", KEY), "--endpoint", keyed.address().toString(),
                "--model", keyed.modelName(), "--api-key-env", "PLAYGROUND_KEY", "--max-tokens", "3");
        assertThat(withKey.exit()).as(withKey.status()).isZero();
        assertThat(withKey.status()).contains(", with an API key").contains("measured at the client").doesNotContain(KEY);

        Run withoutKey = chat("Hi\n/quit\n", Map.of(), "--endpoint", keyed.address().toString(), "--model", keyed.modelName());
        assertThat(withoutKey.status()).contains("Generation failed: " + keyed.address() + "/v1 needs an API key (401: ");

        Run unset = chat("", Map.of(), "--endpoint", keyed.address().toString(), "--model", "m", "--api-key-env", "NOT_SET_HERE");
        assertThat(unset.exit()).isEqualTo(2);
        assertThat(unset.status()).contains("--api-key-env NOT_SET_HERE: that environment variable is not set");
    }

    @Test
    void benchPrintsTheMedianAndBestRunsMeasuredAtTheClient() {
        Run run = bench(Map.of(), "--endpoint", open.address().toString(), "--model", open.modelName(),
                "--prompt", "48", "--decode", "6", "--repeats", "2");
        assertThat(run.exit()).as(run.out()).isZero();
        assertThat(run.out()).contains("  run 1/2: first token after ").contains("  run 2/2: ")
                .contains("Remote model codestral-mamba-demo at " + open.address() + "/v1 (OpenAI-compatible), measured at the client: "
                        + "network and the server's queue included");
        Matcher ttft = Pattern.compile("Time to first token: (\\d+) ms median run, (\\d+) ms best \\(2 runs, prompt (\\d+) tokens\\)").matcher(run.out());
        assertThat(ttft.find()).as(run.out()).isTrue();
        assertThat(Integer.parseInt(ttft.group(2))).isLessThanOrEqualTo(Integer.parseInt(ttft.group(1)));
        assertThat(Integer.parseInt(ttft.group(3))).as("the learnt prompt length").isBetween(36, 60);
        Matcher decode = Pattern.compile("Decode: +([0-9.]+) tokens/s median run, ([0-9.]+) best \\(2 runs of (\\d+) tokens, counted by the server\\)").matcher(run.out());
        assertThat(decode.find()).as(run.out()).isTrue();
        assertThat(Double.parseDouble(decode.group(2))).isGreaterThanOrEqualTo(Double.parseDouble(decode.group(1)));
        assertThat(run.out()).containsPattern("Prefill: [0-9.]+ tokens/s median run, [0-9.]+ best");
    }

    @Test
    void benchAgainstNobodyFailsInOneLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) { port = s.getLocalPort(); }
        Run run = bench(Map.of(), "--endpoint", "http://127.0.0.1:" + port, "--model", "m");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("Benchmark failed: Cannot reach http://127.0.0.1:" + port + "/v1: connection refused")
                .doesNotContain("\tat ");
        Run half = bench(Map.of(), "--endpoint", "http://127.0.0.1:" + port);
        assertThat(half.exit()).isEqualTo(2);
        assertThat(half.out()).contains("--endpoint needs --model");
    }
}
