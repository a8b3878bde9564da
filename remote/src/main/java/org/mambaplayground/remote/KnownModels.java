package org.mambaplayground.remote;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.mambaplayground.assets.Catalog;
import org.mambaplayground.assets.CatalogModel;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.model.ModelSpec;

/**
 * Which catalog model a remote model id is, so a remote model gets its architecture (and the analytic state
 * memory curve drawn from it). Servers name models their own way: vLLM by the Hugging Face repository
 * ({@code mistralai/Mamba-Codestral-7B-v0.1}), Mistral's API by its own ids ({@code open-codestral-mamba}),
 * Ollama by a tag ({@code mistral-nemo:12b}), llama.cpp's server by the GGUF file it loaded.
 */
public final class KnownModels {
    /** Ids that name a catalog model without containing its repository or file names. */
    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("open-codestral-mamba", "codestral-mamba-7b"),
            Map.entry("codestral-mamba-2407", "codestral-mamba-7b"),
            Map.entry("codestral-mamba-latest", "codestral-mamba-7b"),
            Map.entry("codestral-mamba", "codestral-mamba-7b"),
            Map.entry("open-mistral-nemo", "mistral-nemo-12b-instruct"),
            Map.entry("open-mistral-nemo-2407", "mistral-nemo-12b-instruct"),
            Map.entry("mistral-nemo", "mistral-nemo-12b-instruct"));

    private final Catalog catalog;

    public KnownModels(Catalog catalog) { this.catalog = catalog; }

    public static KnownModels bundled() { return new KnownModels(Catalog.bundled()); }

    /** The catalog model {@code remoteId} names, if any. */
    public Optional<CatalogModel> match(String remoteId) {
        String id = remoteId.strip();
        String bare = id.contains(":") && !id.contains("/") ? id.substring(0, id.indexOf(':')) : id; // an Ollama tag
        String file = bare.substring(bare.lastIndexOf('/') + 1);
        String alias = ALIASES.get(bare.toLowerCase(Locale.ROOT));
        if (alias != null) return catalog.byId(alias);
        for (CatalogModel m : catalog.models()) {
            if (m.id().equalsIgnoreCase(bare) || m.repo().equalsIgnoreCase(bare) || m.folder().equalsIgnoreCase(file)) return Optional.of(m);
            boolean gguf = m.gguf().stream().anyMatch(g -> g.files().stream().anyMatch(f -> f.name().equalsIgnoreCase(file)))
                    || file.toLowerCase(Locale.ROOT).endsWith(".gguf") && file.toLowerCase(Locale.ROOT).startsWith(m.folder().toLowerCase(Locale.ROOT) + "-");
            if (gguf) return Optional.of(m);
        }
        return Optional.empty();
    }

    /** The matched model's architecture from its catalog params (the same params.json the repository ships). */
    public Optional<ModelSpec> spec(String remoteId) {
        return match(remoteId).map(m -> ModelLoader.readSpec(m.params(), Path.of("catalog.json#" + m.id())));
    }
}
