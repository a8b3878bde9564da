package org.mambaplayground.engine.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.model.Architecture;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.synthetic.SyntheticConfigs;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.engine.transformer.TransformerConfig;

/** The benchmark's arithmetic and plumbing; speeds are printed by the bench command, never asserted. */
class BenchmarkTest {
    @TempDir Path dir;

    @Test
    void decodeReadsEveryWeightOnceButOnlyOneEmbeddingRow() {
        TransformerConfig t = new TransformerConfig(64, 2, 16, 160, 4, 2, 1e-5, 1000, 1e4, 0, 0);
        assertThat(Benchmark.decodeBytesPerToken(t, WeightFormat.BF16)).isEqualTo(t.weightBytes(WeightFormat.BF16) - 999L * 64 * 2);
        Mamba2Config tied = new Mamba2Config(64, 2, 1000, 1, true, true, true, 1, true, 16, 4, 2, 16, 8);
        assertThat(Benchmark.decodeBytesPerToken(tied, WeightFormat.F32)).as("tied: the embedding is the output head").isEqualTo(tied.weightBytes(WeightFormat.F32));
    }

    @Test
    void prefillFlopsCountEveryLayerMatrixPerTokenAndTheHeadOnce() {
        TransformerConfig t = new TransformerConfig(64, 2, 16, 160, 4, 2, 1e-5, 1000, 1e4, 0, 0);
        // q 64x64, k and v 32x64, o 64x64, w1 and w3 160x64, w2 64x160: 43008 weights a layer.
        assertThat(Benchmark.prefillMatrixFlops(t, 10)).isEqualTo(2.0 * (10 * 2 * 43008 + 64 * 1000));
        Mamba2Config m = new Mamba2Config(64, 3, 1000, 1, true, true, true, 1, true, 16, 4, 2, 16, 8);
        // in_proj (2 * 128 + 2 * 16 + 8 heads) x 64 = 296 x 64, out_proj 64 x 128: 27136 weights a layer.
        assertThat(Benchmark.prefillMatrixFlops(m, 10)).isEqualTo(2.0 * (10 * 3 * 27136 + 64 * m.vocabularySize()));
        for (ModelSpec spec : List.<ModelSpec>of(t, m, TransformerConfig.mistralNemo12B(), Mamba2Config.codestralMamba7B())) {
            assertThat(Benchmark.prefillMatrixFlops(spec, 1) - Benchmark.prefillMatrixFlops(spec, 0)).as("%s", spec)
                    .isEqualTo(2.0 * layerMatrixWeights(spec));
        }
    }

    /** The layers' weight matrices as the checkpoint lists them (every rank-2 tensor but the embedding and head). */
    private static long layerMatrixWeights(ModelSpec spec) {
        return spec.tensorSpecs().stream().filter(s -> s.shape().length == 2)
                .filter(s -> !s.name().contains("embed") && !s.name().contains("lm_head") && !s.name().equals("output.weight"))
                .mapToLong(s -> s.size()).sum();
    }

