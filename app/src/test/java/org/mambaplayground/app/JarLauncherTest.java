package org.mambaplayground.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JarLauncherTest {
    @TempDir Path tmp;

    @Test
    void childJvmGetsTheFlagsTheUsersOptionsAndTheArguments() {
        List<String> cmd = JarLauncher.relaunchCommand(Path.of("/jdk"), Path.of("/x/app.jar"),
                List.of("-Xmx2g"), List.of("chat", "--model", "a b"));

        assertThat(cmd).containsExactly("/jdk/bin/java", "--add-modules=jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-XX:MaxDirectMemorySize=1t", "-Xmx4g", "-Dmambaplayground.relaunched=true", "-Xmx2g",
                "-cp", "/x/app.jar", "org.mambaplayground.app.Main", "chat", "--model", "a b");
    }

    @Test
    void testsRunWithTheVectorApiSoNoRelaunchIsNeeded() {
        assertThat(JarLauncher.hasVectorApi()).isTrue();
        assertThat(JarLauncher.findJdk()).contains(Path.of(System.getProperty("java.home")));
    }

    @Test
    void aJdkIsRecognisedByItsReleaseFile() throws IOException {
        assertThat(JarLauncher.isRequiredJdk(fakeJdk("jdk25", "25.0.3"))).isTrue();
        assertThat(JarLauncher.isRequiredJdk(fakeJdk("jdk26", "26-ea"))).isTrue();
        assertThat(JarLauncher.isRequiredJdk(fakeJdk("jdk17", "17.0.15"))).isFalse();
        assertThat(JarLauncher.isRequiredJdk(tmp.resolve("missing"))).isFalse();
    }

    @Test
    void theLauncherClassRunsOnJava11SoOldJvmsGetAMessage() throws IOException {
        try (InputStream in = JarLauncher.class.getResourceAsStream("JarLauncher.class")) {
            DataInputStream data = new DataInputStream(in);
            assertThat(data.readInt()).isEqualTo(0xCAFEBABE);
            data.readUnsignedShort();
            assertThat(data.readUnsignedShort()).as("class file major version").isEqualTo(55);
        }
    }

    private Path fakeJdk(String name, String version) throws IOException {
        Path home = tmp.resolve(name);
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\n");
        java.toFile().setExecutable(true);
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"" + version + "\"\n");
        return home;
    }
}
