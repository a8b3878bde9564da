package org.mambaplayground.server;

import org.mambaplayground.engine.generate.CancellationToken;

/** Whether one request's client is still there; when it leaves, the generation running for it is cancelled. */
final class ClientPresence {
    private volatile boolean gone;
    private volatile CancellationToken current;

    /** The generation now running for this request (a request with several prompts runs several). */
    void running(CancellationToken cancel) {
        current = cancel;
        if (gone) cancel.cancel(); // it left just before
    }

    void left() {
        gone = true;
        CancellationToken cancel = current;
        if (cancel != null) cancel.cancel();
    }

    boolean gone() { return gone; }
}
