package org.mambaplayground.app;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.WarmUp;
import org.mambaplayground.engine.load.GgufModels;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.load.MachineMemory;
import org.mambaplayground.engine.load.MemoryEstimate;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.model.Sizes;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.assets.DemoModels;
import org.mambaplayground.gui.Settings;

/** Opens a model folder for the terminal commands, with loading progress on {@code status}. */
final class ModelFolders {
    private ModelFolders() {}

    static LoadedModel open(Path folder, PrintStream status) { return open(folder, status, null, null); }

    /**
     * Opens {@code folder} with its matrices at {@code precision} (null: as stored) and the KV cache in
     * {@code kvFormat} (null: the default), after printing the memory it needs and whether this machine has it.
     */
    static LoadedModel open(Path folder, PrintStream status, WeightFormat precision, WeightFormat kvFormat) {
        if (!Files.isDirectory(folder) && !(GgufModels.isGgufFile(folder) && Files.exists(folder))) {
            List<DemoModels.DemoModel> demos = demos();
            folder = resolve(folder, demos);
            if (!Files.isDirectory(folder)) {
                throw new IllegalArgumentException("model folder or GGUF file " + folder + " does not exist (built-in demo models: "
                        + String.join(", ", demos.stream().map(DemoModels.DemoModel::name).toList()) + ")");
            }
        }
        printEstimate(folder, status, precision, kvFormat);
        boolean terminal = System.console() != null;
        String[] lastStage = {""};
        ModelLoader.Options options = new ModelLoader.Options(false, (stage, fraction) -> {
            // on a terminal one line updated in place; in a log, nothing until the summary
            if (terminal && (!stage.equals(lastStage[0]) || fraction >= 1)) {
                status.printf(Locale.ROOT, "\r%-40s", stage + (fraction > 0 ? String.format(Locale.ROOT, " %3.0f%%", fraction * 100) : ""));
                status.flush();
                lastStage[0] = stage;
            }
        }, new CancellationToken()).withPrecision(precision).withKvFormat(kvFormat);
        long start = System.nanoTime();
        LoadedModel model = ModelLoader.load(folder, options);
        if (terminal) status.print("\r" + " ".repeat(40) + "\r");
        status.printf(Locale.ROOT, "Loaded %s (%s) in %.1f s; warming up the kernels...", model.name(),
                model.model().spec().architecture().name().toLowerCase(Locale.ROOT), (System.nanoTime() - start) / 1e9);
        status.flush();
        // compiled now, the first prompt is answered at full speed (cold, it can take seconds longer)
        status.printf(Locale.ROOT, " %.1f s%n", WarmUp.run(model.model(), null) / 1000);
        return model;
    }

    /** "Memory: 7.7 GB weights (Q8_0) + 276 MB state ...; this machine has 20 GB available" and advice when it does not fit. */
    private static void printEstimate(Path folder, PrintStream status, WeightFormat precision, WeightFormat kvFormat) {
        Path gguf = GgufModels.isGgufFile(folder) ? folder : null;
        MemoryEstimate estimate;
        try {
            if (gguf == null) gguf = GgufModels.soleModelIn(folder);
            estimate = gguf != null ? GgufModels.memoryEstimate(gguf, kvFormat, 4096)
                    : MemoryEstimate.of(ModelLoader.readSpec(folder), precision != null ? precision : WeightFormat.BF16, kvFormat, 4096);
        } catch (RuntimeException e) {
            return; // loading reports it, with the file named
        }
        MachineMemory machine = MachineMemory.read();
        status.println("Memory: " + estimate.describe() + "; this machine has " + Sizes.bytes(machine.availableBytes()) + " available");
        if (gguf != null) {
            if (!estimate.fits(machine)) status.println("Warning: this GGUF file needs " + Sizes.bytes(estimate.totalBytes())
                    + "; a smaller quantization of it would fit better (download ... --gguf lists them)");
            return;
        }
        String advice = estimate.advice(machine);
        if (!advice.isEmpty()) status.println("Warning: " + advice + " (--precision)");
    }

    /** A folder as given, or a built-in demo model's name ({@code codestral-mamba-demo}), extracted like the app does. */
    static Path resolve(Path folder, List<DemoModels.DemoModel> demos) {
        if (folder.getNameCount() != 1) return folder;
        return demos.stream()
                .filter(demo -> demo.name().equals(folder.toString()))
                .map(DemoModels.DemoModel::folder)
                .findFirst()
                .orElse(folder);
    }

    private static List<DemoModels.DemoModel> demos() {
        return DemoModels.locate(Settings.fromEnvironment().cacheDir());
    }
}
