package org.mambaplayground.gui.library;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.load.MemoryEstimate;
import org.mambaplayground.engine.model.Architecture;
import org.mambaplayground.gui.Settings;
import org.mambaplayground.engine.synthetic.SyntheticModelWriter;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.gui.testing.TestModels;
import org.mambaplayground.gui.library.LibraryEntry.InstallState;
import org.mambaplayground.gui.library.LibraryEntry.Kind;
import org.mambaplayground.gui.models.EngineBinding;
import org.testfx.api.FxToolkit;

/** The library's scan of real folders, and the engine's memory estimate of its specs checked against the published formulas. */
class ModelLibraryTest {

    @BeforeAll
    static void toolkit() throws Exception {
        FxToolkit.registerPrimaryStage();  // tasks report their state on the FX thread
    }
    @TempDir Path home;

    ModelLibrary library() {
        return new ModelLibrary(Settings.under(home), Runnable::run, EngineBinding.engine().specs());
    }

    @Test
    void catalogModelsAreKnownBeforeDownloadAndInstalledOnceTheirFilesAreThere() throws Exception {
        ModelLibrary library = library();
        LibraryEntry mamba = find(library.scan(), "Codestral Mamba 7B");
        assertThat(mamba.state()).isEqualTo(InstallState.NOT_INSTALLED);
        assertThat(mamba.spec().architecture()).isEqualTo(Architecture.MAMBA2);
        assertThat(mamba.downloadable()).isTrue();

        Path folder = library.folderOf(mamba.catalog());
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("params.json"), "{}");
        assertThat(find(library.scan(), "Codestral Mamba 7B").state()).isEqualTo(InstallState.PARTIAL);
        Files.write(folder.resolve("consolidated.safetensors"), new byte[1000]);
        Files.write(folder.resolve("tokenizer.model.v3"), new byte[10]);
        LibraryEntry installed = find(library.scan(), "Codestral Mamba 7B");
        assertThat(installed.state()).isEqualTo(InstallState.INSTALLED);
        assertThat(installed.bytesOnDisk()).isEqualTo(1012);
        // Once on disk, the downloaded params.json is read, not the catalog's copy: this one is empty.
        assertThat(installed.loadable()).isFalse();
        assertThat(installed.problem()).contains(folder.resolve("params.json").toString());
    }

    @Test
    void addedFoldersAreRememberedAndABrokenOneSaysWhy() throws Exception {
        Path good = home.resolve("mine");
        SyntheticModelWriter.write(TestModels.MAMBA, good, WeightFormat.BF16, 1);
        Path broken = Files.createDirectories(home.resolve("broken"));
        Files.writeString(broken.resolve("params.json"), "{\"model_type\": \"mamba\", \"dim\": \"wide\"}");
        ModelLibrary library = library();
        library.addFolder(good).get(30, TimeUnit.SECONDS);  // the file work runs in the task, off the FX thread
        library.addFolder(broken).get(30, TimeUnit.SECONDS);

        List<LibraryEntry> entries = library().scan(); // a new library reads the saved list
        LibraryEntry mine = find(entries, "mine");
        assertThat(mine.kind()).isEqualTo(Kind.FOLDER);
        assertThat(mine.loadable()).isTrue();
        assertThat(mine.bytesOnDisk()).isEqualTo(Files.size(good.resolve("consolidated.safetensors"))
                + Files.size(good.resolve("params.json")));
        LibraryEntry bad = find(entries, "broken");
        assertThat(bad.loadable()).isFalse();
        assertThat(bad.problem()).contains("params.json").contains("dim");

        library.removeFolder(broken).get(30, TimeUnit.SECONDS);
        assertThat(library().scan()).noneMatch(e -> e.name().equals("broken"));
    }

    @Test
    void memoryEstimateIsConstantForMamba2AndGrowsWithContextForTheTransformer() {
        List<LibraryEntry> entries = library().scan();
        var mamba = find(entries, "Codestral Mamba 7B").spec();
        var nemo = find(entries, "Mistral Nemo 12B Instruct").spec();

        // Mamba2: per layer, SSM state heads x head_dim x d_state plus the conv window over x, B and C, in float32.
        long ssm = 128L * 64 * 128;
        long conv = (4096L * 2 + 2L * 8 * 128) * (4 - 1);
        long mambaState = 64 * (ssm + conv) * 4;
        assertThat(estimate(mamba, 1024).stateBytes()).isEqualTo(estimate(mamba, 131072).stateBytes());
        assertThat((double) estimate(mamba, 1024).stateBytes()).isCloseTo(mambaState, org.assertj.core.data.Percentage.withPercentage(1));

        // Transformer: K and V, per layer, per KV head, head_dim floats per token.
        long perToken = 2L * 40 * 8 * 128 * 2; // keys and values, 40 layers, 8 KV heads of 128, in the default F16
        MemoryEstimate at4k = estimate(nemo, 4096);
        MemoryEstimate at32k = estimate(nemo, 32768);
        assertThat((double) at4k.stateBytes()).isCloseTo(perToken * 4096.0, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat((double) at32k.stateBytes()).isCloseTo(perToken * 32768.0, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(at4k.weightBytes()).isBetween(24_000_000_000L, 25_000_000_000L); // 12.2 B parameters in BF16
        assertThat(at4k.describe()).contains("KV cache at 4,096 tokens");
    }

    /** As the library shows a spec by default: BF16 weights, the default KV cache. */
    private static MemoryEstimate estimate(org.mambaplayground.engine.model.ModelSpec spec, long contextTokens) {
        return MemoryEstimate.of(spec, WeightFormat.BF16, null, contextTokens);
    }

    @Test
    void onlyInstructTunedModelsDefaultToTheInstructChatFormat() {
        List<LibraryEntry> entries = library().scan();
        assertThat(find(entries, "Codestral Mamba 7B").instructByDefault()).isTrue();
        assertThat(find(entries, "Mistral Nemo 12B Instruct").instructByDefault()).isTrue();
        assertThat(find(entries, "Mistral Nemo 12B Base").instructByDefault()).isFalse();
        assertThat(entries).filteredOn(e -> e.kind() == Kind.DEMO).isNotEmpty()
                .allSatisfy(demo -> assertThat(demo.instructByDefault()).as(demo.name()).isFalse());
    }

    private static LibraryEntry find(List<LibraryEntry> entries, String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }
}
