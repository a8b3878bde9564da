package org.mambaplayground.gui.download;

import javafx.beans.property.DoubleProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/** One file of the download as the wizard's table shows it; changed on the FX thread. */
public final class FileRow {
    private final String path;
    private final long size;
    private final LongProperty bytesDone = new SimpleLongProperty();
    private final DoubleProperty fraction = new SimpleDoubleProperty();
    private final StringProperty status = new SimpleStringProperty("");

    FileRow(String path, long size, long bytesPresent, String status) {
        this.path = path;
        this.size = size;
        this.bytesDone.set(bytesPresent);
        this.fraction.set(size <= 0 ? 1 : (double) bytesPresent / size);
        this.status.set(status);
    }

    public String path() { return path; }

    public long size() { return size; }

    public LongProperty bytesDoneProperty() { return bytesDone; }

    public DoubleProperty fractionProperty() { return fraction; }

    public StringProperty statusProperty() { return status; }
}
