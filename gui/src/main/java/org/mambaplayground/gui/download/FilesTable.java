package org.mambaplayground.gui.download;

import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import org.mambaplayground.engine.model.Sizes;

/** The files of a download with a progress bar each. */
final class FilesTable extends TableView<FileRow> {
    FilesTable() {
        setId("download-files");
        TableColumn<FileRow, String> name = new TableColumn<>("File");
        name.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().path()));
        name.setPrefWidth(200);
        TableColumn<FileRow, String> size = new TableColumn<>("Size");
        size.setCellValueFactory(c -> new ReadOnlyStringWrapper(Sizes.bytes(c.getValue().size())));
        size.setPrefWidth(80);
        TableColumn<FileRow, Number> progress = new TableColumn<>("Progress");
        progress.setCellValueFactory(c -> c.getValue().fractionProperty());
        progress.setCellFactory(c -> new BarCell());
        progress.setPrefWidth(140);
        TableColumn<FileRow, String> status = new TableColumn<>("Status");
        status.setCellValueFactory(c -> c.getValue().statusProperty());
        status.setPrefWidth(220);
        getColumns().setAll(java.util.List.of(name, size, progress, status));
        setColumnResizePolicy(CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        setPrefHeight(190);
    }

    private static final class BarCell extends TableCell<FileRow, Number> {
        private final ProgressBar bar = new ProgressBar();

        BarCell() {
            bar.setMaxWidth(Double.MAX_VALUE);
            bar.getStyleClass().add("file-progress");
        }

        @Override
        protected void updateItem(Number value, boolean empty) {
            super.updateItem(value, empty);
            if (empty || value == null) {
                setGraphic(null);
            } else {
                bar.setProgress(value.doubleValue());
                setGraphic(bar);
            }
        }
    }
}
