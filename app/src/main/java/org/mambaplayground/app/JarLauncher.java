package org.mambaplayground.app;

import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Main-Class of the single runnable jar. A jar manifest cannot add modules, so a plain {@code java -jar}
 * starts without the Vector API; this class then starts the same jar once more in a child JVM with the
 * flags the engine and JavaFX need, and exits with the child's status. Started with the flags already
 * (the jpackage launcher, run-app.sh, tests), it runs {@link Main} directly.
 */
public final class JarLauncher {
    /** Flags every JVM running the app needs: the Vector API is an incubator module, FFM and JavaFX use native access. */
    public static final List<String> JVM_FLAGS =
            List.of("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED");
    static final String RELAUNCHED_PROPERTY = "mambaplayground.relaunched";

    private JarLauncher() {}

    public static void main(String[] args) throws Exception {
        if (hasVectorApi()) {
            Main.main(args);
            return;
        }
        if (Boolean.getBoolean(RELAUNCHED_PROPERTY)) {
            System.err.println("mamba-playground: this JVM lacks the module jdk.incubator.vector (needs JDK 25 with it)");
            System.exit(1);
        }
        Path javaHome = Path.of(System.getProperty("java.home"));
        List<String> command = relaunchCommand(javaHome, ownJar(),
                ManagementFactory.getRuntimeMXBean().getInputArguments(), List.of(args));
        Process child = new ProcessBuilder(command).inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(child::destroy));
        System.exit(child.waitFor());
    }

    static boolean hasVectorApi() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** The child JVM's command line: same java, the user's own JVM options kept, the needed flags added. */
    static List<String> relaunchCommand(Path javaHome, Path jar, List<String> jvmArgs, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin").resolve("java").toString());
        command.addAll(JVM_FLAGS);
        command.add("-D" + RELAUNCHED_PROPERTY + "=true");
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(jar.toString());
        command.add(Main.class.getName());
        command.addAll(args);
        return command;
    }

    private static Path ownJar() throws URISyntaxException {
        return Path.of(JarLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
