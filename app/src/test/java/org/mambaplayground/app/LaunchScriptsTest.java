package org.mambaplayground.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real run-app.sh from a copy of the checkout whose tools/java-home.sh puts a stand-in {@code java} on
 * the PATH (it records its working directory and arguments), so no build and no JVM start is needed.
 */
class LaunchScriptsTest {
    static final Path CHECKOUT = Path.of(System.getProperty("user.dir")).getParent();

    @TempDir Path tmp;

    @Test
    void runAppKeepsTheCallersDirectorySoDotEnvAndRelativePathsAreTheirs() throws Exception {
        Path checkout = Files.createDirectories(tmp.resolve("checkout"));
        Files.copy(CHECKOUT.resolve("run-app.sh"), checkout.resolve("run-app.sh"));
        Path bin = Files.createDirectories(tmp.resolve("fake-jdk/bin"));
        Path record = tmp.resolve("java-saw.txt");
        Files.writeString(bin.resolve("java"), "#!/bin/sh\npwd > '" + record + "'\nfor a in \"$@\"; do echo \"$a\" >> '" + record + "'; done\n");
        bin.resolve("java").toFile().setExecutable(true);
        Files.writeString(Files.createDirectories(checkout.resolve("tools")).resolve("java-home.sh"),
                "export PATH='" + bin + "':\"$PATH\"\n");
        // the system packages are there (a stand-in dpkg says so): the script goes on to java
        Files.writeString(checkout.resolve("tools/ensure-deps.sh"), "true\n");
        Path jar = Files.createDirectories(checkout.resolve("app/target")).resolve("mamba-playground.jar");
        Files.writeString(jar, "built"); // newer than any source: no build
        Path user = Files.createDirectories(tmp.resolve("user folder"));

        Process p = new ProcessBuilder("bash", checkout.resolve("run-app.sh").toString(), "download", "--dir", "models", "x/y")
                .directory(user.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.exitValue()).as(output).isZero();

        List<String> saw = Files.readAllLines(record);
        assertThat(saw.getFirst()).as("java's working directory").isEqualTo(user.toRealPath().toString());
        assertThat(saw).containsSubsequence("-jar", jar.toRealPath().toString(), "download", "--dir", "models", "x/y");
        assertThat(saw).containsAll(JarLauncher.JVM_FLAGS);
    }

    @Test
    void theJpackageLauncherGetsTheSameFlags() throws Exception {
        String script = Files.readString(CHECKOUT.resolve("tools/package.sh"));
        for (String flag : JarLauncher.JVM_FLAGS) {
            // jpackage's launcher runs JavaFX on the module path, so it names javafx.graphics besides ALL-UNNAMED
            String expected = flag.startsWith("--enable-native-access") ? "--enable-native-access=javafx.graphics,ALL-UNNAMED" : flag;
            assertThat(script).contains("--java-options " + expected);
        }
    }

    /**
     * tools/ensure-deps.sh, which both commands source: with a package missing (a stand-in dpkg says so) and not
     * root (a stand-in id), it names the package and the one command to run, and stops.
     */
    @Test
    void aMissingSystemPackageIsNamedWithTheCommandThatInstallsIt() throws Exception {
        Path tools = Files.createDirectories(tmp.resolve("checkout/tools"));
        Files.copy(CHECKOUT.resolve("tools/ensure-deps.sh"), tools.resolve("ensure-deps.sh"));
        Files.writeString(tools.resolve("system-packages.txt"), "# test\nlibgtk-3-0 libgtk-3-bin\n");
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.writeString(bin.resolve("dpkg"), "#!/bin/sh\n[ \"$2\" = libgtk-3-0 ]\n");
        Files.writeString(bin.resolve("id"), "#!/bin/sh\necho 1000\n");
        bin.resolve("dpkg").toFile().setExecutable(true);
        bin.resolve("id").toFile().setExecutable(true);
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", ". '" + tools.resolve("ensure-deps.sh") + "'; echo went on")
                .redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Process p = pb.start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.exitValue()).as(output).isEqualTo(1);
        assertThat(output).contains("libgtk-3-bin").doesNotContain("libgtk-3-0").contains("sudo " + tools + "/install-deps.sh")
                .doesNotContain("went on");
    }
}
