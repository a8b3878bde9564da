package org.mambaplayground.gui.metrics;

import java.util.List;
import javafx.geometry.Insets;
import javafx.geometry.Point2D;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Label;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Circle;
import javafx.scene.shape.Line;
import javafx.util.StringConverter;

/**
 * One chart: a title, a line chart whose axes may be log-scaled, and a legend that shows each series in
 * its own colour (dots for measured points, dashed lines for analytic curves).
 */
public final class PlotPanel extends VBox {
    private final NumberAxis xAxis = new NumberAxis();
    private final NumberAxis yAxis = new NumberAxis();
    private final LineChart<Number, Number> chart = new LineChart<>(xAxis, yAxis);
    private final FlowPane legend = new FlowPane(14, 4);
    private final String xLabel;
    private final String yLabel;
    private AxisScale xScale;
    private AxisScale yScale;
    private List<PlotSeries> series = List.of();

    public PlotPanel(String title, String xLabel, AxisScale xScale, String yLabel, AxisScale yScale) {
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        getStyleClass().add("plot-panel");
        Label heading = new Label(title);
        heading.getStyleClass().add("plot-title");
        applyScales(xScale, yScale);
        chart.setLegendVisible(false);
        chart.setAnimated(false);
        chart.setCreateSymbols(true);
        chart.setAxisSortingPolicy(LineChart.SortingPolicy.X_AXIS);
        chart.setMinHeight(220);
        VBox.setVgrow(chart, Priority.ALWAYS);
        legend.setPadding(new Insets(0, 8, 4, 8));
        legend.getStyleClass().add("plot-legend");
        getChildren().addAll(heading, chart, legend);
    }

    public LineChart<Number, Number> chart() { return chart; }

    public List<PlotSeries> series() { return series; }

    /** Number of measured points drawn now (all series). */
    public int measuredPointCount() {
        return series.stream().filter(s -> s.kind() == PlotSeries.Kind.MEASURED).mapToInt(s -> s.points().size()).sum();
    }

    /** Switches the axes between linear and log and plots the series again. FX thread. */
    public void setScales(AxisScale x, AxisScale y) {
        applyScales(x, y);
        setSeries(series);
    }

    public AxisScale yScale() { return yScale; }

    private void applyScales(AxisScale x, AxisScale y) {
        this.xScale = x;
        this.yScale = y;
        xAxis.setLabel(xLabel + (x.log() ? " (log)" : ""));
        yAxis.setLabel(yLabel + (y.log() ? " (log)" : ""));
        configure(xAxis, x);
        configure(yAxis, y);
    }

    /** Replaces what is plotted. FX thread. */
    public void setSeries(List<PlotSeries> newSeries) {
        this.series = List.copyOf(newSeries);
        chart.getData().clear();
        legend.getChildren().clear();
        double[] xRange = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        double[] yRange = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (PlotSeries s : series) {
            XYChart.Series<Number, Number> fx = new XYChart.Series<>();
            fx.setName(s.name());
            boolean measured = s.kind() == PlotSeries.Kind.MEASURED;
            for (Point2D p : s.points()) {
                double x = xScale.toChart(p.getX());
                double y = yScale.toChart(p.getY());
                if (Double.isNaN(x) || Double.isNaN(y) || Double.isInfinite(x) || Double.isInfinite(y)) continue;
                XYChart.Data<Number, Number> data = new XYChart.Data<>(x, y);
                data.setNode(symbol(s.color(), measured));
                fx.getData().add(data);
                xRange[0] = Math.min(xRange[0], x);
                xRange[1] = Math.max(xRange[1], x);
                yRange[0] = Math.min(yRange[0], y);
                yRange[1] = Math.max(yRange[1], y);
            }
            fx.nodeProperty().addListener((obs, old, node) -> {
                if (node != null) node.setStyle(lineStyle(s.color(), measured));
            });
            chart.getData().add(fx);
            if (fx.getNode() != null) fx.getNode().setStyle(lineStyle(s.color(), measured));
            legend.getChildren().add(legendEntry(s));
        }
        fitLogAxis(xAxis, xScale, xRange);
        fitLogAxis(yAxis, yScale, yRange);
    }

    private static String lineStyle(String color, boolean measured) {
        return measured ? "-fx-stroke: transparent;"
                : "-fx-stroke: " + color + "; -fx-stroke-width: 2px; -fx-stroke-dash-array: 8 5;";
    }

    private static Region symbol(String color, boolean measured) {
        Region dot = new Region();
        if (measured) {
            dot.setStyle("-fx-background-color: " + color + ", -color-bg-default; -fx-background-insets: 0, 2;"
                    + " -fx-background-radius: 5px; -fx-padding: 5px;");
        } else {
            dot.setVisible(false);
            dot.setManaged(false);
        }
        return dot;
    }

    private static Label legendEntry(PlotSeries s) {
        Label label = new Label(s.name());
        if (s.kind() == PlotSeries.Kind.MEASURED) {
            Circle c = new Circle(5);
            c.setStyle("-fx-fill: -color-bg-default; -fx-stroke: " + s.color() + "; -fx-stroke-width: 3;");
            label.setGraphic(c);
        } else {
            Line line = new Line(0, 0, 22, 0);
            line.setStyle("-fx-stroke: " + s.color() + "; -fx-stroke-width: 2; -fx-stroke-dash-array: 6 4;");
            label.setGraphic(line);
        }
        label.getStyleClass().add("plot-legend-entry");
        return label;
    }

    private static void configure(NumberAxis axis, AxisScale scale) {
        axis.setTickLabelFormatter(new StringConverter<>() {
            @Override public String toString(Number n) { return scale.label(n.doubleValue()); }
            @Override public Number fromString(String s) { throw new UnsupportedOperationException(); }
        });
        axis.setForceZeroInRange(!scale.log());
        axis.setAutoRanging(!scale.log());
        axis.setMinorTickVisible(!scale.log());
        if (scale.log()) {
            axis.setLowerBound(0);
            axis.setUpperBound(3);
            axis.setTickUnit(1);
        }
    }

    /** Log axes span whole decades around the data, one tick per decade (or per few when many). */
    private static void fitLogAxis(NumberAxis axis, AxisScale scale, double[] range) {
        if (!scale.log() || range[0] > range[1]) return;
        double lower = Math.floor(range[0]);
        double upper = Math.ceil(range[1]);
        if (upper <= lower) upper = lower + 1;
        axis.setLowerBound(lower);
        axis.setUpperBound(upper);
        axis.setTickUnit(Math.max(1, Math.ceil((upper - lower) / 8)));
    }
}
