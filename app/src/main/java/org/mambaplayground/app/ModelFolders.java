package org.mambaplayground.app;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.mambaplayground.engine.model.LoadedModel;
import org.mambaplayground.engine.model.ModelLoader;

/** Opens a model folder for the terminal commands, with loading progress on {@code status}. */
final class ModelFolders {
    private ModelFolders() {}

    static LoadedModel open(Path folder, PrintStream status) {
        if (!Files.isDirectory(folder)) throw new IllegalArgumentException("model folder " + folder + " does not exist");
        String[] lastStage = {""};
        ModelLoader.Options options = new ModelLoader.Options(false, (stage, fraction) -> {
            if (!stage.equals(lastStage[0]) || fraction >= 1) {
                status.printf(Locale.ROOT, "\r%s %3.0f%%", stage, fraction * 100);
                status.flush();
                lastStage[0] = stage;
            }
        }, new org.mambaplayground.engine.generate.CancellationToken());
        LoadedModel model = ModelLoader.load(folder, options);
        status.print("\r                                        \r");
        return model;
    }
}
