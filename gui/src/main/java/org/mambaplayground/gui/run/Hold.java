package org.mambaplayground.gui.run;

/** Keeps a backend's model open while a run uses it (a local model's reference; nothing for a remote one). */
@FunctionalInterface
public interface Hold extends AutoCloseable {
    Hold NOTHING = () -> {};

    @Override
    void close();
}
