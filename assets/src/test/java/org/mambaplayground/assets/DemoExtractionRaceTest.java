package org.mambaplayground.assets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real JVMs extract the demo models from a jar into the same fresh cache at once, trial after trial,
 * meeting at a file barrier before each so their copies overlap. Both must succeed every time.
 */
class DemoExtractionRaceTest {
    static final int TRIALS = 20;

    @TempDir Path tmp;

    @Test
    void twoProcessesExtractingAtOnceBothSucceed() throws Exception {
        Path jar = tmp.resolve("assets.jar");
        byte[] weights = new byte[2_000_000];
        for (int i = 0; i < weights.length; i++) weights[i] = (byte) (i * 31);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String model : List.of("a-demo", "b-demo")) {
                entry(out, "x/demo/" + model + "/ABOUT.md", ("About " + model).getBytes());
                entry(out, "x/demo/" + model + "/params.json", "{\"dim\": 8}".getBytes());
                entry(out, "x/demo/" + model + "/consolidated.safetensors", weights);
            }
        }
        String url = "jar:" + jar.toUri() + "!/x/demo";
        List<Process> children = new ArrayList<>();
        for (String id : List.of("one", "two")) {
            children.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Extractor.class.getName(), url, tmp.toString(), id)
                    .redirectErrorStream(true).redirectOutput(tmp.resolve(id + ".log").toFile()).start());
        }
        for (Process child : children) {
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        for (String id : List.of("one", "two")) {
            assertThat(Files.readString(tmp.resolve(id + ".log"))).as(id).contains(TRIALS + " of " + TRIALS + " succeeded");
        }
        for (int t = 0; t < TRIALS; t++) {
            Path folder = tmp.resolve("cache-" + t).resolve("demo/a-demo");
            assertThat(Files.readAllBytes(folder.resolve("consolidated.safetensors"))).isEqualTo(weights);
            try (Stream<Path> left = Files.list(folder)) {
                assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
            }
        }
    }

    /** One child process: waits for its twin before each trial, then extracts into that trial's fresh cache. */
    public static final class Extractor {
        public static void main(String[] args) throws Exception {
            URL url = URI.create(args[0]).toURL();
            Path dir = Path.of(args[1]);
            String self = args[2], twin = self.equals("one") ? "two" : "one";
            int ok = 0;
            for (int t = 0; t < TRIALS; t++) {
                Files.createFile(dir.resolve("ready-" + t + "-" + self));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!Files.exists(dir.resolve("ready-" + t + "-" + twin)) && System.nanoTime() < deadline) Thread.onSpinWait();
                try {
                    if (DemoModels.locate(url, dir.resolve("cache-" + t)).size() == 2) ok++;
                } catch (RuntimeException e) {
                    System.out.println("trial " + t + ": " + e.getMessage());
                }
            }
            System.out.println(ok + " of " + TRIALS + " succeeded");
        }
    }

    private static void entry(JarOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(bytes);
        out.closeEntry();
    }
}
