package org.mambaplayground.engine.model;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.mambaplayground.engine.tensor.Tensor;
import org.mambaplayground.engine.tensor.WeightSource;

/**
 * Seeded random F32 weights for every tensor a configuration lists, in memory, scaled so activations stay
 * O(1) through a few layers. Mamba2's per-head parameters get values in their trained ranges (A between 1
 * and 16, step sizes up to 0.5) so the state decays noticeably within a test sequence.
 */
public final class RandomWeights implements WeightSource {
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    public RandomWeights(List<TensorSpec> specs, long seed) {
        Random random = new Random(seed);
        for (TensorSpec spec : specs) {
            float[] values = new float[Math.toIntExact(spec.size())];
            long[] shape = spec.shape();
            String name = spec.name();
            for (int i = 0; i < values.length; i++) values[i] = value(name, shape, random);
            tensors.put(name, Tensor.ofFloats(name, values, shape));
        }
    }

    private static float value(String name, long[] shape, Random r) {
        if (name.endsWith("A_log")) return (float) Math.log(1 + 15 * r.nextDouble());
        if (name.endsWith("dt_bias")) {
            double dt = 0.01 + 0.5 * r.nextDouble();
            return (float) (dt + Math.log(-Math.expm1(-dt))); // inverse softplus
        }
        if (name.endsWith(".D")) return (float) (0.5 + r.nextDouble());
        if (name.endsWith("norm.weight") || name.endsWith("norm_f.weight")) return (float) (1 + 0.1 * r.nextGaussian());
        if (name.endsWith("conv1d.bias")) return (float) (0.1 * r.nextGaussian());
        if (name.endsWith("conv1d.weight")) return (float) (0.5 * r.nextGaussian());
        if (name.contains("embedding") || name.startsWith("tok_embeddings")) return (float) r.nextGaussian();
        double fanIn = shape[shape.length - 1];
        return (float) (r.nextGaussian() / Math.sqrt(fanIn));
    }

    @Override public Set<String> names() { return tensors.keySet(); }

    @Override
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new ModelFormatException(null, "missing tensor " + name);
        return t;
    }

    @Override public Path file() { return null; }

    @Override public void close() {}
}
