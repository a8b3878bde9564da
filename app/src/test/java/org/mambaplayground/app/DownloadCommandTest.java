package org.mambaplayground.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.downloader.testing.TestHub;
import picocli.CommandLine;

class DownloadCommandTest {

    static final String REPO = "mistralai/Tiny-Mamba";

    @TempDir
    Path tmp;
    TestHub hub;
    byte[] weights = new byte[12_000_000];

    @BeforeEach
    void setUp() throws Exception {
        new Random(11).nextBytes(weights);
        hub = TestHub.start();
        hub.repo(REPO).file("params.json", "{\"dim\": 64}").lfsFile("consolidated.safetensors", weights).file("notes.txt", "x");
    }

    @AfterEach
    void tearDown() {
        hub.close();
    }

    @Test
    void downloadsWithPatternsAndDrawsAProgressBar() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path dir = tmp.resolve("Tiny-Mamba");
        int code = run(out, err, REPO, "--include", "*.json", "--include", "*.safetensors", "--dir", dir.toString());
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(Files.readAllBytes(dir.resolve("consolidated.safetensors"))).isEqualTo(weights);
        assertThat(dir.resolve("notes.txt")).doesNotExist();
        assertThat(text).contains("2 files").contains("\r[########################] 100.0%").contains("2/2 files")
                .contains("Downloaded 11.4 MiB");
    }

    @Test
    void dryRunShowsThePlanAndFetchesNothing() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = run(out, err, REPO, "--dry-run", "--exclude", "notes.txt", "--dir", tmp.resolve("d").toString());
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("consolidated.safetensors").contains("11.4 MiB")
                .contains("2 files").contains("11.4 MiB to fetch").contains("free").doesNotContain("notes.txt");
        assertThat(hub.fileBytesSent()).isZero();
        assertThat(tmp.resolve("d")).doesNotExist();
    }

    @Test
    void reportsErrorsWithWhatToDo() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = run(out, err, "mistralai/Missing", "--dir", tmp.toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("error: Repository not found: mistralai/Missing")
                .contains("give a token");
    }

    static final String CODESTRAL = "mistralai/Mamba-Codestral-7B-v0.1";

    /** The catalog's Codestral repository as the hub has it: mistral-inference files plus transformers shards. */
    private void codestralWithShards() {
        hub.repo(CODESTRAL).file("params.json", "{\"dim\": 64}").lfsFile("consolidated.safetensors", new byte[30_000])
                .lfsFile("tokenizer.model.v3", new byte[2000]).file("config.json", "{}")
                .lfsFile("model-00001-of-00002.safetensors", new byte[20_000])
                .lfsFile("model-00002-of-00002.safetensors", new byte[20_000])
                .file("model.safetensors.index.json", "{}").file("tokenizer.json", "{}").file("README.md", "# Codestral");
    }

    @Test
    void aKnownModelsDefaultPlanHasOnlyTheFilesTheEngineUsesAndAllHasEverything() {
        codestralWithShards();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(run(out, new ByteArrayOutputStream(), CODESTRAL, "--dry-run", "--dir", tmp.resolve("c").toString())).isZero();
        String plan = out.toString(StandardCharsets.UTF_8);
        assertThat(plan).contains("3 files").contains("params.json").contains("consolidated.safetensors")
                .contains("tokenizer.model.v3").doesNotContain("model-0000").doesNotContain("config.json")
                .doesNotContain("tokenizer.json").contains("--all for every file");

        ByteArrayOutputStream everything = new ByteArrayOutputStream();
        assertThat(run(everything, new ByteArrayOutputStream(), CODESTRAL, "--all", "--dry-run", "--dir", tmp.resolve("c").toString()))
                .isZero();
        assertThat(everything.toString(StandardCharsets.UTF_8)).contains("9 files").contains("model-00002-of-00002.safetensors");
    }

    @Test
    void withoutDirItDownloadsIntoMambaModelsAsTheAppDoes() throws Exception {
        codestralWithShards();
        Path store = tmp.resolve("store");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                DownloadCommand.class.getName(), CODESTRAL);
        pb.environment().put("HF_ENDPOINT", hub.endpoint());
        pb.environment().put("HF_HOME", tmp.resolve("hf").toString());
        pb.environment().put("MAMBA_MODELS", store.toString());
        pb.environment().remove("HF_TOKEN");
        pb.redirectErrorStream(true);
        Process child = pb.start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor()).as(output).isZero();
        Path folder = store.resolve("Mamba-Codestral-7B-v0.1");
        try (Stream<Path> files = Files.list(folder)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")))
                    .containsExactlyInAnyOrder("params.json", "consolidated.safetensors", "tokenizer.model.v3");
        }
        assertThat(hub.requests().stream().noneMatch(r -> r.target.contains("model-0000"))).isTrue();
    }

    @Test
    void noNetworkIsReportedWithinTwoSeconds() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        for (String endpoint : List.of("http://127.0.0.1:" + closedPort, "http://hub.invalid")) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            DownloadCommand command = new DownloadCommand(new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8), false);
            long start = System.nanoTime();
            int code = new CommandLine(command).execute(REPO, "--endpoint", endpoint, "--hf-home", tmp.resolve("hf").toString(),
                    "--dir", tmp.resolve("d").toString());
            assertThat((System.nanoTime() - start) / 1e9).as("seconds for %s", endpoint).isLessThan(2);
            assertThat(code).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("error: Network problem")
                    .containsAnyOf("cannot connect to 127.0.0.1", "unknown host hub.invalid").contains("Check your connection");
        }
    }

    @Test
    void aSavedTokenIsUsedAfterTokenOptionAndHfToken() throws Exception {
        hub.repo("mistralai/Gated").gated(true).file("params.json", "{}").grant("hf_saved");
        Files.createDirectories(tmp.resolve("hf"));
        Files.writeString(tmp.resolve("hf/token"), "hf_saved\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = run(new ByteArrayOutputStream(), err, "mistralai/Gated", "--dir", tmp.resolve("g").toString());
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(tmp.resolve("g/params.json")).exists();
        assertThat(hub.requests().stream().filter(r -> r.target.contains("/resolve/")))
                .allMatch(r -> "Bearer hf_saved".equals(r.header("Authorization")));
    }

    @Test
    void aBadEndpointOrParallelCountIsAUsageErrorNamingIt() {
        assertThat(usageError(REPO, "--endpoint", "not a url", "--dry-run"))
                .contains("the hub endpoint (HF_ENDPOINT) is not an http(s) URL: not a url").doesNotContain("Exception");
        assertThat(usageError(REPO, "--endpoint", hub.endpoint(), "--parallel", "0", "--dry-run"))
                .contains("--parallel must be at least 1, got 0");
        assertThat(hub.requests()).isEmpty();
    }

    /** Runs the command expecting a usage error (exit code 2); returns what it wrote to stderr. */
    private String usageError(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        CommandLine command = new CommandLine(new DownloadCommand(new PrintStream(new ByteArrayOutputStream()), errStream, false));
        command.setErr(new java.io.PrintWriter(errStream, true));
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--hf-home", tmp.resolve("hf").toString(), "--dir", tmp.resolve("d").toString()));
        assertThat(command.execute(all.toArray(String[]::new))).isEqualTo(CommandLine.ExitCode.USAGE);
        return err.toString(StandardCharsets.UTF_8);
    }

    private int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        // In-process the endpoint and HF home come as options; the child-JVM test below uses HF_ENDPOINT and HF_HOME.
        DownloadCommand command = new DownloadCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), true);
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--endpoint", hub.endpoint(), "--hf-home", tmp.resolve("hf").toString()));
        return new CommandLine(command).execute(all.toArray(String[]::new));
    }

    @Test
    void aKilledProcessResumesFromItsPartFile() throws Exception {
        hub.throttle(3_000_000);
        Path dir = tmp.resolve("Tiny-Mamba");
        Process child = childDownload(dir);
        Path downloads = dir.resolve(".cache/huggingface/download");
        awaitPartBytes(child, downloads, 3_000_000);
        child.destroyForcibly();  // SIGKILL: no shutdown hook, no cleanup
        child.waitFor();
        long kept = partSize(downloads);
        assertThat(kept).isGreaterThanOrEqualTo(3_000_000).isLessThan(weights.length);
        assertThat(dir.resolve("consolidated.safetensors")).doesNotExist();

        hub.throttle(0);
        hub.clearRequests();
        Process again = childDownload(dir);
        String output = new String(again.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(again.waitFor()).as(output).isZero();
        assertThat(Files.readAllBytes(dir.resolve("consolidated.safetensors"))).isEqualTo(weights);
        assertThat(output).contains("resume at");
        List<TestHub.Recorded> cdn = hub.requests("cdn");
        assertThat(cdn).hasSize(1);
        assertThat(cdn.getFirst().header("Range")).isEqualTo("bytes=" + kept + "-");
        assertThat(cdn.getFirst().bytesSent()).isEqualTo(weights.length - kept);
    }

    @Test
    void ctrlCCancelsCleanlyAndTellsHowToResume() throws Exception {
        hub.throttle(3_000_000);
        Path dir = tmp.resolve("Tiny-Mamba");
        Process child = childDownload(dir);
        Path downloads = dir.resolve(".cache/huggingface/download");
        awaitPartBytes(child, downloads, 1_000_000);
        new ProcessBuilder("kill", "-INT", String.valueOf(child.pid())).start().waitFor();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor()).as(output).isEqualTo(DownloadCommand.EXIT_CANCELLED);
        assertThat(output).contains("Cancelled. Run the same command again to resume.");
        assertThat(partSize(downloads)).isGreaterThanOrEqualTo(1_000_000);
    }

    @Test
    void anotherProcessWaitsForTheLockInsteadOfWritingTheSameFile() throws Exception {
        hub.throttle(2_000_000); // the child is still writing when this process plans, however loaded the machine
        Path dir = tmp.resolve("Tiny-Mamba");
        Process child = childDownload(dir);
        Path downloads = dir.resolve(".cache/huggingface/download");
        awaitPartBytes(child, downloads, 1);
        List<org.mambaplayground.downloader.Phase> phases = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (var client = org.mambaplayground.downloader.HubClient.builder().environment(java.util.Map.of())
                .endpoint(hub.endpoint()).hfHome(tmp.resolve("hf")).build()) {
            var plan = client.plan(client.list(REPO, "main"), org.mambaplayground.downloader.FilePatterns.include("*.safetensors"), dir);
            client.start(plan, new org.mambaplayground.downloader.DownloadListener() {
                @Override
                public void onFile(org.mambaplayground.downloader.FileProgress f) {
                    phases.add(f.phase());
                }
            }).await();
        }
        assertThat(child.waitFor()).isZero();
        assertThat(phases).contains(org.mambaplayground.downloader.Phase.WAITING_FOR_LOCK)
                .last().isEqualTo(org.mambaplayground.downloader.Phase.DONE);
        assertThat(Files.readAllBytes(dir.resolve("consolidated.safetensors"))).isEqualTo(weights);
        assertThat(hub.requests("cdn")).hasSize(1);
        assertThat(hub.fileBytesSent()).isEqualTo(weights.length);
    }

    private Process childDownload(Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                DownloadCommand.class.getName(), REPO, "--include", "*.safetensors", "--dir", dir.toString());
        pb.environment().put("HF_ENDPOINT", hub.endpoint());
        pb.environment().put("HF_HOME", tmp.resolve("hf").toString());
        pb.environment().remove("HF_TOKEN");
        pb.redirectErrorStream(true);
        return pb.start();
    }

    /** Waits (30 s at most) until the running child has written {@code bytes} of its part file. */
    private static void awaitPartBytes(Process child, Path downloads, long bytes) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (partSize(downloads) < bytes) {
            assertThat(child.isAlive()).as("child still downloading").isTrue();
            assertThat(System.nanoTime()).as("child made progress in time").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static long partSize(Path downloads) throws Exception {
        if (!Files.isDirectory(downloads)) return 0;
        try (Stream<Path> s = Files.list(downloads)) {
            return s.filter(p -> p.toString().endsWith(".part")).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void aGgufRepositoryIsListedWithWhatFitsAndOneQuantizationFetched() throws Exception {
        byte[] q8 = new byte[3_000_000], q4a = new byte[900_000], q4b = new byte[700_000];
        new Random(5).nextBytes(q8);
        new Random(6).nextBytes(q4a);
        new Random(7).nextBytes(q4b);
        hub.repo("someone/Tiny-GGUF").file("README.md", "# quants").lfsFile("Tiny-Q8_0.gguf", q8)
                .lfsFile("Tiny-Q4_K_M-00001-of-00002.gguf", q4a).lfsFile("Tiny-Q4_K_M-00002-of-00002.gguf", q4b)
                .lfsFile("Tiny-IQ2_XS.gguf", new byte[100]);
        Path dir = tmp.resolve("Tiny-GGUF");
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        assertThat(run(out, err, "someone/Tiny-GGUF", "--dir", dir.toString())).isZero();
        String listing = out.toString(StandardCharsets.UTF_8);
        assertThat(listing).contains("Q8_0").contains("Q4_K_M").contains("(2 parts)").contains("IQ2_XS")
                .contains("types this engine does not run").contains("recommended").contains("--gguf");
        assertThat(dir).doesNotExist();

        out.reset();
        assertThat(run(out, err, "someone/Tiny-GGUF", "--dir", dir.toString(), "--gguf", "q4_k_m")).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(Files.readAllBytes(dir.resolve("Tiny-Q4_K_M-00001-of-00002.gguf"))).isEqualTo(q4a);
        assertThat(Files.readAllBytes(dir.resolve("Tiny-Q4_K_M-00002-of-00002.gguf"))).isEqualTo(q4b);
        assertThat(dir.resolve("Tiny-Q8_0.gguf")).doesNotExist();
        assertThat(dir.resolve("README.md")).doesNotExist();

        err.reset();
        assertThat(run(out, err, "someone/Tiny-GGUF", "--dir", dir.toString(), "--gguf", "Q5_K_S")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("has no GGUF file Q5_K_S");
    }
}
