package org.mambaplayground.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {
    @TempDir Path dir;

    @Test
    void defaultsBindLoopbackWithoutAKey() {
        ServerConfig c = ServerConfig.resolve(Map.of(), Map.of(), null);
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(8000);
        assertThat(c.apiKey()).isNull();
        assertThat(c.modelPath()).isNull();
    }

    @Test
    void readsTheSeedServersDotEnvKeys() throws Exception {
        Path env = dir.resolve(".env");
        Files.writeString(env, """
                # Codestral Mamba server settings
                MODEL_PATH=/models/mamba-codestral-7B-v0.1
                export MAX_TOKENS=300
                TEMPERATURE='0.3'
                DTYPE="bfloat16"
                HOST=0.0.0.0
                PORT=5000   # the usual one
                API_KEY=sk-local
                """);
        ServerConfig c = ServerConfig.resolve(Map.of(), Map.of(), env);
        assertThat(c.modelPath()).isEqualTo(Path.of("/models/mamba-codestral-7B-v0.1"));
        assertThat(c.maxTokens()).isEqualTo(300);
        assertThat(c.temperature()).isEqualTo(0.3f);
        assertThat(c.dtype()).isEqualTo("bfloat16");
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(5000);
        assertThat(c.apiKey()).isEqualTo("sk-local");
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFile() throws Exception {
        Path env = dir.resolve(".env");
        Files.writeString(env, "PORT=5000\nMAX_TOKENS=10\nTEMPERATURE=0.1\n");
        ServerConfig c = ServerConfig.resolve(Map.of("PORT", "7000"), Map.of("PORT", "6000", "MAX_TOKENS", "20"), env);
        assertThat(c.port()).isEqualTo(7000);
        assertThat(c.maxTokens()).isEqualTo(20);
        assertThat(c.temperature()).isEqualTo(0.1f);
    }

    @Test
    void badValuesNameTheKeyAndWhereItCameFrom() throws Exception {
        Path env = dir.resolve(".env");
        Files.writeString(env, "PORT=eighty\n");
        assertThatThrownBy(() -> ServerConfig.resolve(Map.of(), Map.of(), env))
                .hasMessageContaining("PORT").hasMessageContaining("eighty").hasMessageContaining(env.toString());
        assertThatThrownBy(() -> ServerConfig.resolve(Map.of("TEMPERATURE", "3"), Map.of(), null))
                .hasMessageContaining("TEMPERATURE").hasMessageContaining("command line");
        assertThatThrownBy(() -> ServerConfig.resolve(Map.of(), Map.of("DTYPE", "int3"), null))
                .hasMessageContaining("DTYPE").hasMessageContaining("environment");
        assertThatThrownBy(() -> ServerConfig.resolve(Map.of("MAX_TOKENS", "0"), Map.of(), null))
                .hasMessageContaining("MAX_TOKENS");
        assertThatThrownBy(() -> DotEnv.parse("A=1\n'unclosed=2", "x.env", Map.of())).hasMessageContaining("x.env line 2");
    }

    @Test
    void quotedValuesWithCommentsAndTheListSettings() throws Exception {
        Path env = dir.resolve(".env");
        Files.writeString(env, """
                HOST="127.0.0.1"  # comment
                PORT="18013" # comment
                CORS_ORIGINS="https://app.example, http://intranet:8080"
                SERVED_MODEL_NAME=mistral codestral-mamba
                """);
        ServerConfig c = ServerConfig.resolve(Map.of(), Map.of(), env);
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(18013);
        assertThat(c.corsOrigins()).containsExactly("https://app.example", "http://intranet:8080");
        assertThat(c.servedModelNames()).containsExactly("mistral", "codestral-mamba");
        assertThat(ServerConfig.resolve(Map.of("CORS_ORIGINS", "*"), Map.of(), env).corsOrigins()).containsExactly("*");
        assertThatThrownBy(() -> ServerConfig.resolve(Map.of("CORS_ORIGINS", "app.example/x"), Map.of(), null))
                .hasMessageContaining("CORS_ORIGINS").hasMessageContaining("command line");
    }
}
