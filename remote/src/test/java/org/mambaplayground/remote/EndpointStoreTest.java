package org.mambaplayground.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Endpoints saved to and read from a real config folder. */
class EndpointStoreTest {
    @TempDir Path dir;

    @Test
    void savesReplacesAndRemovesEndpointsAndTheirKeys() throws Exception {
        EndpointStore store = new EndpointStore(dir);
        assertThat(store.list()).isEmpty();
        Endpoint vllm = new Endpoint("cluster", "gpu-box:8000", EndpointKind.VLLM, List.of("mistralai/Mamba-Codestral-7B-v0.1"), null);
        assertThat(vllm.baseUrl()).isEqualTo("http://gpu-box:8000/v1");
        store.save(vllm);
        store.save(new Endpoint("mistral", "https://api.mistral.ai/v1/", EndpointKind.MISTRAL, List.of(), "MISTRAL_API_KEY"));
        store.saveKey("cluster", "  token-1  ");
        assertThat(store.key(vllm).reveal()).isEqualTo("token-1");

        EndpointStore reread = new EndpointStore(dir);
        assertThat(reread.list()).extracting(Endpoint::name).containsExactly("cluster", "mistral");
        assertThat(reread.find("mistral").orElseThrow().baseUrl()).isEqualTo("https://api.mistral.ai/v1");
        assertThat(reread.find("mistral").orElseThrow().apiKeyEnv()).isEqualTo("MISTRAL_API_KEY");

        reread.save(vllm.withModels(List.of("a", "b")));
        assertThat(reread.list()).extracting(Endpoint::name).containsExactly("mistral", "cluster");
        assertThat(reread.find("cluster").orElseThrow().models()).containsExactly("a", "b");

        reread.remove("cluster");
        assertThat(reread.list()).extracting(Endpoint::name).containsExactly("mistral");
        assertThat(reread.key(vllm)).isNull();
        assertThat(Files.exists(reread.keyFile("cluster"))).isFalse();
    }

    @Test
    void anEnvironmentVariableNamedByTheEndpointHoldsItsKey() {
        EndpointStore store = new EndpointStore(dir);
        Endpoint fromEnv = new Endpoint("e", "http://h:1/v1", EndpointKind.OLLAMA, List.of(), "PATH");
        assertThat(store.key(fromEnv).reveal()).isEqualTo(System.getenv("PATH").strip());
        assertThat(store.key(fromEnv.withApiKeyEnv("MAMBA_NO_SUCH_VARIABLE_9"))).isNull();
        assertThatThrownBy(() -> fromEnv.withApiKeyEnv("not a name")).hasMessageContaining("'not a name' is not an environment variable name");
    }

    @Test
    void twoNamesNeverShareAKeyFile() {
        EndpointStore store = new EndpointStore(dir);
        assertThat(store.keyFile("a/b")).isNotEqualTo(store.keyFile("a_b"));
        assertThat(store.keyFile("../../etc/passwd").getParent()).isEqualTo(dir.resolve("keys"));
    }

    @Test
    void aBrokenFileIsNamedInOneLine() throws Exception {
        Files.writeString(dir.resolve(EndpointStore.FILE), "{\"endpoints\": [{\"name\": \"x\", \"baseUrl\": \"ftp://x\"}]}");
        assertThatThrownBy(() -> new EndpointStore(dir).list()).hasMessage(dir.resolve(EndpointStore.FILE)
                + ", endpoints[0]: 'ftp://x' is not an http:// or https:// URL");
        Files.writeString(dir.resolve(EndpointStore.FILE), "{\"endpoints\": [");
        assertThatThrownBy(() -> new EndpointStore(dir).list()).hasMessageStartingWith(dir.resolve(EndpointStore.FILE) + " is not valid JSON: ");
    }

    @Test
    void baseUrlsAreNormalizedOrRefused() {
        assertThat(Endpoint.normalizeBaseUrl("http://127.0.0.1:8000")).isEqualTo("http://127.0.0.1:8000/v1");
        assertThat(Endpoint.normalizeBaseUrl("http://127.0.0.1:8000/v1/")).isEqualTo("http://127.0.0.1:8000/v1");
        assertThat(Endpoint.normalizeBaseUrl("https://host/openai/v1")).isEqualTo("https://host/openai/v1");
        assertThatThrownBy(() -> Endpoint.normalizeBaseUrl("http://user:pw@host")).hasMessageContaining("user name or password");
        assertThatThrownBy(() -> Endpoint.normalizeBaseUrl("http://host/v1?key=1")).hasMessageContaining("query");
    }
}
