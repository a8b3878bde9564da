package org.mambaplayground.gui.metrics;

import java.io.IOException;
import java.nio.file.Path;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Node;
import javafx.scene.SnapshotParameters;
import javafx.scene.image.WritableImage;
import javax.imageio.ImageIO;

/** Saves a chart (any node) as a PNG image. Call on the FX thread. */
public final class ChartImages {
    private ChartImages() {}

    public static void writePng(Node node, Path file) throws IOException {
        WritableImage image = node.snapshot(new SnapshotParameters(), null);
        try {
            if (!ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", file.toFile())) {
                throw new IOException("no PNG writer available");
            }
        } catch (IOException e) {
            throw new IOException("Could not write the chart image to " + file + ": " + e.getMessage(), e);
        }
    }
}
