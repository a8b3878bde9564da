package org.mambaplayground.server;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The models the server answers for, each with its worker, under the ids clients send as {@code model}:
 * the served names (vLLM's {@code --served-model-name}), the first of which names the model in answers,
 * or else the model folder's name.
 */
final class ModelRegistry {
    private final Map<String, ModelWorker> byName = new LinkedHashMap<>();
    private final Map<ModelWorker, String> primary = new LinkedHashMap<>();

    /** Serves {@code worker} under {@code names} (empty: its model's own name). */
    void add(ModelWorker worker, List<String> names) {
        List<String> ids = names.isEmpty() ? List.of(worker.model().name()) : names;
        for (String id : ids) byName.put(id, worker);
        primary.put(worker, ids.getFirst());
    }

    Collection<ModelWorker> all() { return primary.keySet(); }

    /** Every id a client may send, in order. */
    List<String> names() { return new ArrayList<>(byName.keySet()); }

    /** The id answers give for {@code worker}'s model. */
    String name(ModelWorker worker) { return primary.get(worker); }

    boolean serves(String id) { return byName.containsKey(id); }

    /** The one model, when only one is served (null otherwise). */
    ModelWorker only() { return primary.size() == 1 ? primary.keySet().iterator().next() : null; }

    /**
     * The worker for {@code id}; a request that names no model gets the only one there is (as the
     * legacy {@code /v1/engines/completions} clients expect).
     */
    ModelWorker worker(String id) {
        if (id == null || id.isBlank()) {
            if (only() != null) return only();
            throw ApiException.invalid("You must provide a 'model' parameter.", "model");
        }
        ModelWorker worker = byName.get(id);
        if (worker == null) {
            throw new ApiException(404, "invalid_request_error", "The model '" + id + "' does not exist; this server serves "
                    + String.join(", ", byName.keySet()) + ".", "model", "model_not_found");
        }
        return worker;
    }
}
