package org.mambaplayground.gui.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mambaplayground.backend.BackendException;
import org.mambaplayground.backend.LocalBackend;
import org.mambaplayground.backend.MeasuredAt;
import org.mambaplayground.backend.ReplyStats;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.gui.chat.StreamBatcher;
import org.mambaplayground.gui.metrics.GenerationGate;
import org.mambaplayground.gui.metrics.MetricPoint;
import org.mambaplayground.gui.metrics.MetricsStore;
import org.mambaplayground.gui.testing.TestModels;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The one runner of the app's generations, on a real small model: hold, gate, stream, record. */
@ExtendWith(ApplicationExtension.class)
class GenerationRunnerTest {
    private final MetricsStore store = new MetricsStore();
    private final GenerationGate gate = new GenerationGate();
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicInteger released = new AtomicInteger();
    private final GenerationRunner runner = new GenerationRunner(Executors.newSingleThreadExecutor(), gate, store, b -> {
        held.incrementAndGet();
        return released::incrementAndGet;
    });

    @Start
    void start(Stage stage) { stage.show(); }

    private static StreamBatcher.Sink sink(StringBuilder text) {
        return new StreamBatcher.Sink() {
            @Override public void prefill(int done, int total) {}
            @Override public void text(String appended) { text.append(appended); }
            @Override public void finished(ReplyStats stats) {}
        };
    }

    @Test
    void holdsTheModelForTheRunStreamsOntoTheFxThreadAndRecordsWhereItWasMeasured() throws Exception {
        try (LoadedModel model = TestModels.open(TestModels.mambaFolder())) {
            LocalBackend backend = new LocalBackend(model);
            StringBuilder shown = new StringBuilder();
            CompletableFuture<GenerationRunner.Outcome> done = new CompletableFuture<>();
            WaitForAsyncUtils.asyncFx(() -> runner.start(backend, "chat", new CancellationToken(), () -> {}, sink(shown),
                    listener -> backend.open(false).send("def f():", SamplingOptions.greedy(6), new CancellationToken(), listener),
                    done::complete)).get();
            GenerationRunner.Outcome outcome = done.get(60, TimeUnit.SECONDS);
            WaitForAsyncUtils.waitForFxEvents();

            assertThat(outcome.failure()).isNull();
            assertThat(shown.toString()).isEqualTo(outcome.reply().text());
            assertThat(held.get()).isEqualTo(1);
            assertThat(released.get()).isEqualTo(1);
            assertThat(store.points()).singleElement().satisfies(p -> {
                assertThat(p.source()).isEqualTo("chat");
                assertThat(p.measuredAt()).isEqualTo(MeasuredAt.ENGINE);
                assertThat(p.generatedTokens()).isEqualTo(outcome.reply().stats().completionTokens());
                assertThat(p.stateBytes()).isPositive();
            });
            assertThat(store.specs()).containsKey(backend.name());
        }
    }

    @Test
    void aBackendFailureIsAOneLineOutcomeAndRecordsNothing() {
        GenerationRunner.Outcome outcome = runner.run(null, "compare", new CancellationToken(), () -> {}, sink(new StringBuilder()),
                listener -> { throw new BackendException(BackendException.Kind.UNAUTHORIZED, "http://127.0.0.1:9/v1 refused the API key (401)"); });
        assertThat(outcome.failure()).isEqualTo("Generation failed: http://127.0.0.1:9/v1 refused the API key (401)");
        assertThat(outcome.answered()).isFalse();
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(store.points()).isEmpty();
    }

    @Test
    void aRunStoppedWhileAnotherHoldsTheGateNeverStarts() {
        GenerationGate.Pass other = gate.enter(new CancellationToken(), () -> {});
        CancellationToken cancel = new CancellationToken();
        boolean[] waited = {false};
        boolean[] ran = {false};
        GenerationRunner.Outcome outcome = runner.run(null, "chat", cancel, () -> {
            waited[0] = true;
            cancel.cancel();
        }, sink(new StringBuilder()), listener -> {
            ran[0] = true;
            return null;
        });
        other.close();
        assertThat(waited[0]).isTrue();
        assertThat(ran[0]).isFalse();
        assertThat(outcome.failure()).isEqualTo("Stopped before it started.");
    }
}
