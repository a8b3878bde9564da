package org.mambaplayground.gui.library;

import atlantafx.base.theme.Styles;
import java.util.function.Consumer;
import javafx.geometry.HPos;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import org.mambaplayground.engine.load.MachineMemory;
import org.mambaplayground.engine.load.MemoryEstimate;
import org.mambaplayground.engine.model.Sizes;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * One row per precision a model can be loaded at: its weights, the total at the chosen context and KV format,
 * and whether that fits this machine; picking a row chooses it. Every number is the engine's MemoryEstimate.
 */
final class PrecisionTable extends GridPane {
    private final ToggleGroup group = new ToggleGroup();

    /**
     * @param estimates one per row, in {@link MemoryEstimate#CHOICES} order
     * @param chosen    the row selected now
     * @param onChoose  hears a row picked by the user
     */
    PrecisionTable(java.util.List<MemoryEstimate> estimates, WeightFormat chosen, MachineMemory machine,
                   Consumer<WeightFormat> onChoose) {
        setId("precision-table");
        getStyleClass().add("precision-table");
        setHgap(12);
        setVgap(2);
        ColumnConstraints precision = new ColumnConstraints();
        precision.setMinWidth(Region.USE_PREF_SIZE);
        ColumnConstraints weights = numbers();
        ColumnConstraints total = numbers();
        ColumnConstraints fit = new ColumnConstraints();
        fit.setHgrow(Priority.ALWAYS);
        fit.setMinWidth(60);
        getColumnConstraints().addAll(precision, weights, total, fit);
        addRow(0, header("Precision"), header("Weights"), header("Total"), header("This machine"));
        int row = 1;
        for (MemoryEstimate e : estimates) addChoice(row++, e, chosen, machine);
        group.selectedToggleProperty().addListener((obs, was, now) -> {
            if (now != null && now.getUserData() != chosen) onChoose.accept((WeightFormat) now.getUserData());
        });
    }

    private void addChoice(int row, MemoryEstimate e, WeightFormat chosen, MachineMemory machine) {
        String name = e.precision().name();
        RadioButton pick = new RadioButton(name);
        pick.setId("precision-" + name);
        pick.setMnemonicParsing(false); // "Q8_0", not "Q80" with a mnemonic on 0
        pick.setToggleGroup(group);
        pick.setUserData(e.precision());
        pick.setSelected(e.precision().equals(chosen));
        pick.setMinWidth(Region.USE_PREF_SIZE);
        Label weights = number("weights-" + name, Sizes.bytes(e.weightBytes()));
        Label total = number("total-" + name, Sizes.bytes(e.totalBytes()));
        boolean fits = e.fits(machine);
        Label fit = new Label((fits ? "\u2713 " : "\u2717 ") + PrecisionText.fit(e, machine));
        fit.setId("fit-" + name);
        fit.setWrapText(true);
        fit.getStyleClass().add(fits ? "fits" : "does-not-fit");
        if (e.precision().equals(chosen)) {
            // one background behind the whole row, spanning the grid's columns
            Region band = new Region();
            band.getStyleClass().add("chosen-row");
            band.setMaxSize(Double.MAX_VALUE, Double.MAX_VALUE);
            GridPane.setMargin(band, new Insets(0, -6, 0, -6));
            add(band, 0, row, 4, 1);
        }
        // explicit columns: addRow would append after the band, which already fills the row
        javafx.scene.Node[] cells = {pick, weights, total, fit};
        for (int col = 0; col < cells.length; col++) {
            add(cells[col], col, row);
            GridPane.setMargin(cells[col], new Insets(3, 0, 3, 0));
        }
    }

    private static ColumnConstraints numbers() {
        ColumnConstraints c = new ColumnConstraints();
        c.setMinWidth(Region.USE_PREF_SIZE);
        c.setHalignment(HPos.RIGHT);
        return c;
    }

    private static Label number(String id, String text) {
        Label l = new Label(text);
        l.setId(id);
        l.setMinWidth(Region.USE_PREF_SIZE);
        return l;
    }

    private static Label header(String text) {
        Label l = new Label(text);
        l.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        l.setMinWidth(Region.USE_PREF_SIZE);
        return l;
    }
}
