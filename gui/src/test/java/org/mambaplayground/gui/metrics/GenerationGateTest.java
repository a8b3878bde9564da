package org.mambaplayground.gui.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.mambaplayground.engine.generate.CancellationToken;

class GenerationGateTest {
    @Test
    void aSecondGenerationWaitsUntilTheFirstIsDone() throws Exception {
        GenerationGate gate = new GenerationGate();
        GenerationGate.Pass first = gate.enter(new CancellationToken(), () -> { throw new AssertionError("no wait"); });
        assertThat(gate.busy()).isTrue();
        AtomicBoolean waited = new AtomicBoolean();
        CountDownLatch entered = new CountDownLatch(1);
        Thread second = new Thread(() -> {
            try (GenerationGate.Pass pass = gate.enter(new CancellationToken(), () -> waited.set(true))) {
                assertThat(pass).isNotNull();
                entered.countDown();
            }
        });
        second.start();
        assertThat(entered.await(200, TimeUnit.MILLISECONDS)).isFalse(); // still held by the first
        assertThat(waited).isTrue();
        first.close();
        first.close(); // closing twice releases once
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        second.join();
        assertThat(gate.busy()).isFalse();
    }

    @Test
    void cancellingAWaitingGenerationGivesUp() throws Exception {
        GenerationGate gate = new GenerationGate();
        GenerationGate.Pass held = gate.enter(new CancellationToken(), () -> {});
        CancellationToken cancel = new CancellationToken();
        GenerationGate.Pass[] result = {held};
        Thread waiter = new Thread(() -> result[0] = gate.enter(cancel, cancel::cancel)); // cancels as soon as it waits
        waiter.start();
        waiter.join(5000);
        assertThat(waiter.isAlive()).isFalse();
        assertThat(result[0]).isNull();
        held.close();
        assertThat(gate.busy()).isFalse();
    }
}
