package org.mambaplayground.gui.library;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.load.MachineMemory;
import org.mambaplayground.engine.load.MemoryEstimate;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.load.QuantizedCopies;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.model.Sizes;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.gui.App;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.Settings;
import org.mambaplayground.gui.models.EngineBinding;
import org.mambaplayground.gui.models.LoadChoice;
import org.mambaplayground.gui.models.ModelHandle;
import org.mambaplayground.gui.models.ModelOpener;
import org.mambaplayground.gui.testing.Fx;
import org.mambaplayground.gui.testing.TestModels;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The library's precision choice with real model folders (copied into a temp folder, so their cache of converted
 * copies is the test's own), the engine's estimates and loader, and the real toolkit. The machine's memory is
 * pretended where the test needs a machine too small for some precisions.
 */
@ExtendWith(ApplicationExtension.class)
class PrecisionChoiceTest {
    /** Room for every precision of the small test models. */
    static final MachineMemory BIG = new MachineMemory(64_000_000_000L, 32_000_000_000L);
    @TempDir Path tmp;
    private Stage stage;
    private AppContext ctx;

    @Start
    void start(Stage stage) { this.stage = stage; }

    @AfterEach
    void close() throws Exception {
        if (ctx != null) WaitForAsyncUtils.asyncFx(ctx::close).get();
    }

    @Test
    void theDetailsShowTheEnginesEstimateForEachPrecisionAndTheKvCacheChangesTheState(FxRobot robot) throws Exception {
        Path mamba = copy(TestModels.mambaFolder(), "mamba");
        Path transformer = copy(TestModels.transformerFolder(), "transformer");
        show(EngineBinding.engine(), c -> scene(new LibraryView(c, () -> BIG)), mamba, transformer);

        ModelSpec spec = select(mamba);
        for (WeightFormat p : MemoryEstimate.CHOICES) {
            MemoryEstimate e = MemoryEstimate.of(spec, p, null, LoadChoices.DEFAULT_CONTEXT);
            assertThat(text("#weights-" + p.name())).isEqualTo(Sizes.bytes(e.weightBytes()));
            assertThat(text("#total-" + p.name())).isEqualTo(Sizes.bytes(e.totalBytes()));
            assertThat(text("#fit-" + p.name())).endsWith("fits");
        }
        assertThat(selected("#precision-BF16")).as("the largest that fits is the default").isTrue();
        assertThat(Fx.find(stage, "#precision-advice", Label.class)).isNull();
        assertThat(text("#precision-copy")).contains("as it is");

        ModelSpec nemo = select(transformer);
        @SuppressWarnings("unchecked")
        ComboBox<WeightFormat> kv = Fx.lookup(stage, "#kv-choice", ComboBox.class);
        assertThat(onFx(() -> kv.getValue())).isEqualTo(WeightFormat.F16);
        robot.interact(() -> kv.setValue(WeightFormat.F32));
        MemoryEstimate f32 = MemoryEstimate.of(nemo, WeightFormat.BF16, WeightFormat.F32, LoadChoices.DEFAULT_CONTEXT);
        assertThat(f32.stateBytes()).isGreaterThan(MemoryEstimate.of(nemo, WeightFormat.BF16, null, LoadChoices.DEFAULT_CONTEXT).stateBytes());
        assertThat(text("#total-BF16")).isEqualTo(Sizes.bytes(f32.totalBytes()));
        assertThat(text("#memory-estimate")).isEqualTo(f32.describe());

        select(mamba); // the choice is remembered per entry
        select(transformer);
        assertThat(text("#memory-estimate")).isEqualTo(f32.describe());
    }

    @Test
    void onASmallMachineAChoiceThatDoesNotFitSaysSoAndSuggestsOneThatDoes(FxRobot robot) throws Exception {
        Path mamba = copy(TestModels.mambaFolder(), "mamba");
        ModelSpec spec = ModelLoader.readSpec(mamba);
        MemoryEstimate q8 = MemoryEstimate.of(spec, WeightFormat.Q8_0, null, LoadChoices.DEFAULT_CONTEXT);
        MachineMemory small = new MachineMemory(4_000_000_000L, q8.totalBytes() + MemoryEstimate.HEADROOM); // Q8_0 just fits
        show(EngineBinding.engine(), c -> scene(new LibraryView(c, () -> small)), mamba);

        select(mamba);
        assertThat(text("#fit-BF16")).endsWith("does not fit in " + Sizes.bytes(small.availableBytes()) + " available");
        assertThat(text("#fit-Q8_0")).endsWith("fits");
        assertThat(selected("#precision-Q8_0")).as("the largest that fits is the default").isTrue();

        robot.clickOn(Fx.lookup(stage, "#precision-BF16", RadioButton.class));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(selected("#precision-BF16")).isTrue();
        String advice = MemoryEstimate.of(spec, WeightFormat.BF16, null, LoadChoices.DEFAULT_CONTEXT).advice(small);
        assertThat(advice).contains("choose Q8_0");
        assertThat(text("#precision-advice")).isEqualTo(advice);
    }

