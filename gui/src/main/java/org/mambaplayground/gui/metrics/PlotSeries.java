package org.mambaplayground.gui.metrics;

import java.util.List;
import javafx.geometry.Point2D;

/**
 * A series to plot: measured points are drawn as dots, analytic ones as a dashed curve.
 *
 * @param color a CSS colour, e.g. "#1f77b4"
 */
public record PlotSeries(String name, String color, Kind kind, List<Point2D> points) {
    public enum Kind { MEASURED, ANALYTIC }

    public PlotSeries {
        points = List.copyOf(points);
    }
}
