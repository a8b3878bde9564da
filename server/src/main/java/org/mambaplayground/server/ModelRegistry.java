package org.mambaplayground.server;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** The models the server answers for, by the id clients send as {@code model}, each with its worker. */
final class ModelRegistry {
    private final Map<String, ModelWorker> workers = new LinkedHashMap<>();

    void add(ModelWorker worker) { workers.put(worker.model().name(), worker); }

    Collection<ModelWorker> all() { return workers.values(); }

    /**
     * The worker for {@code id}; a request that names no model gets the only one there is (as the
     * legacy {@code /v1/engines/completions} clients expect).
     */
    ModelWorker worker(String id) {
        if (id == null || id.isBlank()) {
            if (workers.size() == 1) return workers.values().iterator().next();
            throw ApiException.invalid("You must provide a 'model' parameter.", "model");
        }
        ModelWorker worker = workers.get(id);
        if (worker == null) {
            throw new ApiException(404, "invalid_request_error", "The model '" + id + "' does not exist; this server serves "
                    + String.join(", ", workers.keySet()) + ".", "model", "model_not_found");
        }
        return worker;
    }
}
