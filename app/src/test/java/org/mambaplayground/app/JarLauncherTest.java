package org.mambaplayground.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class JarLauncherTest {

    @Test
    void childJvmGetsTheFlagsTheUsersOptionsAndTheArguments() {
        List<String> cmd = JarLauncher.relaunchCommand(Path.of("/jdk"), Path.of("/x/app.jar"),
                List.of("-Xmx2g"), List.of("chat", "--model", "a b"));

        assertThat(cmd).containsExactly("/jdk/bin/java", "--add-modules=jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Dmambaplayground.relaunched=true", "-Xmx2g",
                "-cp", "/x/app.jar", "org.mambaplayground.app.Main", "chat", "--model", "a b");
    }

    @Test
    void testsRunWithTheVectorApiSoNoRelaunchIsNeeded() {
        assertThat(JarLauncher.hasVectorApi()).isTrue();
    }
}
