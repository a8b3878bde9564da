package org.mambaplayground.gui.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mambaplayground.engine.generate.FinishReason;
import org.mambaplayground.backend.ReplyStats;
import org.mambaplayground.engine.generate.GenerationStats;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** A flood of tokens from another thread arrives on the FX thread complete, in order, and in few batches. */
@ExtendWith(ApplicationExtension.class)
class StreamBatcherTest {
    @Start
    void start(Stage stage) {
        stage.show();
    }

    @Test
    void batchesAFastStreamWithoutLosingOrReorderingText() throws Exception {
        StringBuilder received = new StringBuilder();
        List<int[]> prefill = new ArrayList<>();
        int[] batches = {0};
        boolean[] offFxThread = {false};
        CountDownLatch finished = new CountDownLatch(1);
        StreamBatcher batcher = new StreamBatcher(new StreamBatcher.Sink() {
            @Override public void prefill(int done, int total) {
                offFxThread[0] |= !Platform.isFxApplicationThread();
                prefill.add(new int[] {done, total});
            }

            @Override public void text(String appended) {
                offFxThread[0] |= !Platform.isFxApplicationThread();
                batches[0]++;
                received.append(appended);
            }

            @Override public void finished(ReplyStats stats) {
                assertThat(received.toString()).hasSize(5 * 3000); // the finish comes after all the text
                finished.countDown();
            }
        });
        StringBuilder sent = new StringBuilder();
        Thread producer = new Thread(() -> {
            batcher.onPrefill(0, 100);
            batcher.onPrefill(50, 100);
            batcher.onPrefill(100, 100);
            for (int i = 0; i < 3000; i++) {
                String piece = String.format("%05d", i);
                sent.append(piece);
                batcher.onText(piece, 1);
            }
            batcher.onFinished(ReplyStats.of(new GenerationStats(100, 3000, 1, 1, 0.01, 0, 3100, FinishReason.LENGTH)));
        });
        producer.start();
        assertThat(finished.await(20, TimeUnit.SECONDS)).isTrue();
        producer.join();
        assertThat(received.toString()).isEqualTo(sent.toString());
        assertThat(offFxThread[0]).isFalse();
        assertThat(batches[0]).isLessThan(300); // 3000 tokens, far fewer UI updates
        assertThat(prefill).isNotEmpty();
        assertThat(prefill.getLast()).containsExactly(100, 100);
    }

    @Test
    void aFlushHandsOverTheTextThatCameWithinTheIntervalWhenNoFinishComes() throws Exception {
        StringBuilder received = new StringBuilder();
        CountDownLatch firstShown = new CountDownLatch(1);
        StreamBatcher batcher = new StreamBatcher(new StreamBatcher.Sink() {
            @Override public void prefill(int done, int total) {}
            @Override public void text(String appended) {
                received.append(appended);
                firstShown.countDown();
            }
            @Override public void finished(ReplyStats stats) {}
        });
        batcher.onText("Half", 1); // the first piece is shown at once
        assertThat(firstShown.await(5, TimeUnit.SECONDS)).isTrue();
        batcher.onText(" an answer", 1); // right after: within the interval, kept for the next hand-over
        batcher.flush(); // the stream failed: no finish event will come
        org.testfx.util.WaitForAsyncUtils.waitForFxEvents();
        assertThat(received.toString()).isEqualTo("Half an answer");
    }
}
