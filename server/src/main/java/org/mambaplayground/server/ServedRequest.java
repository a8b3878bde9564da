package org.mambaplayground.server;

import org.mambaplayground.engine.generate.GenerationStats;

/**
 * One generation the server ran, reported to observers (the GUI's metrics, tests): its id, endpoint,
 * figures, whether the client went away before the end, and when it ran on the model's worker.
 */
public record ServedRequest(String id, String endpoint, GenerationStats stats, boolean clientDisconnected,
                            long startedNanos, long finishedNanos) {}
