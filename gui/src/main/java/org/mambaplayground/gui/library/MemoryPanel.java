package org.mambaplayground.gui.library;

import atlantafx.base.theme.Styles;
import java.util.List;
import java.util.function.Supplier;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;
import org.mambaplayground.engine.load.MachineMemory;
import org.mambaplayground.engine.load.GgufModels;
import org.mambaplayground.engine.load.MemoryEstimate;
import org.mambaplayground.engine.model.Architecture;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.engine.transformer.TransformerConfig;
import org.mambaplayground.gui.models.LoadChoice;

/**
 * An entry's memory at each precision against this machine, with the choice of precision (and, for transformers,
 * of KV cache format and context) that its Load button uses. The choice is remembered per entry for the session.
 */
final class MemoryPanel extends VBox {
    private static final long[] CONTEXTS = {1024, 4096, 32768, 131072};
    private final LoadChoices choices;
    private final Supplier<MachineMemory> machine;
    private final Runnable onChange;
    private final ComboBox<Long> context = new ComboBox<>();
    private final ComboBox<WeightFormat> kvFormat = new ComboBox<>();
    private LibraryEntry entry;
    private boolean filling;

    /** @param onChange hears a new choice (the entry's actions depend on it) */
    MemoryPanel(LoadChoices choices, Supplier<MachineMemory> machine, Runnable onChange) {
        super(6);
        this.choices = choices;
        this.machine = machine;
        this.onChange = onChange;
        setId("memory-panel");
        for (long c : CONTEXTS) context.getItems().add(c);
        context.setValue(LoadChoices.DEFAULT_CONTEXT);
        context.setId("context-choice");
        context.setConverter(converter(PrecisionText::context));
        context.valueProperty().addListener((obs, was, now) -> changed());
        kvFormat.setId("kv-choice");
        kvFormat.setConverter(converter(PrecisionText::kvFormat));
        kvFormat.valueProperty().addListener((obs, was, now) -> {
            if (!filling && now != null) choose(choice().withKvFormat(now));
        });
    }

    /** What the entry shown now loads with. */
    LoadChoice choice() { return entry == null ? LoadChoice.DEFAULT : choices.choiceFor(entry, context.getValue(), machine.get()); }

    /** GGUF headers read once per file (a tekken vocabulary takes a moment to parse). */
    private final java.util.Map<java.nio.file.Path, GgufModels.Summary> ggufSummaries = new java.util.HashMap<>();

    void show(LibraryEntry e) {
        this.entry = e;
        getChildren().clear();
        if (e == null || e.spec() == null) return;
        ModelSpec spec = e.spec();
        MachineMemory memory = machine.get();
        LoadChoice chosen = choice();
        List<MemoryEstimate> estimates = MemoryEstimate.CHOICES.stream()
                .map(p -> MemoryEstimate.of(spec, p, chosen.kvFormat(), context.getValue())).toList();
        MemoryEstimate current = estimates.stream().filter(x -> x.precision().equals(chosen.precision())).findFirst()
                .orElse(MemoryEstimate.of(spec, chosen.precision(), chosen.kvFormat(), context.getValue()));

        Label heading = new Label("Memory and precision");
        heading.getStyleClass().add(Styles.TEXT_BOLD);
        Label machineLine = muted(PrecisionText.machine(memory));
        machineLine.setId("machine-memory");
        machineLine.setWrapText(true);
        getChildren().addAll(heading, machineLine);
        if (spec.architecture() == Architecture.TRANSFORMER && spec instanceof TransformerConfig config) {
            fillKvFormats(config, chosen.kvFormat());
            getChildren().add(pickers());
        }
        if (e.gguf()) {
            showGguf(e, chosen, memory);
            return;
        }
        getChildren().add(new PrecisionTable(estimates, chosen.precision(), memory, p -> choose(choice().withPrecision(p))));
        Label parts = new Label(current.describe());
        parts.setId("memory-estimate");
        parts.setWrapText(true);
        getChildren().add(parts);
        String advice = current.advice(memory);
        if (!advice.isEmpty()) {
            Label warning = new Label(advice);
            warning.setId("precision-advice");
            warning.setWrapText(true);
            warning.getStyleClass().add(Styles.DANGER);
            getChildren().add(warning);
        }
        Label copy = muted(PrecisionText.copy(e.folder(), current));
        copy.setId("precision-copy");
        copy.setWrapText(true);
        getChildren().add(copy);
    }

    /** A GGUF file has no precision to choose: what it stores, what that needs, and whether it fits. */
    private void showGguf(LibraryEntry e, LoadChoice chosen, MachineMemory memory) {
        GgufModels.Summary summary;
        try {
            summary = ggufSummaries.computeIfAbsent(e.folder(), GgufModels::summary);
        } catch (RuntimeException ex) {
            getChildren().add(muted(String.valueOf(ex.getMessage())));
            return;
        }
        MemoryEstimate estimate = summary.estimate(chosen.kvFormat(), context.getValue());
        Label parts = new Label("Runs as stored (GGUF, mostly " + summary.mainFormat() + "): " + estimate.describe());
        parts.setId("memory-estimate");
        parts.setWrapText(true);
        getChildren().add(parts);
        if (!estimate.fits(memory)) {
            Label warning = new Label("Needs " + org.mambaplayground.engine.model.Sizes.bytes(estimate.totalBytes()) + " but this machine has "
                    + org.mambaplayground.engine.model.Sizes.bytes(memory.availableBytes()) + " available: a smaller quantization of this model would fit");
            warning.setId("precision-advice");
            warning.setWrapText(true);
            warning.getStyleClass().add(Styles.DANGER);
            getChildren().add(warning);
        }
    }

    /** Context and KV cache format, one per line: side by side they do not fit a narrow details pane. */
    private GridPane pickers() {
        GridPane grid = new GridPane();
        grid.setHgap(8);
        grid.setVgap(4);
        ColumnConstraints labels = new ColumnConstraints();
        labels.setMinWidth(Region.USE_PREF_SIZE);
        grid.getColumnConstraints().add(labels);
        grid.addRow(0, new Label("Context"), context);
        grid.addRow(1, new Label("KV cache"), kvFormat);
        for (ComboBox<?> box : List.of(context, kvFormat)) box.setMinWidth(Region.USE_PREF_SIZE);
        return grid;
    }

    /** The formats this transformer's cache can use, without firing a choice. */
    private void fillKvFormats(TransformerConfig config, WeightFormat chosen) {
        filling = true;
        try {
            kvFormat.getItems().setAll(config.kvFormats());
            kvFormat.setValue(chosen);
        } finally {
            filling = false;
        }
    }

    private void choose(LoadChoice choice) {
        choices.remember(entry, choice);
        changed();
    }

    private void changed() {
        show(entry);
        onChange.run();
    }

    private static Label muted(String text) {
        Label l = new Label(text);
        l.getStyleClass().add(Styles.TEXT_MUTED);
        return l;
    }

    private static <T> StringConverter<T> converter(java.util.function.Function<T, String> text) {
        return new StringConverter<>() {
            @Override public String toString(T value) { return value == null ? "" : text.apply(value); }
            @Override public T fromString(String s) { return null; }
        };
    }
}
