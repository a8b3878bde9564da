package org.mambaplayground.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.assets.DemoModels;
import org.mambaplayground.engine.generate.Generator;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.synthetic.SyntheticModelWriter;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.engine.tokenizer.ChatMessage;
import picocli.CommandLine;

/** Drives {@code chat} through picocli with piped input, against a real model folder on disk. */
class ChatCommandTest {
    @TempDir static Path dir;
    static Path folder;

    @BeforeAll
    static void writeModel() throws Exception {
        folder = dir.resolve("tiny-mamba");
        Files.createDirectories(folder);
        Path tokenizer = dir.resolve("tokenizer.model.v3");
        try (InputStream in = DemoModels.class.getResourceAsStream("demo/codestral-mamba-demo/tokenizer.model.v3")) {
            Files.copy(in, tokenizer);
        }
        Mamba2Config config = new Mamba2Config(64, 2, 4096, 1, true, true, true, 8, true, 16, 4, 2, 16, 16);
        SyntheticModelWriter.write(config, folder, WeightFormat.F32, 11, tokenizer, bytes -> {}, () -> false);
    }

    record Run(int exit, String out, String status) {}

    static Run chat(String input, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), status = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8), s = new PrintStream(status, true, StandardCharsets.UTF_8);
        ChatCommand command = new ChatCommand(new BufferedReader(new StringReader(input)), o, s);
        java.io.PrintWriter err = new java.io.PrintWriter(s, true);
        int exit = new CommandLine(command).setErr(err).execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), status.toString(StandardCharsets.UTF_8));
    }

    static String expectedAnswer(List<ChatMessage> messages, int maxTokens) {
        try (LoadedModel m = ModelLoader.load(folder, ModelLoader.Options.DEFAULT)) {
            int[] prompt = m.chatFormat().encodeDialog(messages);
            return new Generator(m.model(), m.tokenizer()).generate(m.model().newState(), prompt,
                    SamplingOptions.greedy(maxTokens), m.chatFormat().stopTokens(), null, null).text();
        }
    }

    @Test
    void aBuiltInDemoModelCanBeNamedInsteadOfAFolder() {
        Run run = chat("def main():\n/quit\n", "--model", "codestral-mamba-demo", "--max-tokens", "4", "--temperature", "0");
        assertThat(run.exit()).as(run.status()).isZero();
        assertThat(run.status()).contains("Loaded codestral-mamba-demo (mamba2)");
        assertThat(run.status()).containsPattern("\\[\\d+ tokens, [0-9.]+ tokens/s");

        Run unknown = chat("/quit\n", "--model", "no-such-demo");
        assertThat(unknown.exit()).isNotZero();
        assertThat(unknown.status()).contains("no-such-demo").contains("codestral-mamba-demo").contains("mistral-nemo-demo");
    }

    @Test
    void instructChatStreamsTheEnginesAnswersAndReportsSpeed() {
        Run run = chat("Hello\n/reset\nHello\n/quit\nnever read\n",
                "--model", folder.toString(), "--instruct", "--max-tokens", "6", "--temperature", "0");
        assertThat(run.exit()).as(run.status()).isZero();
        String answer = expectedAnswer(List.of(ChatMessage.user("Hello")), 6);
        // the same answer twice: /reset forgot the first exchange; /quit left before the last line
        assertThat(run.out()).isEqualTo("> " + answer + "\n> > " + answer + "\n> ");
        assertThat(run.status()).contains("(conversation cleared)");
        Matcher speed = Pattern.compile("\\[(\\d+) tokens, ([0-9.]+) tokens/s; prompt (\\d+) tokens").matcher(run.status());
        assertThat(speed.find()).isTrue();
        assertThat(Integer.parseInt(speed.group(1))).isBetween(0, 6);
    }

    @Test
    void secondTurnContinuesTheConversationReadingOnlyItsNewTokens() {
        Run run = chat("Hi\nAnd then?\n/regen\n/alt 1\n/alt 3\n", "--model", folder.toString(), "--instruct", "--max-tokens", "5", "--temperature", "0");
        assertThat(run.exit()).as(run.status()).isZero();
        try (LoadedModel m = ModelLoader.load(folder, ModelLoader.Options.DEFAULT)) {
            // the second answer goes on from the tokens the model wrote, not from its text encoded again
            Generator g = new Generator(m.model(), m.tokenizer());
            int[] firstPrompt = m.chatFormat().encodeUserTurn(null, "Hi", true);
            var first = g.generate(m.model().newState(), firstPrompt, SamplingOptions.greedy(5), m.chatFormat().stopTokens(), null, null);
            int[] next = m.chatFormat().encodeUserTurn(null, "And then?", false);
            int[] secondPrompt = java.util.stream.Stream.of(firstPrompt, first.tokens(), new int[] {m.tokenizer().eos()}, next)
                    .flatMapToInt(java.util.Arrays::stream).toArray();
            String second = g.generate(m.model().newState(), secondPrompt, SamplingOptions.greedy(5), m.chatFormat().stopTokens(), null, null).text();
            // /regen (greedy: the same answer again), /alt 1 prints the first answer, /alt 3 is refused
            assertThat(run.out()).isEqualTo("> " + first.text() + "\n> " + second + "\n> " + second + "\n> " + second + "\n> > \n");
            Matcher prompt = Pattern.compile("prompt (\\d+) tokens").matcher(run.status());
            assertThat(prompt.find()).isTrue();
            assertThat(Integer.parseInt(prompt.group(1))).isEqualTo(firstPrompt.length);
            assertThat(prompt.find()).isTrue();
            assertThat(Integer.parseInt(prompt.group(1))).as("the second turn reads its message only").isEqualTo(next.length);
            assertThat(prompt.find()).isTrue();
            assertThat(Integer.parseInt(prompt.group(1))).as("/regen reads no prompt token").isZero();
            assertThat(run.status()).contains("answer 2/2").contains("(answer 1/2)").contains("/alt needs a number from 1 to 2");
            assertThat(run.status()).containsPattern("\\d+ checkpoints, ");
        }
    }

    @Test
    void longPromptShowsProgressAndSeededSamplingRepeats() {
        // longer than one prefill chunk of this tiny model (1024 tokens: Generator.prefillChunk)
        String longLine = "tell me a story about a fox ".repeat(200) + "\n";
        String[] args = {"--model", folder.toString(), "--max-tokens", "8", "--temperature", "1.0", "--seed", "5"};
        Run a = chat(longLine, args), b = chat(longLine, args);
        assertThat(a.status()).contains("[prompt 1024/");
        assertThat(a.out()).isEqualTo(b.out());
    }

    @Test
    void badFlagsAndMissingFoldersAreClearErrors() {
        Run missing = chat("", "--model", dir.resolve("nope").toString());
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.status()).contains("nope").contains("does not exist");
        Run badTemperature = chat("", "--model", folder.toString(), "--temperature", "9");
        assertThat(badTemperature.exit()).isNotZero();
        assertThat(badTemperature.status()).contains("--temperature");
    }

    @Test
    void cancellingStopsTheAnswerButNotTheChat() throws Exception {
        ByteArrayOutputStream status = new ByteArrayOutputStream();
        java.util.concurrent.atomic.AtomicReference<ChatRepl> repl = new java.util.concurrent.atomic.AtomicReference<>();
        int[] writes = {0};
        PrintStream out = new PrintStream(new java.io.OutputStream() {
            @Override public void write(int b) {}
            @Override public void write(byte[] b, int off, int len) {
                if (++writes[0] == 6) repl.get().cancelAnswer(); // a few pieces into the first answer: "Ctrl+C"
            }
        }, true, StandardCharsets.UTF_8);
        try (LoadedModel m = ModelLoader.load(folder, ModelLoader.Options.DEFAULT)) {
            repl.set(new ChatRepl(m, false, null, 0f, 1f, 3000, null, out, new PrintStream(status, true, StandardCharsets.UTF_8)));
            repl.get().run(new BufferedReader(new StringReader("Once upon a time\nAgain\n")));
        }
        String report = status.toString(StandardCharsets.UTF_8);
        Matcher first = Pattern.compile("\\[(\\d+) tokens, .*; (cancelled|stop|length)\\]").matcher(report);
        assertThat(first.find()).as(report).isTrue();
        assertThat(first.group(2)).isEqualTo("cancelled");
        assertThat(Integer.parseInt(first.group(1))).isLessThan(3000);
        assertThat(first.find()).as("the chat went on to the second line").isTrue();
        assertThat(repl.get().cancelAnswer()).isFalse(); // nothing running any more
    }

    @Test
    void multiLineMessagesArriveWhole() {
        String code = "def f(x):\n    return x * 2";
        Run block = chat("\"\"\"\n" + code + "\n\"\"\"\n", "--model", folder.toString(), "--instruct", "--max-tokens", "4", "--temperature", "0");
        Run continued = chat("def f(x):\\\n    return x * 2\n", "--model", folder.toString(), "--instruct", "--max-tokens", "4", "--temperature", "0");
        String expected = expectedAnswer(List.of(ChatMessage.user(code)), 4);
        assertThat(block.out()).isEqualTo("> " + expected + "\n> \n");
        assertThat(continued.out()).isEqualTo("> " + expected + "\n> \n");
        Matcher prompt = Pattern.compile("prompt (\\d+) tokens").matcher(block.status());
        assertThat(prompt.find()).isTrue();
        try (LoadedModel m = ModelLoader.load(folder, ModelLoader.Options.DEFAULT)) {
            assertThat(Integer.parseInt(prompt.group(1))).isEqualTo(m.chatFormat().encodeDialog(List.of(ChatMessage.user(code))).length);
        }
    }

    /** A model folder whose params.json declares two billion layers (nothing else is read before it is refused). */
    static Path absurdModel(Path where) throws Exception {
        Path broken = Files.createDirectories(where);
        Mamba2Config config = new Mamba2Config(64, 2, 4096, 1, true, true, true, 8, true, 16, 4, 2, 16, 16);
        Files.writeString(broken.resolve(ModelLoader.PARAMS), config.toParams().put("n_layers", 2_000_000_000).toString());
        return broken;
    }

    @Test
    void absurdCountsInParamsJsonGiveOneLineNamingTheKey() throws Exception {
        Path broken = absurdModel(dir.resolve("absurd-chat"));
        Run run = chat("/quit\n", "--model", broken.toString());
        assertThat(run.exit()).isEqualTo(1);
        String error = run.status().lines().filter(l -> l.startsWith("Cannot open the model")).findFirst().orElse(run.status());
        assertThat(error).contains(broken.resolve(ModelLoader.PARAMS).toString()).contains("'n_layers'").contains("2000000000");
        assertThat(run.status()).doesNotContain("OutOfMemoryError").doesNotContain("\tat ");
    }
}
