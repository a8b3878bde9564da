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
}
