package io.github.gorl.analysis;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The {@code actions.png} figure of an {@link ActionDistribution}, drawn with XChart. */
final class ActionPlots {

    static final int PANEL_WIDTH = 480;
    static final int PANEL_HEIGHT = 340;
    static final int MAX_COLUMNS = 3;
    /** Points drawn in the scatter plot; more only blacken it. */
    static final int MAX_SCATTER_POINTS = 5000;

    private ActionPlots() {}

    /** The figure as PNG bytes: a grid of one histogram panel per dimension, then the scatter panel. */
    static byte[] png(ActionDistribution dist) throws IOException {
        List<XYChart> panels = new ArrayList<>();
        for (ActionDistribution.Dimension d : dist.dimensions()) {
            panels.add(histogram(dist.samples(d.index()), d));
        }
        int[] top = dist.highestVarianceDimensions();
        if (top.length == 2) {
            panels.add(scatter(dist.samples(top[0]), dist.samples(top[1]), top[0], top[1]));
        }
        int columns = Math.min(MAX_COLUMNS, panels.size());
        int rows = (panels.size() + columns - 1) / columns;
        BufferedImage canvas = new BufferedImage(columns * PANEL_WIDTH, rows * PANEL_HEIGHT,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        try {
            g.setColor(panels.get(0).getStyler().getChartBackgroundColor());
            g.fillRect(0, 0, canvas.getWidth(), canvas.getHeight());
            for (int i = 0; i < panels.size(); i++) {
                g.drawImage(BitmapEncoder.getBufferedImage(panels.get(i)), (i % columns) * PANEL_WIDTH,
                        (i / columns) * PANEL_HEIGHT, null);
            }
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(canvas, "png", out)) {
            throw new IOException("no PNG writer is available in this JVM");
        }
        return out.toByteArray();
    }

    /** A density-scaled histogram with the kernel density estimate and its modes overlaid. */
    private static XYChart histogram(double[] values, ActionDistribution.Dimension d) {
        String title = String.format(Locale.ROOT, "a[%d]: dip %.3f, p %s, %d mode%s", d.index(),
                d.dip().statistic(), ActionDistribution.formatPValue(d.dip().pValue()), d.modeCount(),
                d.modeCount() == 1 ? "" : "s");
        XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(title)
                .xAxisTitle("action " + d.index()).yAxisTitle("density").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(13f));

        double lo = d.min();
        double hi = d.max();
        if (!(hi > lo)) {
            lo -= 0.5;
            hi += 0.5;
        }
        int bins = (int) Math.max(10, Math.min(80, Math.ceil(Math.sqrt(values.length))));
        double width = (hi - lo) / bins;
        double[] counts = new double[bins];
        for (double v : values) {
            counts[Math.min(bins - 1, (int) ((v - lo) / width))]++;
        }
        double[] edges = new double[bins + 1];
        double[] heights = new double[bins + 1];
        for (int b = 0; b <= bins; b++) {
            edges[b] = lo + b * width;
            heights[b] = counts[Math.min(b, bins - 1)] / (values.length * width);
        }
        XYSeries bars = chart.addSeries("histogram", edges, heights);
        bars.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.StepArea);
        bars.setMarker(SeriesMarkers.NONE);
        bars.setFillColor(new Color(120, 160, 210, 150));
        bars.setLineColor(new Color(80, 120, 180));

        KernelDensity.Grid grid = KernelDensity.fit(values, d.bandwidth()).grid(256);
        XYSeries kde = chart.addSeries("KDE", grid.x(), grid.density());
        kde.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        kde.setMarker(SeriesMarkers.NONE);
        kde.setLineColor(new Color(200, 40, 40));

        double[] modeX = new double[d.modeCount()];
        double[] modeY = new double[d.modeCount()];
        for (int m = 0; m < modeX.length; m++) {
            modeX[m] = d.modes().get(m).location();
            modeY[m] = d.modes().get(m).density();
        }
        XYSeries modes = chart.addSeries("modes", modeX, modeY);
        modes.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        modes.setMarker(SeriesMarkers.DIAMOND);
        modes.setMarkerColor(Color.BLACK);
        return chart;
    }

    /** The joint distribution of two dimensions, thinned to at most {@link #MAX_SCATTER_POINTS} points. */
    private static XYChart scatter(double[] xs, double[] ys, int dx, int dy) {
        XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
                .title("a[" + dx + "] vs a[" + dy + "] (highest variance)")
                .xAxisTitle("action " + dx).yAxisTitle("action " + dy).build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setMarkerSize(2);
        chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(13f));
        int stride = Math.max(1, (xs.length + MAX_SCATTER_POINTS - 1) / MAX_SCATTER_POINTS);
        int n = (xs.length + stride - 1) / stride;
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = xs[i * stride];
            y[i] = ys[i * stride];
        }
        XYSeries points = chart.addSeries("actions", x, y);
        points.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        points.setMarker(SeriesMarkers.CIRCLE);
        points.setMarkerColor(new Color(40, 90, 160, 90));
        return chart;
    }
}
