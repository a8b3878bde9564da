package org.mambaplayground.gui.library;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.model.Architecture;
import org.mambaplayground.gui.Settings;
import org.mambaplayground.gui.models.EngineBinding;
import org.mambaplayground.gui.models.LoadChoice;
import org.testfx.api.FxToolkit;

/**
 * GGUF files in the library: found where LM Studio, Ollama (a blob its manifest names) and the Hugging Face
 * cache keep them, or added as a file; each with its configuration from the file, loadable as stored.
 */
class GgufLibraryTest {
    /** A small real GGUF (Mamba2, Q8_0) the engine's tests share, written by tools/llama-cpp-check/make-test-ggufs.sh. */
    static final Path MAMBA_GGUF = Path.of("..", "engine", "src", "test", "resources", "gguf", "mamba2-demo-q8_0.gguf");
    static final Path NEMO_GGUF = Path.of("..", "engine", "src", "test", "resources", "gguf", "transformer-demo-q4_0.gguf");

    @BeforeAll
    static void toolkit() throws Exception {
        FxToolkit.registerPrimaryStage();
    }

    @TempDir Path home;

    @Test
    void ggufFilesOfOtherAppsAreFoundAndLoadAsStored() throws Exception {
        Path lmStudio = Files.createDirectories(home.resolve(".lmstudio/models/someone/Demo-GGUF"));
        Files.copy(MAMBA_GGUF, lmStudio.resolve("Demo-Mamba-Q8_0.gguf"));
        String digest = "ab".repeat(32);
        Path blobs = Files.createDirectories(home.resolve(".ollama/models/blobs"));
        Files.copy(NEMO_GGUF, blobs.resolve("sha256-" + digest));
        Path manifest = Files.createDirectories(home.resolve(".ollama/models/manifests/registry.ollama.ai/library/nemo-demo")).resolve("q4_0");
        Files.writeString(manifest, "{\"schemaVersion\":2,\"layers\":[{\"mediaType\":\"application/vnd.ollama.image.license\",\"digest\":\"sha256:"
                + "cd".repeat(32) + "\"},{\"mediaType\":\"" + GgufFinder.OLLAMA_MODEL_LAYER + "\",\"digest\":\"sha256:" + digest + "\",\"size\":1}]}");
        Path snapshot = Files.createDirectories(home.resolve(".cache/huggingface/hub/models--someone--Demo-GGUF/snapshots/" + "0".repeat(40)));
        Files.copy(MAMBA_GGUF, snapshot.resolve("Demo-Mamba-Q8_0.gguf"));

        ModelLibrary library = new ModelLibrary(Settings.under(home.resolve("app")), Runnable::run, EngineBinding.engine().specs(),
                GgufFinder.of(home, Map.of()));
        List<LibraryEntry> entries = library.scan();
        LibraryEntry lm = find(entries, "Demo-Mamba-Q8_0", "LM Studio");
        LibraryEntry ollama = find(entries, "nemo-demo:q4_0", "Ollama");
        LibraryEntry hf = find(entries, "Demo-Mamba-Q8_0", "Hugging Face cache: someone/Demo-GGUF");
        for (LibraryEntry e : List.of(lm, ollama, hf)) {
            assertThat(e.loadable()).as(e.name() + ": " + e.problem()).isTrue();
            assertThat(e.gguf()).isTrue();
            assertThat(e.description()).contains("GGUF, mostly");
        }
        assertThat(lm.spec().architecture()).isEqualTo(Architecture.MAMBA2);
        assertThat(ollama.spec().architecture()).isEqualTo(Architecture.TRANSFORMER);
        assertThat(lm.bytesOnDisk()).isEqualTo(Files.size(MAMBA_GGUF));

        // It loads as stored: no precision to choose, the Ollama blob (no .gguf name) too.
        LoadChoice choice = LoadChoices.defaultFor(ollama, 4096, new org.mambaplayground.engine.load.MachineMemory(1L << 40, 1L << 40));
        assertThat(choice).isEqualTo(LoadChoice.DEFAULT);
        assertThat(choice.weightsFile(ollama.folder())).as("the file the sidebar says is mapped").isEqualTo(ollama.folder());
        try (LoadedModel m = ModelLoader.load(ollama.folder(), choice.applyTo(ModelLoader.Options.DEFAULT))) {
            assertThat(m.model().spec().architecture()).isEqualTo(Architecture.TRANSFORMER);
            assertThat(m.tokenizer().encode("Hello")).isNotEmpty();
        }
    }

    @Test
    void aGgufFileCanBeAddedByHand() throws Exception {
        Path file = Files.createDirectories(home.resolve("Downloads")).resolve("My-Nemo-Q4_0.gguf");
        Files.copy(NEMO_GGUF, file);
        ModelLibrary library = new ModelLibrary(Settings.under(home.resolve("app")), Runnable::run, EngineBinding.engine().specs(),
                GgufFinder.of(home.resolve("nowhere"), Map.of()));
        library.addFolder(file).get();
        LibraryEntry added = find(library.scan(), "My-Nemo-Q4_0.gguf", file.toString());
        assertThat(added.loadable()).as(added.problem()).isTrue();
        assertThat(added.folder()).isEqualTo(file.toAbsolutePath().normalize());
    }

    private static LibraryEntry find(List<LibraryEntry> entries, String name, String descriptionPart) {
        return entries.stream().filter(e -> e.name().equals(name) && e.description().contains(descriptionPart)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " / " + descriptionPart + " not in " + entries.stream()
                        .map(e -> e.name() + " [" + e.description() + "]").toList()));
    }
}
