package org.mambaplayground.assets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.assets.DemoModels.DemoModel;

/** Demo models are found in a folder as they are, and copied out of a jar into real files. */
class DemoModelsTest {
    @TempDir Path tmp;

    @Test
    void foldersOnDiskAreUsedInPlace() throws IOException {
        Path root = tmp.resolve("demo");
        write(root.resolve("tiny-mamba/params.json"), "{\"dim\": 8}");
        write(root.resolve("tiny-mamba/ABOUT.md"), "A tiny Mamba2.\n");
        write(root.resolve("not-a-model/readme.txt"), "no params here");

        List<DemoModel> found = DemoModels.locate(root.toUri().toURL(), tmp.resolve("cache"));

        assertThat(found).singleElement().satisfies(m -> {
            assertThat(m.name()).isEqualTo("tiny-mamba");
            assertThat(m.folder()).isEqualTo(root.resolve("tiny-mamba"));
            assertThat(m.about()).isEqualTo("A tiny Mamba2.");
        });
        assertThat(tmp.resolve("cache")).doesNotExist();
    }

    @Test
    void modelsInsideAJarAreExtractedOnceToTheCache() throws IOException {
        Path jar = tmp.resolve("assets.jar");
        byte[] weights = new byte[100_000];
        for (int i = 0; i < weights.length; i++) weights[i] = (byte) i;
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            entry(out, "x/demo/tiny-llm/params.json", "{\"dim\": 8}".getBytes());
            entry(out, "x/demo/tiny-llm/consolidated.safetensors", weights);
        }
        URL url = URI.create("jar:" + jar.toUri() + "!/x/demo").toURL();
        Path cache = tmp.resolve("cache");

        List<DemoModel> found = DemoModels.locate(url, cache);

        Path folder = cache.resolve("demo/tiny-llm");
        assertThat(found).singleElement().satisfies(m -> assertThat(m.folder()).isEqualTo(folder));
        assertThat(Files.readAllBytes(folder.resolve("consolidated.safetensors"))).isEqualTo(weights);
        var firstCopy = Files.getLastModifiedTime(folder.resolve("consolidated.safetensors"));

        DemoModels.locate(url, cache); // second start: files already there, not copied again
        assertThat(Files.getLastModifiedTime(folder.resolve("consolidated.safetensors"))).isEqualTo(firstCopy);

        // a newer app ships retrained weights of the same size: the cache must not keep the old ones
        byte[] retrained = weights.clone();
        retrained[50_000] ^= 1;
        Path newer = tmp.resolve("assets-2.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(newer))) {
            entry(out, "x/demo/tiny-llm/params.json", "{\"dim\": 8}".getBytes());
            entry(out, "x/demo/tiny-llm/consolidated.safetensors", retrained);
        }
        DemoModels.locate(URI.create("jar:" + newer.toUri() + "!/x/demo").toURL(), cache);
        assertThat(Files.readAllBytes(folder.resolve("consolidated.safetensors"))).isEqualTo(retrained);
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static void entry(JarOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(bytes);
        out.closeEntry();
    }
}
