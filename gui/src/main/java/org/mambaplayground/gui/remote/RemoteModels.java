package org.mambaplayground.gui.remote;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mambaplayground.backend.ModelBackend;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.library.LibraryEntry;
import org.mambaplayground.remote.ApiKey;
import org.mambaplayground.remote.Endpoint;
import org.mambaplayground.remote.EndpointStore;
import org.mambaplayground.remote.RemoteBackend;
import org.mambaplayground.remote.RemoteClient;
import org.mambaplayground.remote.RemoteModel;

/**
 * The remote endpoints the user added (kept by the remote module's {@link EndpointStore} in the app's config folder,
 * each key in a file of mode 0600) and their models as Library entries: one entry per model an endpoint listed, each
 * backed by one {@link RemoteBackend} (the same instance every time, so the active model and the charts know it).
 */
public final class RemoteModels {
    private final EndpointStore store;
    private final Map<String, RemoteBackend> backends = new HashMap<>();
    private final Map<String, RemoteClient> clients = new HashMap<>();

    public RemoteModels(EndpointStore store) { this.store = store; }

    /** The application's: endpoints saved beside its other settings. */
    public static RemoteModels of(AppContext ctx) {
        return ctx.shared(RemoteModels.class, () -> new RemoteModels(new EndpointStore(configDir(ctx))));
    }

    private static Path configDir(AppContext ctx) { return ctx.settings().userFolders().toAbsolutePath().getParent(); }

    public EndpointStore store() { return store; }

    /**
     * The Library entries of every saved endpoint's models (any thread); an endpoint file that cannot be read
     * becomes one entry that says why.
     */
    public List<LibraryEntry> entries() {
        List<Endpoint> endpoints;
        try {
            endpoints = store.list();
        } catch (RuntimeException e) {
            return List.of(LibraryEntry.remote("Remote endpoints", "", null, String.valueOf(e.getMessage())));
        }
        List<LibraryEntry> out = new ArrayList<>();
        for (Endpoint endpoint : endpoints) {
            for (String model : endpoint.models()) {
                RemoteBackend backend = backend(endpoint, model);
                out.add(LibraryEntry.remote(entryName(endpoint, model), endpoint.kind().label() + " at " + endpoint.baseUrl()
                        + ": served remotely, measured at the client (network included)", backend.spec().orElse(null), ""));
            }
        }
        return out;
    }

    /** The backend of a remote Library entry, or empty for any other entry. */
    public synchronized Optional<ModelBackend> backend(LibraryEntry entry) {
        if (entry == null || entry.kind() != LibraryEntry.Kind.REMOTE) return Optional.empty();
        return Optional.ofNullable(backends.get(entry.name()));
    }

    /** Whether {@code active} is the backend of the remote entry {@code entry}. */
    public static boolean isActive(ModelBackend active, LibraryEntry entry) {
        return active instanceof RemoteBackend remote && entry.remote()
                && entryName(remote.client().endpoint(), remote.name()).equals(entry.name());
    }

    /** Saves {@code endpoint} (with the models it listed) and its key (none when blank), replacing one of that name. */
    public synchronized void add(Endpoint endpoint, String apiKey) {
        store.save(endpoint);
        if (endpoint.apiKeyEnv() == null) store.saveKey(endpoint.name(), apiKey);
        forget(endpoint.name());
    }

    /** Removes an endpoint, its key file and its models' entries. */
    public synchronized void remove(String endpointName) {
        store.remove(endpointName);
        forget(endpointName);
    }

    /** The endpoint a remote entry belongs to. */
    public Optional<Endpoint> endpointOf(LibraryEntry entry) {
        return backend(entry).map(b -> ((RemoteBackend) b).client().endpoint());
    }

    /**
     * "Test connection": lists the models of {@code endpoint} with {@code apiKey} (blank for none). Blocks: call it
     * off the FX thread. Failures are one-line {@code RuntimeException}s naming the endpoint.
     */
    public static List<RemoteModel> listModels(Endpoint endpoint, String apiKey) {
        try (RemoteClient client = new RemoteClient(endpoint, ApiKey.of(apiKey))) {
            return client.models();
        }
    }

    static String entryName(Endpoint endpoint, String model) { return model + " @ " + endpoint.name(); }

    private synchronized RemoteBackend backend(Endpoint endpoint, String model) {
        return backends.computeIfAbsent(entryName(endpoint, model), name -> new RemoteBackend(
                clients.computeIfAbsent(endpoint.name(), n -> store.client(endpoint)), model));
    }

    /** Drops the endpoint's backends (one still in use keeps working: an idle OkHttp client frees itself). */
    private void forget(String endpointName) {
        clients.remove(endpointName);
        backends.values().removeIf(b -> b.client().endpoint().name().equals(endpointName));
    }
}
