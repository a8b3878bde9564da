package org.mambaplayground.gui.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.concurrent.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.model.InferenceState;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.model.Model;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.gui.testing.TestModels;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Loading and cancelling with real model folders and the engine's loader. The opener waits on a latch so
 * the test can cancel at a chosen moment; the model is wrapped only to count its close() calls.
 */
@ExtendWith(ApplicationExtension.class)
class ModelManagerTest {
    @TempDir static Path home;
    static Path folder;
    final ExecutorService executor = Executors.newCachedThreadPool();
    final AtomicInteger closes = new AtomicInteger();
    final java.util.concurrent.atomic.AtomicReference<Boolean> closedOnFxThread = new java.util.concurrent.atomic.AtomicReference<>();
    final CountDownLatch proceed = new CountDownLatch(1);

    @BeforeAll
    static void writeModel() {
        folder = TestModels.transformerFolder();
    }

    @AfterEach
    void shutdown() { executor.shutdownNow(); }

    /**
     * The engine's loader, held back until the test lets it go. It finishes even when the task's cancel
     * interrupts it: the race in which the weights are open by the time the cancel is seen.
     */
    ModelOpener gatedOpener() {
        return (f, choice, progress, cancel) -> {
            progress.update("waiting for the test", -1);
            boolean waited = false;
            while (!waited) {
                try {
                    waited = proceed.await(10, TimeUnit.SECONDS) || true;
                } catch (InterruptedException cancelInterrupts) {
                    // keep waiting; the flag is cleared so the file channel can open
                }
            }
            LoadedModel real = ModelLoader.load(f);
            return new LoadedModel(real.folder(), real.name(), new CountingClose(real.model()), real.tokenizer(), real.chatFormat());
        };
    }

    @Test
    void cancellingWhileTheOpenerRunsClosesWhatItOpened() throws Exception {
        ModelManager manager = new ModelManager(gatedOpener(), executor);
        LoadTask task = WaitForAsyncUtils.asyncFx(() -> manager.activate(folder)).get();
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> onFx(task::isRunning));
        WaitForAsyncUtils.asyncFx(() -> { task.cancel(); }).get();
        proceed.countDown();

        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> closes.get() == 1);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(onFx(task::getState)).isEqualTo(Worker.State.CANCELLED);
        assertThat(manager.getActiveModel()).isNull();
        assertThat(manager.openCount()).isZero();
        assertThat(onFx(() -> List.copyOf(manager.openModels()))).as("the sidebar's list").isEmpty();
        assertThat(manager.activationProperty().get()).isNull();
    }

    @Test
    void theLastReleaseClosesTheWeightsOnce() throws Exception {
        proceed.countDown();
        ModelManager manager = new ModelManager(gatedOpener(), executor);
        LoadTask first = WaitForAsyncUtils.asyncFx(() -> manager.activate(folder)).get();
        ModelHandle active = first.get(10, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(manager.getActiveModel()).isSameAs(active);

        ModelHandle second = manager.load(folder).get(10, TimeUnit.SECONDS); // shared, not mapped twice
        assertThat(second).isSameAs(active);
        assertThat(active.references()).isEqualTo(2);

        WaitForAsyncUtils.asyncFx(manager::unloadActive).get();
        assertThat(closes.get()).isZero();
        WaitForAsyncUtils.asyncFx(second::release).get();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> closes.get() == 1);
        assertThat(active.isClosed()).isTrue();
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(manager.openModels()).isEmpty();
    }

    /** Unloading and switching happen on the FX thread; the unmapping (seconds for a 15-25 GB model) must not. */
    @Test
    void unmappingRunsOffTheFxThread() throws Exception {
        proceed.countDown();
        ModelManager manager = new ModelManager(gatedOpener(), executor);
        WaitForAsyncUtils.asyncFx(() -> manager.activate(folder)).get().get(10, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.asyncFx(manager::unloadActive).get();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> closes.get() == 1);
        assertThat(closedOnFxThread.get()).as("closed on the FX thread").isFalse();
    }

    /**
     * A model released while the same folder is being opened again: the new handle stays in the map and the closed
     * one leaves the displayed list (the sidebar's count), whichever finishes first. The close is held back at
     * the closer (the manager's executor) until the second load has put its handle, the interleaving that lost
     * the closed handle's removal.
     */
    @Test
    void aReleaseRacingANewLoadOfTheSameFolderLeavesTheCountTrue() throws Exception {
        proceed.countDown();
        CountDownLatch reloaded = new CountDownLatch(1);
        java.util.concurrent.Executor closerWaitsForTheReload = r -> {
            if (!(r instanceof LoadTask)) {
                try {
                    reloaded.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            executor.execute(r);
        };
        ModelManager manager = new ModelManager(gatedOpener(), closerWaitsForTheReload);
        ModelHandle first = manager.load(folder).get(10, TimeUnit.SECONDS);
        var releasing = executor.submit(first::release); // waits at the closer, after its last reference went
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, first::isClosed);

        ModelHandle second = manager.load(folder).get(10, TimeUnit.SECONDS);
        assertThat(second).isNotSameAs(first);
        reloaded.countDown();
        releasing.get(10, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(manager.openCount()).isEqualTo(1);
        assertThat(onFx(() -> List.copyOf(manager.openModels()))).containsExactly(second);
        ModelHandle third = manager.load(folder).get(10, TimeUnit.SECONDS);
        assertThat(third).as("the open one is shared").isSameAs(second);
    }

    /** A listener on the displayed list (the sidebar's count, the Library's "in memory") keeps hearing after a GC. */
    @Test
    void aListenerOnTheOpenModelsOutlivesAGarbageCollection() throws Exception {
        proceed.countDown();
        ModelManager manager = new ModelManager(gatedOpener(), executor);
        AtomicInteger changes = new AtomicInteger();
        manager.openModels().addListener((javafx.collections.ListChangeListener<ModelHandle>) c -> changes.incrementAndGet());
        for (int i = 0; i < 3; i++) System.gc();

        ModelHandle handle = manager.load(folder).get(10, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(changes.get()).as("told of the load").isEqualTo(1);
        WaitForAsyncUtils.asyncFx(handle::release).get();
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(changes.get()).as("told of the release").isEqualTo(2);
    }

    @Test
    void aBrokenFolderFailsWithTheEnginesMessage() throws Exception {
        proceed.countDown();
        ModelManager manager = new ModelManager(EngineBinding.engine().opener(), executor);
        Path empty = java.nio.file.Files.createDirectories(home.resolve("empty"));
        LoadTask task = WaitForAsyncUtils.asyncFx(() -> manager.activate(empty)).get();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(task::getState) == Worker.State.FAILED);
        assertThat(onFx(task::getException)).hasMessageContaining("params.json");
        assertThat(manager.getActiveModel()).isNull();
    }

    static <T> T onFx(java.util.concurrent.Callable<T> read) throws Exception {
        return WaitForAsyncUtils.asyncFx(read).get();
    }

    /** Delegates to a real model, counting close(). */
    final class CountingClose implements Model {
        private final Model model;

        CountingClose(Model model) { this.model = model; }

        @Override public ModelSpec spec() { return model.spec(); }
        @Override public InferenceState newState() { return model.newState(); }
        @Override public float[] prefill(InferenceState state, int[] tokens) { return model.prefill(state, tokens); }
        @Override public float[] decode(InferenceState state, int token) { return model.decode(state, token); }
        @Override public void close() {
            closedOnFxThread.set(javafx.application.Platform.isFxApplicationThread());
            closes.incrementAndGet();
            model.close();
        }
    }
}
