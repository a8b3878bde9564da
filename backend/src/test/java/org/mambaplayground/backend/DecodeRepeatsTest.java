package org.mambaplayground.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.GenerationResult;
import org.mambaplayground.engine.generate.Generator;
import org.mambaplayground.engine.load.LoadedModel;


/** A sweep point's repeated decodes, on the real small models of both kinds of state (a copy, a rewind). */
class DecodeRepeatsTest {
    private static LoadedModel open(String kind) {
        return DemoModelFolders.open(kind);
    }

    private static int[] prompt(LoadedModel model, int length) {
        int[] prompt = new int[length];
        prompt[0] = model.tokenizer().bos();
        for (int i = 1; i < length; i++) prompt[i] = 100 + 37 * i % 900;
        return prompt;
    }

    @ParameterizedTest
    @ValueSource(strings = {"mamba2", "transformer"})
    void prefillsOnceDecodesTheSameAnswerThreeTimesAndKeepsTheMedian(String kind) {
        try (LoadedModel model = open(kind)) {
            List<Integer> progress = new ArrayList<>();
            DecodeRepeats.Measured measured = DecodeRepeats.measure(new Generator(model.model(), model.tokenizer()),
                    prompt(model, 12), 3, 6, new CancellationToken(), null, progress::add);

            assertThat(progress).containsExactly(1, 2, 3);
            List<GenerationResult> repeats = measured.repeats();
            assertThat(repeats).hasSize(3);
            // each repeat starts from the state the prompt left: the same greedy answer, no second prefill
            assertThat(repeats).allSatisfy(r -> {
                assertThat(r.tokens()).containsExactly(repeats.getFirst().tokens());
                assertThat(r.stats().generatedTokens()).isEqualTo(6);
                assertThat(r.stats().contextTokens()).isEqualTo(12 + 5);
                assertThat(r.stats().millisPerToken()).isPositive();
            });
            assertThat(repeats.get(0).stats().promptTokens()).isEqualTo(12);
            assertThat(repeats.get(1).stats().promptTokens()).isZero();
            assertThat(measured.stats().millisPerToken()).isEqualTo(Median.of(measured.millisPerToken()));
            assertThat(measured.stats().prefillMillis()).isEqualTo(repeats.getFirst().stats().prefillMillis());
            assertThat(measured.stats().promptTokens()).isEqualTo(12);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mamba2", "transformer"})
    void aCancelAfterTheFirstRepeatKeepsWhatWasMeasured(String kind) {
        try (LoadedModel model = open(kind)) {
            CancellationToken cancel = new CancellationToken();
            DecodeRepeats.Measured measured = DecodeRepeats.measure(new Generator(model.model(), model.tokenizer()),
                    prompt(model, 8), 3, 4, cancel, null, done -> cancel.cancel());
            assertThat(measured.repeats()).hasSize(1);
            assertThat(measured.stats().millisPerToken()).isEqualTo(measured.repeats().getFirst().stats().millisPerToken());
        }
    }
}
