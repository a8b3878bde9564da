package org.mambaplayground.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API key goes to the endpoint's own host and nowhere else: a saved endpoint is used for a model list and a
 * streamed answer, then its server redirects to a second loopback server on another port. What both servers
 * received, every file the store wrote, every log record (all levels) and every message are searched for the key.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KeyLeakTest {
    static final String KEY = "sk-leakcheck-8f2a61c0d9";

    @TempDir Path config;

    @Test
    void theKeyIsOnlyInItsFileAndInTheAuthorizationHeaderToTheEndpointsHost() throws Exception {
        List<String> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override public void publish(LogRecord r) {
                StringBuilder text = new StringBuilder(String.valueOf(r.getMessage()));
                if (r.getParameters() != null) for (Object p : r.getParameters()) text.append(' ').append(p);
                if (r.getThrown() != null) text.append(' ').append(r.getThrown());
                logged.add(text.toString());
            }
            @Override public void flush() { }
            @Override public void close() { }
        };
        Logger root = Logger.getLogger("");
        Level level = root.getLevel();
        root.setLevel(Level.ALL);
        root.addHandler(capture);
        List<FakeMistralApi.Received> received = new CopyOnWriteArrayList<>();
        List<String> messages = new ArrayList<>();
        try (FakeMistralApi endpointHost = new FakeMistralApi(KEY, received, 1);
             FakeMistralApi otherHost = new FakeMistralApi("another-key", received, 1)) {
            EndpointStore store = new EndpointStore(config);
            store.save(new Endpoint("La Plateforme", endpointHost.baseUrl(), EndpointKind.MISTRAL, List.of("open-mistral-nemo"), null));
            store.saveKey("La Plateforme", KEY);
            Endpoint saved = store.find("La Plateforme").orElseThrow();
            messages.add(saved.toString());
            messages.add(store.key(saved).toString());

            try (RemoteClient client = store.client(saved)) {
                assertThat(client.models()).hasSize(2);
                ChatResult answer = client.chat(ChatRequest.chat("open-mistral-nemo", List.of(Message.user("hi")))).stream(p -> {});
                assertThat(answer.text()).isEqualTo("def add(a, b): return a + b");
                messages.add(answer.toString());

                endpointHost.redirectEverythingTo(otherHost.baseUrl());
                assertThatThrownBy(() -> client.chat(ChatRequest.chat("open-mistral-nemo", List.of(Message.user("hi")))).stream(p -> {}))
                        .isInstanceOfSatisfying(RemoteException.class, e -> {
                            // the other host saw no key at all, so it asks for one
                            assertThat(e.kind()).isEqualTo(RemoteException.Kind.UNAUTHORIZED);
                            assertThat(e.getMessage()).isEqualTo("La Plateforme (" + endpointHost.baseUrl() + ") redirected "
                                    + "POST /chat/completions to another host, http://127.0.0.1:" + otherHost.port() + ", which refused it "
                                    + "(401: Unauthorized); the API key is only sent to the endpoint's own host: make the new address "
                                    + "the base URL if you trust it");
                            messages.add(e.getMessage());
                        });
                assertThatThrownBy(client::models).isInstanceOf(RemoteException.class)
                        .satisfies(e -> messages.add(e.getMessage()));
            }

            List<FakeMistralApi.Received> atOther = received.stream().filter(r -> r.port() == otherHost.port()).toList();
            List<FakeMistralApi.Received> atEndpoint = received.stream().filter(r -> r.port() == endpointHost.port()).toList();
            assertThat(atOther).as("the redirects were followed").hasSize(2);
            assertThat(atEndpoint).hasSize(4);
            assertThat(atOther).allSatisfy(r -> assertThat(r.headers()).doesNotContainKey("authorization"));
            assertThat(atEndpoint).allSatisfy(r -> assertThat(r.headers()).containsEntry("authorization", "Bearer " + KEY));
            for (FakeMistralApi.Received r : received) {
                assertThat(r.path() + r.body()).doesNotContain(KEY);
                r.headers().forEach((name, value) -> {
                    if (!name.equals("authorization")) assertThat(value).as(name).doesNotContain(KEY);
                });
            }
        } finally {
            root.removeHandler(capture);
            root.setLevel(level);
        }

        Path keyFile = new EndpointStore(config).keyFile("La Plateforme");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(config)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertThat(files).containsExactlyInAnyOrder(config.resolve(EndpointStore.FILE), keyFile);
        for (Path file : files) {
            if (file.equals(keyFile)) assertThat(Files.readString(file)).isEqualTo(KEY);
            else assertThat(Files.readString(file)).doesNotContain(KEY).contains("La Plateforme");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile.getParent()))).isEqualTo("rwx------");
        assertThat(logged).as("something was logged at all levels").isNotEmpty();
        assertThat(logged).allSatisfy(line -> assertThat(line).doesNotContain(KEY));
        assertThat(messages).hasSize(5).allSatisfy(m -> assertThat(m).doesNotContain(KEY));
    }
}
