package io.github.gorl.core.train;

import io.github.gorl.api.Evaluation;
import io.github.gorl.decoders.nn.TensorFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG learning curves (evaluation return against environment steps), drawn with XChart, an optional dependency of
 * gorl-core ({@code org.knowm.xchart:xchart}): check {@link Listeners#learningCurvesAvailable()} before using this
 * class (loading it without XChart fails), as run directories do, which skip {@code learning_curve.png} then.
 */
public final class LearningCurves {

    private LearningCurves() {}


    /**
     * Draws one curve per named series and writes the PNG atomically.
     *
     * @param file the PNG file
     * @param title the chart title
     * @param series series name to its evaluations in step order
     * @throws IOException if writing fails
     */
    public static void plot(Path file, String title, Map<String, List<Evaluation>> series) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(540).title(title)
                .xAxisTitle("environment steps").yAxisTitle("evaluation return").build();
        chart.getStyler().setLegendVisible(series.size() > 1);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
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
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        BitmapEncoder.saveBitmap(chart, png, BitmapEncoder.BitmapFormat.PNG);
        TensorFile.writeAtomically(file, png.toByteArray());
    }
}
