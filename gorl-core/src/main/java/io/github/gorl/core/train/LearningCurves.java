package io.github.gorl.core.train;

import io.github.gorl.api.Evaluation;
import io.github.gorl.decoders.nn.TensorFile;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG learning curves (evaluation return against environment steps), drawn with XChart, an optional dependency of
 * gorl-core ({@code org.knowm.xchart:xchart}): check {@link Listeners#learningCurvesAvailable()} before using this
 * class (loading it without XChart fails), as run directories do, which skip {@code learning_curve.png} then.
 */
public final class LearningCurves {

    private LearningCurves() {}

    /**
     * Draws one curve per named series and writes the PNG atomically. A single series whose evaluations span several
     * stages is drawn as one curve per stage ("stage 0 (identity decoder)", "stage k (after refit k)"), with a
     * dashed vertical line labelled "refit k" where stage k starts: the points on both sides of a line are the
     * composed policy right before and right after the decoder refit.
     *
     * @param file the PNG file
     * @param title the chart title
     * @param series series name to its evaluations in step order
     * @throws IOException if writing fails
     */
    public static void plot(Path file, String title, Map<String, List<Evaluation>> series) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        BitmapEncoder.saveBitmap(chart(title, series), png, BitmapEncoder.BitmapFormat.PNG);
        TensorFile.writeAtomically(file, png.toByteArray());
    }

    /** The chart {@link #plot} draws. */
    static XYChart chart(String title, Map<String, List<Evaluation>> series) {
        XYChart chart = new XYChartBuilder().width(900).height(540).title(title)
                .xAxisTitle("environment steps").yAxisTitle("evaluation return").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setXAxisDecimalPattern("#,###");
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        if (series.size() == 1) {
            List<Evaluation> points = series.values().iterator().next();
            Map<String, List<Evaluation>> stages = byStage(points);
            if (stages.size() > 1) {
                series = stages;
                markRefits(chart, points);
            }
        }
        chart.getStyler().setLegendVisible(series.size() > 1);
        for (Map.Entry<String, List<Evaluation>> e : series.entrySet()) {
            List<Evaluation> points = e.getValue();
            if (points.isEmpty()) {
                continue;
            }
            double[] x = new double[points.size()];
            double[] y = new double[points.size()];
            for (int i = 0; i < points.size(); i++) {
                x[i] = points.get(i).step();
                y[i] = points.get(i).meanReturn();
            }
            chart.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        return chart;
    }

    /** One series per stage, in stage order, named for the decoder it ran on. */
    private static Map<String, List<Evaluation>> byStage(List<Evaluation> points) {
        Map<String, List<Evaluation>> stages = new LinkedHashMap<>();
        for (Evaluation p : points) {
            String name = p.stage() == 0 ? "stage 0 (identity decoder)"
                    : "stage " + p.stage() + " (after refit " + p.stage() + ")";
            stages.computeIfAbsent(name, k -> new ArrayList<>()).add(p);
        }
        return stages;
    }

    /** A dashed vertical line and a label at each refit. */
    private static void markRefits(XYChart chart, List<Evaluation> points) {
        double top = points.stream().mapToDouble(Evaluation::meanReturn).filter(Double::isFinite).max().orElse(0);
        chart.getStyler().setAnnotationLineColor(Color.GRAY);
        chart.getStyler().setAnnotationLineStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
                10f, new float[] {6f, 4f}, 0f));
        for (Evaluation start : stageStarts(points)) {
            chart.addAnnotation(new AnnotationLine(start.step(), true, false));
            chart.addAnnotation(new AnnotationText("refit " + start.stage(), start.step(), top, false));
        }
    }

    /** The first evaluation of every stage after the first: where a refit happened. */
    static List<Evaluation> stageStarts(List<Evaluation> points) {
        List<Evaluation> starts = new ArrayList<>();
        for (int i = 1; i < points.size(); i++) {
            if (points.get(i).stage() != points.get(i - 1).stage()) {
                starts.add(points.get(i));
            }
        }
        return starts;
    }
}
