package org.mambaplayground.assets;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CatalogTest {
    @Test
    void bundledCatalogListsTheRealModelsWithTheirFiles() {
        Catalog catalog = Catalog.bundled();
        assertThat(catalog.models()).extracting(CatalogModel::repo).containsExactly(
                "mistralai/Mamba-Codestral-7B-v0.1", "mistralai/Mistral-Nemo-Instruct-2407", "mistralai/Mistral-Nemo-Base-2407",
                "mistralai/Mistral-7B-Instruct-v0.3", "mistralai/Mistral-7B-Instruct-v0.1", "mistralai/Mixtral-8x7B-Instruct-v0.1");

        CatalogModel mamba = catalog.byId("codestral-mamba-7b").orElseThrow();
        assertThat(mamba.architecture()).isEqualTo("MAMBA2");
        assertThat(mamba.gated()).isFalse();
        assertThat(mamba.fileNames()).containsExactly("params.json", "consolidated.safetensors", "tokenizer.model.v3");
        assertThat(mamba.params().get("n_layers").asInt()).isEqualTo(64);
        assertThat(mamba.params().get("n_groups").asInt()).isEqualTo(8);

        CatalogModel nemo = catalog.byRepo("mistralai/mistral-nemo-instruct-2407").orElseThrow();
        assertThat(nemo.gated()).isTrue();
        assertThat(nemo.fileNames()).contains("tekken.json");
        assertThat(nemo.params().get("n_kv_heads").asInt()).isEqualTo(8);
        assertThat(nemo.pageUrl()).isEqualTo("https://huggingface.co/mistralai/Mistral-Nemo-Instruct-2407");
        // 12B parameters in BF16 are about 24.5 GB
        assertThat(nemo.approxBytes()).isBetween(24_000_000_000L, 25_000_000_000L);
    }

    @org.junit.jupiter.api.Test
    void bothModelsNameAGgufRepositoryWithFilesOfTypesTheEngineRuns() {
        Catalog catalog = Catalog.bundled();
        for (String id : java.util.List.of("codestral-mamba-7b", "mistral-nemo-12b-instruct")) {
            CatalogModel m = catalog.byId(id).orElseThrow();
            org.assertj.core.api.Assertions.assertThat(m.gguf()).as(id).isNotEmpty();
            for (CatalogModel.GgufSource g : m.gguf()) {
                org.assertj.core.api.Assertions.assertThat(g.repo()).matches("[\\w.-]+/[\\w.-]+-GGUF");
                org.assertj.core.api.Assertions.assertThat(g.checked()).isNotBlank();
                org.assertj.core.api.Assertions.assertThat(g.files()).allSatisfy(f -> org.assertj.core.api.Assertions.assertThat(f.name())
                        .matches(".*-(Q8_0|Q6_K|Q5_K_M|Q4_K_M|Q4_0)\\.gguf"));
            }
        }
        org.assertj.core.api.Assertions.assertThat(catalog.byId("mistral-nemo-12b-base").orElseThrow().gguf()).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void mistral7BAndMixtralSayWhatWasConfirmed() {
        Catalog catalog = Catalog.bundled();
        CatalogModel v01 = catalog.byId("mistral-7b-instruct-v0.1").orElseThrow();
        assertThat(v01.params().get("sliding_window").asInt()).isEqualTo(4096);
        assertThat(v01.gguf()).extracting(CatalogModel.GgufSource::repo).containsExactly("TheBloke/Mistral-7B-Instruct-v0.1-GGUF");
        CatalogModel v03 = catalog.byId("mistral-7b-instruct-v0.3").orElseThrow();
        assertThat(v03.params().has("sliding_window")).isFalse();
        assertThat(v03.params().get("vocab_size").asInt()).isEqualTo(32768);
        assertThat(v03.fileNames()).containsExactly("params.json", "consolidated.safetensors", "tokenizer.model.v3");
        CatalogModel mixtral = catalog.byId("mixtral-8x7b-instruct-v0.1").orElseThrow();
        assertThat(mixtral.params().get("moe").get("num_experts").asInt()).isEqualTo(8);
        assertThat(mixtral.params().get("moe").get("num_experts_per_tok").asInt()).isEqualTo(2);
        assertThat(mixtral.approxBytes()).isBetween(93_000_000_000L, 94_000_000_000L);
        for (CatalogModel m : java.util.List.of(v01, v03, mixtral)) {
            assertThat(m.checked()).as(m.id()).isNotBlank();
            assertThat(m.gated()).as(m.id()).isTrue();
        }
    }

    @org.junit.jupiter.api.Test
    void theGgufRepositoriesAreOfferedForDownloadAfterTheirModel() {
        Catalog catalog = Catalog.bundled();
        java.util.List<String> ids = catalog.downloadable().stream().map(CatalogModel::id).toList();
        org.assertj.core.api.Assertions.assertThat(ids).containsExactly("codestral-mamba-7b",
                "codestral-mamba-7b:gabriellarson/Mamba-Codestral-7B-v0.1-GGUF", "mistral-nemo-12b-instruct",
                "mistral-nemo-12b-instruct:bartowski/Mistral-Nemo-Instruct-2407-GGUF", "mistral-nemo-12b-base",
                "mistral-7b-instruct-v0.3", "mistral-7b-instruct-v0.1", "mistral-7b-instruct-v0.1:TheBloke/Mistral-7B-Instruct-v0.1-GGUF",
                "mixtral-8x7b-instruct-v0.1", "mixtral-8x7b-instruct-v0.1:TheBloke/Mixtral-8x7B-Instruct-v0.1-GGUF");
        CatalogModel gguf = catalog.byId("mistral-nemo-12b-instruct:bartowski/Mistral-Nemo-Instruct-2407-GGUF").orElseThrow();
        org.assertj.core.api.Assertions.assertThat(gguf.repo()).isEqualTo("bartowski/Mistral-Nemo-Instruct-2407-GGUF");
        org.assertj.core.api.Assertions.assertThat(gguf.folder()).isEqualTo("Mistral-Nemo-Instruct-2407-GGUF");
        org.assertj.core.api.Assertions.assertThat(gguf.name()).isEqualTo("Mistral Nemo 12B Instruct GGUF (bartowski)");
        org.assertj.core.api.Assertions.assertThat(gguf.ggufRepository()).isTrue();
        org.assertj.core.api.Assertions.assertThat(gguf.gated()).isFalse();
        org.assertj.core.api.Assertions.assertThat(catalog.byId("mistral-nemo-12b-instruct").orElseThrow().ggufRepository()).isFalse();
        org.assertj.core.api.Assertions.assertThat(catalog.models()).as("the library's catalog rows stay the six models").hasSize(6);
        org.assertj.core.api.Assertions.assertThat(catalog.byRepo("bartowski/Mistral-Nemo-Instruct-2407-GGUF"))
                .as("the command line lists a GGUF repository's files; it is no catalog model to it").isEmpty();
    }
}
