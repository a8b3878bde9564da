package org.mambaplayground.gui.download;

import java.util.List;
import java.util.Optional;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.ListChangeListener;
import javafx.css.PseudoClass;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.layout.VBox;
import org.mambaplayground.downloader.GgufChoices;
import org.mambaplayground.downloader.GgufFit;
import org.mambaplayground.engine.model.Sizes;

/**
 * A GGUF repository's quantizations to choose one from: each with its size and whether it fits this machine's
 * memory, the recommended one marked. Choosing a row re-plans the session's download; shown only for GGUF
 * repositories, and locked while the download runs.
 */
final class GgufChoiceList extends VBox {
    private static final PseudoClass RECOMMENDED = PseudoClass.getPseudoClass("recommended");
    private static final PseudoClass NOT_RUN = PseudoClass.getPseudoClass("not-run");
    private static final double ROW_HEIGHT = 26, HEADER_HEIGHT = 44;
    private final Label heading = new Label();
    private final TableView<GgufChoices.Choice> table = new TableView<>();
    private final ListChangeListener<GgufChoices.Choice> listed = c -> show();
    private final javafx.beans.value.ChangeListener<Object> changed = (o, was, now) -> show();
    private DownloadSession session;

    GgufChoiceList() {
        super(4);
        setId("gguf-choices");
        heading.setId("gguf-memory");
        heading.setWrapText(true);
        table.setId("gguf-choice-table");
        TableColumn<GgufChoices.Choice, String> quant = column("Quantization", 90, GgufChoices.Choice::quantization);
        TableColumn<GgufChoices.Choice, String> size = column("Size", 75, c -> Sizes.bytes(c.bytes()));
        TableColumn<GgufChoices.Choice, String> memory = column("This machine", 290, c -> memoryText(c, fit(), recommended()));
        TableColumn<GgufChoices.Choice, String> file = column("File", 200,
                c -> c.name() + (c.files().size() > 1 ? " (" + c.files().size() + " parts)" : ""));
        quant.setMinWidth(90);
        size.setMinWidth(75);
        memory.setMinWidth(280); // "fits (needs 5.12 GB)  * recommended" whole; the file name may be cut
        table.getColumns().setAll(List.of(quant, size, memory, file));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setFixedCellSize(ROW_HEIGHT);
        // every quantization visible without scrolling, up to a dozen (bartowski's repositories list about twenty)
        table.prefHeightProperty().bind(javafx.beans.binding.Bindings.size(table.getItems())
                .map(n -> Math.min(Math.max(n.intValue(), 1), 12) * ROW_HEIGHT + HEADER_HEIGHT));
        table.setRowFactory(t -> new TableRow<>() {
            @Override
            protected void updateItem(GgufChoices.Choice c, boolean empty) {
                super.updateItem(c, empty);
                pseudoClassStateChanged(RECOMMENDED, !empty && c != null && recommended().filter(c::equals).isPresent());
                pseudoClassStateChanged(NOT_RUN, !empty && c != null && fit() != null && fit().verdict(c) != GgufFit.Verdict.FITS);
            }
        });
        table.getSelectionModel().selectedItemProperty().addListener((o, was, now) -> {
            if (session != null && now != null && now != session.ggufChoiceProperty().getValue()) {
                session.chooseGguf(now);
                show(); // refused while a download runs: the selection goes back to the session's choice
            }
        });
        getChildren().addAll(heading, table);
        getStyleClass().add("gguf-choices");
    }

    /** Shows {@code s}'s choices from now on. */
    void bind(DownloadSession s) {
        if (session != null) {
            session.ggufChoices().removeListener(listed);
            session.ggufChoiceProperty().removeListener(changed);
            session.stateProperty().removeListener(changed);
        }
        session = s;
        s.ggufChoices().addListener(listed);
        s.ggufChoiceProperty().addListener(changed);
        s.stateProperty().addListener(changed);
        show();
    }

    TableView<GgufChoices.Choice> table() { return table; }

    private void show() {
        boolean gguf = !session.ggufChoices().isEmpty();
        setVisible(gguf);
        setManaged(gguf);
        if (!table.getItems().equals(session.ggufChoices())) table.getItems().setAll(session.ggufChoices());
        table.refresh(); // the memory column and the marks depend on the fit and the recommendation
        GgufChoices.Choice chosen = session.ggufChoiceProperty().getValue();
        if (table.getSelectionModel().getSelectedItem() != chosen) {
            if (chosen == null) table.getSelectionModel().clearSelection(); else table.getSelectionModel().select(chosen);
        }
        table.setDisable(session.isActive() || session.stateProperty().get() == DownloadSession.State.CHECKING);
        GgufFit fit = fit();
        heading.setText(!gguf || fit == null ? "" : "A GGUF repository: one quantization is downloaded. This machine has "
                + Sizes.bytes(fit.availableBytes()) + " of memory available (" + Sizes.bytes(fit.totalBytes()) + " in all); "
                + recommended().map(r -> r.quantization() + ", the largest that fits, is recommended.")
                        .orElse("none of these fits it: they run, but read their weights from disk again and again."));
    }

    private GgufFit fit() { return session == null ? null : session.ggufFitProperty().getValue(); }

    private Optional<GgufChoices.Choice> recommended() {
        GgufFit fit = fit();
        return fit == null ? Optional.empty() : fit.recommend(session.ggufChoices());
    }

    /** The memory column: e.g. "fits (needs 5.1 GB) · recommended", "does not fit: needs 14 GB". */
    static String memoryText(GgufChoices.Choice c, GgufFit fit, Optional<GgufChoices.Choice> recommended) {
        if (fit == null) return "";
        return switch (fit.verdict(c)) {
            case UNSUPPORTED -> "types this engine does not run";
            case INCOMPLETE -> "parts missing from the repository";
            case TOO_BIG -> "does not fit: needs " + Sizes.bytes(fit.memoryNeeded(c));
            case FITS -> "fits (needs " + Sizes.bytes(fit.memoryNeeded(c)) + ")"
                    + (recommended.filter(c::equals).isPresent() ? "  \u2605 recommended" : "");
        };
    }

    private static TableColumn<GgufChoices.Choice, String> column(String title, double width,
                                                                  java.util.function.Function<GgufChoices.Choice, String> text) {
        TableColumn<GgufChoices.Choice, String> col = new TableColumn<>(title);
        col.setCellValueFactory(c -> new ReadOnlyStringWrapper(text.apply(c.getValue())));
        col.setPrefWidth(width);
        col.setSortable(false);
        return col;
    }
}
