package org.mambaplayground.gui.metrics;

import java.util.List;
import org.mambaplayground.engine.mamba2.Mamba2Config;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.transformer.TransformerConfig;

/** The real models' configurations, whose analytic curves sit beside the measured points. */
public final class ReferenceModels {
    public record Reference(String name, ModelSpec spec, String color) {}

    private ReferenceModels() {}

    public static List<Reference> all() {
        return List.of(
                new Reference("Codestral Mamba 7B", Mamba2Config.codestralMamba7B(), "#0f9d8f"),
                new Reference("Mistral Nemo 12B", TransformerConfig.mistralNemo12B(), "#e8590c"),
                // v0.1's rolling buffer: flat after its 4,096-token window
                new Reference("Mistral 7B v0.1", TransformerConfig.mistral7B(), "#9c36b5"),
                new Reference("Mixtral 8x7B", TransformerConfig.mixtral8x7B(), "#495057"));
    }
}
