package org.mambaplayground.gui.download;

import atlantafx.base.theme.Styles;
import java.time.Duration;
import javafx.collections.ListChangeListener;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.mambaplayground.engine.model.Sizes;
import org.mambaplayground.gui.shell.Formats;

/**
 * The sidebar's view of the downloads under way: per download its model, progress, speed and time left,
 * with pause/resume and cancel; hidden when there are none. Closing the wizard leaves them here.
 */
public final class DownloadsIndicator extends VBox {
    private final Downloads downloads;

    public DownloadsIndicator(Downloads downloads) {
        this.downloads = downloads;
        setId("downloads-indicator");
        setSpacing(6);
        getStyleClass().add("downloads-indicator");
        downloads.sessions().addListener((ListChangeListener<DownloadSession>) c -> rebuild());
        rebuild();
    }

    private void rebuild() {
        getChildren().clear();
        if (!downloads.sessions().isEmpty()) {
            Label title = new Label("Downloads");
            title.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
            getChildren().add(title);
        }
        for (DownloadSession s : downloads.sessions()) getChildren().add(row(s));
        setVisible(!downloads.sessions().isEmpty());
        setManaged(isVisible());
    }

    private VBox row(DownloadSession s) {
        Label name = new Label(s.model().name());
        name.getStyleClass().add(Styles.TEXT_SMALL);
        name.setMinWidth(0);
        ProgressBar bar = new ProgressBar();
        bar.setMaxWidth(Double.MAX_VALUE);
        bar.progressProperty().bind(s.fractionProperty());
        bar.getStyleClass().add(Styles.SMALL);
        Label text = new Label();
        text.getStyleClass().addAll("download-text", Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        text.setWrapText(true);
        text.setMinHeight(Region.USE_PREF_SIZE);
        Button pause = new Button("Pause");
        pause.getStyleClass().addAll("download-pause", Styles.SMALL, Styles.FLAT);
        pause.setOnAction(e -> {
            if (s.stateProperty().get() == DownloadSession.State.PAUSED) s.resume(); else s.pause();
        });
        Button cancel = new Button("Cancel");
        cancel.getStyleClass().addAll("download-cancel", Styles.SMALL, Styles.FLAT);
        cancel.setOnAction(e -> s.cancel());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        Runnable update = () -> {
            text.setText(describe(s));
            pause.setText(s.stateProperty().get() == DownloadSession.State.PAUSED ? "Resume" : "Pause");
            pause.setDisable(!s.isRunning());
        };
        for (var p : new javafx.beans.Observable[] {s.stateProperty(), s.fractionProperty(), s.bytesPerSecondProperty(), s.etaProperty()}) {
            p.addListener(o -> update.run());
        }
        update.run();
        VBox row = new VBox(2, name, bar, text, new HBox(4, spacer, pause, cancel));
        row.getStyleClass().add("download-row");
        row.setUserData(s);
        return row;
    }

    /** "37% · 1.2 MB/s · 2 min left", "Paused at 37%", "Waiting", "Asking the hub". */
    static String describe(DownloadSession s) {
        String percent = Math.round(s.fractionProperty().get() * 100) + "%";
        return switch (s.stateProperty().get()) {
            case DOWNLOADING -> {
                Duration eta = s.etaProperty().get();
                yield percent + " \u00b7 " + Sizes.bytes((long) s.bytesPerSecondProperty().get()) + "/s"
                        + (eta == null ? "" : " \u00b7 " + Formats.duration(eta.toMillis() / 1000.0) + " left");
            }
            case PAUSED -> "Paused at " + percent;
            case QUEUED -> "Waiting for its turn";
            case CHECKING, IDLE, READY -> "Asking the hub\u2026";
            case DONE -> "Done";
            case FAILED -> "Stopped";
            case CANCELLED -> "Cancelled";
        };
    }
}