    @Test
    void loadingAtQ4_0ConvertsOnceIntoTheCacheBesideTheFolderAndTheBadgeShowsIt(FxRobot robot) throws Exception {
        Path mamba = copy(TestModels.mambaFolder(), "mamba");
        Path gguf = LoadChoice.copyOf(mamba, WeightFormat.Q4_0);
        if (System.getenv(QuantizedCopies.CACHE_ENV) == null) {
            assertThat(gguf.getParent()).isEqualTo(tmp.resolve(QuantizedCopies.CACHE_FOLDER));
        }
        show(EngineBinding.engine(), c -> App.createScene(c, false), mamba);

        select(mamba);
        robot.clickOn(Fx.lookup(stage, "#precision-Q4_0", RadioButton.class));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(text("#precision-copy")).startsWith("Will be converted once, about ").contains(gguf.getParent().toString());
        pressLoad();

        ModelHandle active = waitForActive();
        assertThat(active.choice().precision()).isEqualTo(WeightFormat.Q4_0);
        assertThat(gguf).isRegularFile();
        assertThat(text("#active-model-name")).isEqualTo("mamba");
        assertThat(text("#active-model-precision")).isEqualTo("Q4_0");
        assertThat(active.label()).isEqualTo("mamba \u00b7 Q4_0");

        robot.interact(() -> ctx.navigate(org.mambaplayground.gui.Page.LIBRARY));
        select(mamba);
        assertThat(text("#precision-copy")).isEqualTo("Converted copy ready: " + gguf);
        assertThat(Fx.find(stage, "#load-model", Button.class)).as("loaded at the chosen precision: no Load").isNull();
    }

    @Test
    void cancellingTheConversionStopsItAndDeletesItsPartFile(FxRobot robot) throws Exception {
        Path mamba = copy(TestModels.mambaFolder(), "mamba");
        Path gguf = LoadChoice.copyOf(mamba, WeightFormat.Q8_0);
        Path part = gguf.resolveSibling(gguf.getFileName() + ".part");
        CountDownLatch converting = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        ModelOpener engine = EngineBinding.engine().opener();
        // Holds the conversion after its first chunk is written, until the cancel interrupts it.
        ModelOpener held = (folder, choice, progress, cancel) -> engine.open(folder, choice, (stage, fraction) -> {
            progress.update(stage, fraction);
            if (stage.startsWith("Converting") && fraction > 0.03) {
                converting.countDown();
                try {
                    never.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, cancel);
        show(new EngineBinding(held, EngineBinding::readSpec), c -> App.createScene(c, false), mamba);

        select(mamba);
        robot.clickOn(Fx.lookup(stage, "#precision-Q8_0", RadioButton.class));
        pressLoad();
        assertThat(converting.await(30, TimeUnit.SECONDS)).isTrue();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "Converting to Q8_0 (once)".equals(text("#active-model-stage")));
        assertThat(part).isRegularFile();

        robot.clickOn(Fx.lookup(stage, "#cancel-load", Button.class));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> !Files.exists(part));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(() -> ctx.models().activationProperty().get() == null));
        assertThat(gguf).doesNotExist();
        assertThat(ctx.models().getActiveModel()).isNull();
        assertThat(Fx.lookup(stage, "#cancel-load", Button.class).isVisible()).isFalse();
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** A copy of a test model folder under the test's temp folder (its cache of converted copies goes beside it). */
    private Path copy(Path from, String name) throws IOException {
        Path to = Files.createDirectories(tmp.resolve(name));
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) Files.copy(f, to.resolve(f.getFileName()));
        }
        return to;
    }

    /** A context with these folders in its library, and the scene {@code view} makes of it on the stage. */
    private void show(EngineBinding engine, Function<AppContext, Scene> view, Path... folders) throws Exception {
        ctx = new AppContext(Settings.under(tmp.resolve("app")), engine);
        ctx.library().refresh().get(30, TimeUnit.SECONDS);
        for (Path folder : folders) ctx.library().addFolder(folder).get(30, TimeUnit.SECONDS);
        WaitForAsyncUtils.asyncFx(() -> {
            stage.setScene(view.apply(ctx));
            stage.show();
        }).get();
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** A view alone in a scene, themed as the app is. */
    private static Scene scene(Parent root) {
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        Scene scene = new Scene(root, 1260, 780);
        var css = App.class.getResource(App.STYLESHEET);
        if (css != null) scene.getStylesheets().add(css.toExternalForm());
        return scene;
    }

    /** Selects the library entry of {@code folder} once the library lists it; returns its spec. */
    private ModelSpec select(Path folder) throws Exception {
        @SuppressWarnings("unchecked")
        TableView<LibraryEntry> table = Fx.lookup(stage, "#library-table", TableView.class);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> onFx(() -> entry(table, folder) != null));
        LibraryEntry entry = onFx(() -> {
            LibraryEntry e = entry(table, folder);
            table.getSelectionModel().select(e);
            return e;
        });
        WaitForAsyncUtils.waitForFxEvents();
        return entry.spec();
    }

    private static LibraryEntry entry(TableView<LibraryEntry> table, Path folder) {
        return table.getItems().stream().filter(e -> folder.equals(e.folder())).findFirst().orElse(null);
    }

    /** Fires Load on the FX thread: a library update can rebuild the details between a lookup and a mouse click. */
    private void pressLoad() throws Exception {
        onFx(() -> {
            Button load = (Button) stage.getScene().lookup("#load-model");
            assertThat(load).isNotNull();
            load.fire();
            return null;
        });
    }

    private ModelHandle waitForActive() throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> onFx(() -> ctx.models().getActiveModel() != null
                && ctx.models().activationProperty().get() == null));
        WaitForAsyncUtils.waitForFxEvents();
        return ctx.models().getActiveModel();
    }

    private String text(String selector) { return Fx.lookup(stage, selector, Label.class).getText(); }

    private boolean selected(String selector) { return Fx.lookup(stage, selector, RadioButton.class).isSelected(); }

    private static <T> T onFx(java.util.concurrent.Callable<T> read) throws Exception {
        return WaitForAsyncUtils.asyncFx(read).get();
    }
}
