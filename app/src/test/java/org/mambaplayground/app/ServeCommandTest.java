package org.mambaplayground.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.server.ServerConfig;
import picocli.CommandLine;

class ServeCommandTest {
    @TempDir Path dir;

    @Test
    void flagsOverrideEnvironmentOverrideDotEnv() throws Exception {
        Path env = dir.resolve("server.env");
        Files.writeString(env, "MODEL_PATH=/from/file\nPORT=5000\nMAX_TOKENS=100\nTEMPERATURE=0.2\nDTYPE=bfloat16\n");
        ServeCommand serve = new ServeCommand(new PrintStream(new ByteArrayOutputStream()));
        new CommandLine(serve).parseArgs("--env-file", env.toString(), "--port", "0", "--api-key", "sk-1");
        ServerConfig config = serve.config(Map.of("MAX_TOKENS", "50", "HOST", "0.0.0.0"));
        assertThat(config.modelPath()).isEqualTo(Path.of("/from/file"));
        assertThat(config.port()).isZero();
        assertThat(config.maxTokens()).isEqualTo(50);
        assertThat(config.temperature()).isEqualTo(0.2f);
        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.apiKey()).isEqualTo("sk-1");
    }

    @Test
    void corsOriginsAndServedModelNamesFromFlagsOrTheDotEnv() throws Exception {
        Path env = dir.resolve("names.env");
        Files.writeString(env, "export SERVED_MODEL_NAME=\"mistral\"  # as the Codestral Mamba server's clients send\nCORS_ORIGINS='https://a.example'\n");
        ServeCommand fromFile = new ServeCommand(new PrintStream(new ByteArrayOutputStream()));
        new CommandLine(fromFile).parseArgs("--env-file", env.toString());
        ServerConfig file = fromFile.config(Map.of());
        assertThat(file.servedModelNames()).containsExactly("mistral");
        assertThat(file.corsOrigins()).containsExactly("https://a.example");
        ServeCommand fromFlags = new ServeCommand(new PrintStream(new ByteArrayOutputStream()));
        new CommandLine(fromFlags).parseArgs("--env-file", env.toString(), "--served-model-name", "codestral", "mistral",
                "--cors-origin", "https://b.example", "http://c.example:8080");
        ServerConfig flags = fromFlags.config(Map.of());
        assertThat(flags.servedModelNames()).containsExactly("codestral", "mistral");
        assertThat(flags.corsOrigins()).containsExactly("https://b.example", "http://c.example:8080");
    }

    @Test
    void withoutAModelItSaysHowToGiveOne() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ServeCommand serve = new ServeCommand(new PrintStream(new ByteArrayOutputStream()));
        int exit = new CommandLine(serve).setErr(new java.io.PrintWriter(err, true))
                .execute("--env-file", dir.resolve("absent.env").toString());
        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("--model").contains("MODEL_PATH");
    }

    @Test
    void launcherSendsWindowOptionsToTheGuiAndCommandsToPicocli() {
        assertThat(Main.opensWindow(new String[0])).isTrue();
        assertThat(Main.opensWindow(new String[] {"--load-demo"})).isTrue();
        assertThat(Main.opensWindow(new String[] {"--help"})).isFalse();
        assertThat(Main.opensWindow(new String[] {"chat", "--model", "x"})).isFalse();
        String usage = new CommandLine(new Main()).getUsageMessage();
        assertThat(usage).contains("chat").contains("serve").contains("download");
    }

    @Test
    void servesAModelFolderUntilStopped() throws Exception {
        Path folder = dir.resolve("tiny-mamba");
        java.nio.file.Files.createDirectories(folder);
        Path tokenizer = dir.resolve("tokenizer.model.v3");
        try (var in = org.mambaplayground.assets.DemoModels.class.getResourceAsStream("demo/codestral-mamba-demo/tokenizer.model.v3")) {
            Files.copy(in, tokenizer);
        }
        org.mambaplayground.engine.synthetic.SyntheticModelWriter.write(
                new org.mambaplayground.engine.mamba2.Mamba2Config(64, 2, 4096, 1, true, true, true, 8, true, 16, 4, 2, 16, 16),
                folder, org.mambaplayground.engine.tensor.format.WeightFormat.F32, 2, tokenizer, bytes -> {}, () -> false);
        Path env = dir.resolve("serve.env");
        Files.writeString(env, "MODEL_PATH=" + folder + "\nPORT=0\nAPI_KEY=sk-env\n");

        java.io.PipedOutputStream pipe = new java.io.PipedOutputStream();
        java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(new java.io.PipedInputStream(pipe, 1 << 16)));
        ServeCommand serve = new ServeCommand(new PrintStream(pipe, true));
        java.util.concurrent.FutureTask<Integer> running = new java.util.concurrent.FutureTask<>(
                () -> new CommandLine(serve).execute("--env-file", env.toString()));
        Thread thread = new Thread(running, "serve-under-test");
        thread.start();
        String first = lines.readLine();
        assertThat(first).startsWith("Serving tiny-mamba at http://127.0.0.1:").endsWith("/v1 (API key required)");
        String base = first.substring(first.indexOf("http://"), first.indexOf(" (API"));
        var http = java.net.http.HttpClient.newHttpClient();
        var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/chat/completions"))
                .header("Authorization", "Bearer sk-env")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"max_tokens\": 3}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String logged = null;
        for (String line; (line = lines.readLine()) != null; ) {
            if (line.startsWith("/v1/chat/completions chatcmpl-")) { logged = line; break; }
        }
        assertThat(logged).contains("prompt tokens processed").contains("tokens/s");
        serve.stop();
        assertThat(running.get(10, java.util.concurrent.TimeUnit.SECONDS)).isZero();
    }

    @Test
    void absurdCountsInParamsJsonGiveOneLineNamingTheKey() throws Exception {
        Path broken = ChatCommandTest.absurdModel(dir.resolve("absurd-serve"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ServeCommand serve = new ServeCommand(new PrintStream(new ByteArrayOutputStream()));
        int exit = new CommandLine(serve).setErr(new java.io.PrintWriter(err, true))
                .execute("--env-file", dir.resolve("absent.env").toString(), "--model", broken.toString(), "--port", "0");
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().strip()).doesNotContain("\n").contains("'n_layers'").contains("Cannot open the model")
                .doesNotContain("OutOfMemoryError");
    }
}
