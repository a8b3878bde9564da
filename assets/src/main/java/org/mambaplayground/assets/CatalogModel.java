package org.mambaplayground.assets;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A known model on the Hugging Face hub.
 *
 * @param folder  folder name under the model store: the repository's name, as HubClient.defaultDir has it
 * @param gated   the repository requires accepting its terms and an access token
 * @param instruct the model is tuned to follow the [INST] chat format (a base model only completes text)
 * @param params  the repository's params.json, so the memory estimate works before downloading
 * @param gguf    repositories of llama.cpp GGUF files of the same model (a starting point: the wizard and the
 *                CLI read the repository's real listing)
 * @param checked what of the files and params was confirmed, and where from (null for the entries that predate it)
 */
public record CatalogModel(
        String id,
        String name,
        String repo,
        String revision,
        String folder,
        String architecture,
        boolean gated,
        boolean instruct,
        String license,
        String description,
        List<CatalogFile> files,
        JsonNode params,
        List<GgufSource> gguf,
        String checked) {

    public CatalogModel {
        files = List.copyOf(files);
        gguf = gguf == null ? List.of() : List.copyOf(gguf);
    }

    /** Sum of the files' approximate sizes (the hub listing gives exact ones). */
    public long approxBytes() {
        return files.stream().mapToLong(CatalogFile::approxBytes).sum();
    }

    /** The repository's page, where a gated model's terms are accepted. */
    public String pageUrl() {
        return "https://huggingface.co/" + repo;
    }

    public List<String> fileNames() {
        return files.stream().map(CatalogFile::name).toList();
    }

    /** Whether this is one of {@link #ggufModels()}: a repository of llama.cpp GGUF files. */
    public boolean ggufRepository() {
        return !files.isEmpty() && files.stream().allMatch(f -> f.name().toLowerCase(java.util.Locale.ROOT).endsWith(".gguf"));
    }

    /**
     * The model's GGUF repositories as models to download: id {@code ID:REPO}, folder the repository's name (as
     * the command line's {@code download REPO} names it), the listed files only a starting point (the wizard offers
     * the repository's real listing, one quantization at a time).
     */
    public List<CatalogModel> ggufModels() {
        return gguf.stream().map(g -> new CatalogModel(id + ":" + g.repo(), name + " GGUF (" + g.repo().substring(0, Math.max(0, g.repo().indexOf('/'))) + ")",
                g.repo(), "main", g.repo().substring(g.repo().indexOf('/') + 1), architecture, false, instruct, license,
                "llama.cpp GGUF files of " + name + ": one quantization, a third to a half of the original's size.",
                g.files(), params, List.of(), g.checked())).toList();
    }

    /** One file of a catalog model; approxBytes is for display before the hub is asked. */
    public record CatalogFile(String name, long approxBytes) {}

    /**
     * A GGUF repository of the model and some of its files.
     *
     * @param checked where the repository id and file names were confirmed (the hub itself cannot be asked here)
     */
    public record GgufSource(String repo, List<CatalogFile> files, String checked) {
        public GgufSource {
            files = List.copyOf(files);
        }
    }
}
