package org.mambaplayground.gui.shell;

import javafx.concurrent.Task;
import javafx.scene.control.Alert;

/** An error dialog for a background task that fails: what the user asked for, and why it failed. */
public final class FailureAlert {
    private FailureAlert() {}

    /** Shows "{@code what}: reason" if {@code task} fails. FX thread. */
    public static void on(Task<?> task, String what) {
        task.setOnFailed(e -> new Alert(Alert.AlertType.ERROR, what + ": " + task.getException().getMessage()).show());
    }
}
