package org.mambaplayground.app;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Main-Class of the single runnable jar. A jar manifest cannot add modules, so a plain {@code java -jar}
 * starts without the Vector API; this class then starts the same jar again in a child JVM with the flags
 * the engine and JavaFX need, and exits with the child's status. Started by an older Java (the default
 * {@code java} is often 17), it looks for a JDK 25 ({@code JAVA_HOME}, then {@code /usr/lib/jvm}) to run
 * the child. Started with the flags already (the jpackage launcher, run-app.sh) it runs {@code Main}.
 *
 * <p>Compiled for Java 11 (src/launcher, its own compiler execution) so that old JVMs reach the message
 * instead of an UnsupportedClassVersionError; it therefore calls {@code Main} by name.
 */
public final class JarLauncher {
    /**
     * The KV cache lives in native memory, which the JVM caps at the heap's maximum unless told otherwise: a long
     * Nemo context (20 GiB in F16 at 128k tokens) needs more. The cap reserves nothing; RAM is the real limit.
     */
    static final String DIRECT_MEMORY_FLAG = "-XX:MaxDirectMemorySize=1t";
    /**
     * The heap cap every launcher sets (run-app.sh, the jpackage launcher via tools/package.sh, this relaunch): the
     * weights are memory-mapped and the KV cache is native memory, so the heap holds only activations, Mamba2 states
     * (276 MB for Codestral Mamba 7B) and the window. Without a cap a long run lets garbage grow to a quarter of RAM.
     * A user's own -Xmx comes later on the command line and wins.
     */
    static final String HEAP_FLAG = "-Xmx4g";
    /**
     * Flags every JVM running the app needs: the Vector API is an incubator module, FFM and JavaFX use native access,
     * the KV cache's native memory must not be capped at the heap size, and the heap is capped.
     */
    public static final List<String> JVM_FLAGS =
            List.of("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", DIRECT_MEMORY_FLAG, HEAP_FLAG);
    static final String MAIN_CLASS = "org.mambaplayground.app.Main";
    static final String RELAUNCHED_PROPERTY = "mambaplayground.relaunched";
    static final int REQUIRED_JAVA = 25;

    private JarLauncher() {}

    public static void main(String[] args) throws Exception {
        if (hasVectorApi()) {
            runMain(args);
            return;
        }
        Optional<Path> jdk = Boolean.getBoolean(RELAUNCHED_PROPERTY) ? Optional.empty() : findJdk();
        if (jdk.isEmpty()) {
            System.err.println("Mamba Playground needs Java " + REQUIRED_JAVA + " (with jdk.incubator.vector); this is Java "
                    + Runtime.version() + ". Set JAVA_HOME to a JDK " + REQUIRED_JAVA + ".");
            System.exit(1);
        }
        List<String> command = relaunchCommand(jdk.get(), ownJar(),
                ManagementFactory.getRuntimeMXBean().getInputArguments(), List.of(args));
        Process child = new ProcessBuilder(command).inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(child::destroy));
        System.exit(child.waitFor());
    }

    static boolean hasVectorApi() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** This JVM's home when it is new enough, else JAVA_HOME or a JDK under /usr/lib/jvm of the required version. */
    static Optional<Path> findJdk() {
        Path self = Path.of(System.getProperty("java.home"));
        if (Runtime.version().feature() >= REQUIRED_JAVA) return Optional.of(self);
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("JAVA_HOME");
        if (env != null && !env.isBlank()) candidates.add(Path.of(env));
        try (Stream<Path> jvms = Files.list(Path.of("/usr/lib/jvm"))) {
            jvms.sorted().forEach(candidates::add);
        } catch (IOException | RuntimeException e) {
            // no /usr/lib/jvm: only JAVA_HOME is a candidate
        }
        return candidates.stream().filter(JarLauncher::isRequiredJdk).findFirst();
    }

    /** A JDK home whose {@code release} file says JAVA_VERSION="25..." (or newer) and that has bin/java. */
    static boolean isRequiredJdk(Path home) {
        try {
            if (!Files.isExecutable(home.resolve("bin").resolve("java"))) return false;
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(v.split("[.+-]")[0]) >= REQUIRED_JAVA;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** The child JVM's command line: that JDK's java, the user's own JVM options kept, the needed flags added. */
    static List<String> relaunchCommand(Path javaHome, Path jar, List<String> jvmArgs, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin").resolve("java").toString());
        command.addAll(JVM_FLAGS);
        command.add("-D" + RELAUNCHED_PROPERTY + "=true");
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(jar.toString());
        command.add(MAIN_CLASS);
        command.addAll(args);
        return command;
    }

    private static void runMain(String[] args) throws Exception {
        try {
            Class.forName(MAIN_CLASS).getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) throw (Exception) cause;
            throw new IllegalStateException(cause);
        }
    }

    private static Path ownJar() throws Exception {
        return Path.of(JarLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
