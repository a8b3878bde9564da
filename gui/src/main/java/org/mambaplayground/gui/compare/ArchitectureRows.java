package org.mambaplayground.gui.compare;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SequencedMap;
import java.util.Set;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.model.Sizes;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * The rows of the architecture table: every row of the specs' own {@code describe()} (in order of first
 * appearance), then the state size each spec computes at 1k, 32k and 128k tokens. A model without a
 * row shows a dash.
 */
public final class ArchitectureRows {
    public static final long[] CONTEXTS = {1_000, 32_000, 128_000};

    /** One row: the property and one value per model, in the columns' order. */
    public record Row(String property, List<String> values) {}

    private ArchitectureRows() {}

    public static List<Row> of(List<ModelSpec> specs) {
        Set<String> keys = new LinkedHashSet<>();
        List<SequencedMap<String, String>> described = new ArrayList<>();
        for (ModelSpec spec : specs) {
            SequencedMap<String, String> rows = spec == null ? new java.util.LinkedHashMap<>() : spec.describe();
            described.add(rows);
            keys.addAll(rows.keySet());
        }
        List<Row> out = new ArrayList<>();
        for (String key : keys) {
            List<String> values = new ArrayList<>();
            for (SequencedMap<String, String> rows : described) values.add(rows.getOrDefault(key, "\u2014"));
            out.add(new Row(key, values));
        }
        // What one token costs: a mixture of experts uses and reads only its chosen experts (the engine's figures).
        out.add(new Row("Parameters used per token", perSpec(specs, s -> Sizes.count(s.parametersPerToken()))));
        out.add(new Row("Weight bytes read per token (BF16)", perSpec(specs, s -> Sizes.bytes(s.weightBytesPerToken(WeightFormat.BF16)))));
        for (long tokens : CONTEXTS) {
            List<String> values = new ArrayList<>();
            for (ModelSpec spec : specs) values.add(spec == null ? "\u2014" : stateAt(spec, tokens));
            out.add(new Row("State at " + (tokens / 1000) + "k tokens", values));
        }
        return out;
    }

    private static List<String> perSpec(List<ModelSpec> specs, java.util.function.Function<ModelSpec, String> value) {
        List<String> values = new ArrayList<>();
        for (ModelSpec spec : specs) values.add(spec == null ? "\u2014" : value.apply(spec));
        return values;
    }

    private static String stateAt(ModelSpec spec, long tokens) {
        String size = Sizes.bytes(spec.stateBytesAt(tokens));
        return spec.maxContext() > 0 && tokens > spec.maxContext() ? size + " (beyond its " + spec.maxContext() + "-token context)" : size;
    }
}
