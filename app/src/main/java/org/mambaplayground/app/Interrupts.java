package org.mambaplayground.app;

/**
 * Ctrl+C handling for the terminal commands, so the chat can stop an answer instead of the program and a
 * download can stop cleanly, keeping its part files. Uses
 * {@code sun.misc.Signal} (module jdk.unsupported); where that is missing, Ctrl+C keeps its default.
 */
final class Interrupts {
    private Interrupts() {}

    static void onCtrlC(Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> action.run());
        } catch (IllegalArgumentException | LinkageError unavailable) {
            // no SIGINT on this platform or runtime: the default behaviour (quit) stays
        }
    }
}
