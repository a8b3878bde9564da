package org.mambaplayground.gui.shell;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.animation.PauseTransition;
import javafx.application.Platform;
import javafx.concurrent.Worker;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;
import javafx.util.Duration;
import javax.imageio.ImageIO;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.Page;

/** Visits every page, saves a PNG of each (named after the page) and exits: for the README's screenshots. */
public final class Screenshots {
    private static final Duration SETTLE = Duration.seconds(1.5);

    private Screenshots() {}

    /** Starts once {@code first} (e.g. loading a model; may be null) has finished, however it ended. */
    public static void takeAll(AppContext ctx, Stage stage, Path dir, Worker<?> first) {
        if (first == null || isDone(first)) {
            next(ctx, stage, dir, 0);
            return;
        }
        first.stateProperty().addListener((obs, was, now) -> {
            if (isDone(first)) next(ctx, stage, dir, 0);
        });
    }

    private static boolean isDone(Worker<?> w) {
        return switch (w.getState()) {
            case SUCCEEDED, FAILED, CANCELLED -> true;
            default -> false;
        };
    }

    private static void next(AppContext ctx, Stage stage, Path dir, int index) {
        Page[] pages = Page.values();
        if (index == pages.length) {
            System.out.println("Screenshots saved in " + dir.toAbsolutePath());
            Platform.exit();
            return;
        }
        Page page = pages[index];
        ctx.navigate(page);
        PauseTransition settle = new PauseTransition(SETTLE);
        settle.setOnFinished(e -> {
            save(stage, dir.resolve(page.name().toLowerCase() + ".png"));
            next(ctx, stage, dir, index + 1);
        });
        settle.play();
    }

    private static void save(Stage stage, Path file) {
        WritableImage image = stage.getScene().snapshot(null);
        try {
            Files.createDirectories(file.getParent());
            ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", file.toFile());
        } catch (IOException e) {
            System.err.println("Cannot save " + file + ": " + e.getMessage());
        }
    }
}
