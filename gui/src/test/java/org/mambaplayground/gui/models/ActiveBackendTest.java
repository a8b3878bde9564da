package org.mambaplayground.gui.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mambaplayground.backend.ModelBackend;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.gui.run.Hold;
import org.mambaplayground.gui.testing.TestModels;
import org.mambaplayground.remote.Endpoint;
import org.mambaplayground.remote.EndpointKind;
import org.mambaplayground.remote.RemoteBackend;
import org.mambaplayground.remote.RemoteClient;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.util.WaitForAsyncUtils;

/** The active model as a backend: a local model's or a remote one's, and holding a backend's model open. */
@ExtendWith(ApplicationExtension.class)
class ActiveBackendTest {
    final ExecutorService executor = Executors.newCachedThreadPool();

    @AfterEach
    void shutdown() { executor.shutdownNow(); }

    @Test
    void aRemoteModelReplacesTheActiveLocalOneAndALocalOneReplacesIt() throws Exception {
        ModelManager manager = new ModelManager((f, choice, progress, cancel) -> ModelLoader.load(f), executor);
        ModelHandle local = WaitForAsyncUtils.asyncFx(() -> manager.activate(TestModels.mambaFolder())).get().get(20, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(manager.getActiveBackend()).isSameAs(local.backend());

        // a hold keeps the local model's weights open past its release as the active model
        Hold held = WaitForAsyncUtils.asyncFx(() -> manager.hold(local.backend())).get();
        ModelBackend remote = new RemoteBackend(new RemoteClient(Endpoint.of("http://127.0.0.1:9/v1", EndpointKind.VLLM), null), "open-mistral-nemo");
        WaitForAsyncUtils.asyncFx(() -> manager.setActiveRemote(remote)).get();
        assertThat(manager.getActiveBackend()).isSameAs(remote);
        assertThat(manager.getActiveModel()).isNull();
        assertThat(local.isClosed()).as("held by the run").isFalse();
        held.close();
        assertThat(local.isClosed()).isTrue();
        assertThat(WaitForAsyncUtils.asyncFx(() -> manager.hold(remote)).get()).as("nothing to keep open").isSameAs(Hold.NOTHING);

        ModelHandle again = WaitForAsyncUtils.asyncFx(() -> manager.activate(TestModels.mambaFolder())).get().get(20, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(manager.getActiveBackend()).isSameAs(again.backend());
        WaitForAsyncUtils.asyncFx(manager::unloadActive).get();
        assertThat(manager.getActiveBackend()).isNull();
    }
}