    @Test
    void configsOfARequestedSizeComeClose() {
        for (Architecture a : Architecture.values()) {
            for (long size : new long[] {5_000_000L, 200_000_000L, 1_000_000_000L, 8_000_000_000L}) {
                ModelSpec spec = SyntheticConfigs.ofSize(a, size, 2);
                assertThat((double) spec.weightBytes(WeightFormat.BF16)).as("%s %d", a, size).isBetween(0.75 * size, 1.0 * size);
                assertThat(spec.layers()).isGreaterThanOrEqualTo(2);
            }
        }
        assertThat(SyntheticConfigs.parseSize("1GB")).isEqualTo(1_000_000_000L);
        assertThat(SyntheticConfigs.parseSize("1.5 GiB")).isEqualTo(3L << 29);
        assertThat(SyntheticConfigs.parseSize("200mb")).isEqualTo(200_000_000L);
        assertThatThrownBy(() -> SyntheticConfigs.parseSize("-3GB")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void runsEndToEndWithProgressAndStopsWhenCancelled() {
        Benchmark.Options o = new Benchmark.Options(Architecture.MAMBA2, 2_000_000, WeightFormat.BF16, dir.resolve("m"), 8, 3, 2, 16L << 20);
        List<String> log = new ArrayList<>();
        Benchmark.Result r = Benchmark.run(o, log::add, new CancellationToken());
        assertThat(r.prefillRuns()).hasSize(2);
        assertThat(r.decodeRuns()).hasSize(2).allMatch(s -> s > 0);
        assertThat(r.memoryPasses()).hasSize(6);
        assertThat(r.fmaPasses()).hasSize(6).allMatch(f -> f > 1e8);
        assertThat(r.prefillPeakFraction()).isCloseTo(Benchmark.prefillMatrixFlops(r.spec(), 8) / 8 * r.prefillMedian() / r.fmaMedian(),
                org.assertj.core.data.Offset.offset(1e-12));
        assertThat(r.decodeMedian()).isBetween(Math.min(r.decodeRuns().get(0), r.decodeRuns().get(1)), r.decodeBest());
        // The bandwidth is the median run's tokens/s times the bytes a token reads, over the median probe pass.
        assertThat(r.bandwidthFraction()).isCloseTo(r.decodeBytesPerToken() * r.decodeMedian() / r.memoryMedian(), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(r.summary()).contains("Prefill:", "Decode:", "median run", "of the median pass", "of the FMA peak");
        assertThat(log).anyMatch(l -> l.startsWith("Writing a")).anyMatch(l -> l.contains("run 2/2"));

        // The same checkpoint at Q8_0: converted once beside it, fewer bytes read per token.
        Benchmark.Options q = new Benchmark.Options(Architecture.MAMBA2, 2_000_000, WeightFormat.BF16, WeightFormat.Q8_0, dir.resolve("m"), 8, 3, 1, 16L << 20);
        List<String> qlog = new ArrayList<>();
        Benchmark.Result rq = Benchmark.run(q, qlog::add, new CancellationToken());
        assertThat(rq.format()).isEqualTo(WeightFormat.Q8_0);
        assertThat(rq.decodeBytesPerToken()).isLessThan(r.decodeBytesPerToken() * 65 / 100); // 8.5 of 16 bits, norms in F32
        assertThat(qlog).anyMatch(l -> l.startsWith("Reusing synthetic model")).anyMatch(l -> l.contains("Converting to Q8_0"));

        CancellationToken cancel = new CancellationToken();
        cancel.cancel();
        assertThatThrownBy(() -> Benchmark.run(o, l -> {}, cancel)).isInstanceOf(CancellationException.class);
    }

    /** A synthetic Mixtral: decode's bytes per token count only the experts the engine says it read. */
    @Test
    void aMixtureOfExpertsReadsOnlyTheChosenExperts() {
        org.mambaplayground.engine.transformer.MixtureOfExperts moe = new org.mambaplayground.engine.transformer.MixtureOfExperts(8, 2);
        TransformerConfig spec = SyntheticConfigs.transformerOfSize(4_000_000, 2, moe, 0);
        assertThat(spec.moe()).isEqualTo(moe);
        assertThat((double) spec.weightBytes(WeightFormat.BF16)).isBetween(0.75 * 4_000_000, 4_000_000.0);
        Benchmark.Options o = new Benchmark.Options(Architecture.TRANSFORMER, 4_000_000, WeightFormat.BF16, null, dir.resolve("moe"), 8, 4, 1,
                16L << 20, spec, null);
        Benchmark.Result r = Benchmark.run(o, l -> {}, new CancellationToken());
        assertThat(r.expertsReadPerToken()).isEqualTo(2.0 * spec.nLayers());
        long dense = spec.weightBytesPerToken(WeightFormat.BF16) - spec.expertsPerToken() * spec.expertBytes(WeightFormat.BF16);
        assertThat(r.decodeBytesPerToken()).isEqualTo(dense + 2L * spec.nLayers() * spec.expertBytes(WeightFormat.BF16))
                .isLessThan(r.weightBytes() / 2);
        assertThat(r.summary()).contains("expert weight sets read per decode token");
    }
}
