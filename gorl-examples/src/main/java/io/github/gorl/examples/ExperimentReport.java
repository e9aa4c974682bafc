package io.github.gorl.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gorl.decoders.nn.TensorFile;
import io.github.gorl.examples.ExperimentGrid.Outcome;
import io.github.gorl.examples.ExperimentGrid.Result;
import io.github.gorl.examples.ExperimentGrid.Run;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.apache.commons.math3.stat.StatUtils;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The outputs of an experiment grid, from the run directories of its finished runs: {@code curves.csv} (every
 * evaluation), {@code figure.png} (one panel per task, mean over seeds with a min..max band per algorithm) and
 * {@code summary.md} (final and best returns, mean ± std over seeds). All three are written atomically.
 */
final class ExperimentReport {

    /** Panels per row of the figure, as in the paper's figure. */
    static final int COLUMNS = 3;

    private static final int PANEL_WIDTH = 560;
    private static final int PANEL_HEIGHT = 400;
    private static final int HEADER_HEIGHT = 40;

    /** One colour per algorithm, by its position in the algorithm map (matplotlib's tab10). */
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
            new Color(0xbcbd22), new Color(0x17becf)};


    private ExperimentReport() {}

    /**
     * One evaluation of a run.
     *
     * @param step environment steps
     * @param evalReturn mean evaluation return
     */
    record Point(long step, double evalReturn) {}

    /**
     * What a finished run contributes.
     *
     * @param run the run
     * @param evaluations its evaluations in file order ({@code metrics.csv} rows with phase {@code evaluation})
     * @param finalReturn {@code final_eval_return} of its {@code summary.json}
     * @param bestReturn {@code best_eval_return} of its {@code summary.json}
     */
    record RunData(Run run, List<Point> evaluations, double finalReturn, double bestReturn) {}

    /**
     * Seeds' curves on a common step grid.
     *
     * @param steps the common steps, increasing
     * @param mean the mean over seeds at each step
     * @param min the minimum over seeds at each step
     * @param max the maximum over seeds at each step
     * @param seeds the number of seeds
     */
    record Band(double[] steps, double[] mean, double[] min, double[] max, int seeds) {}

    /**
     * Reads the finished runs among {@code runs}; a finished run whose files cannot be read is reported and left out.
     *
     * @param runs the grid's runs
     * @param log where warnings go
     * @return the data of the readable finished runs, in the order of {@code runs}
     */
    static List<RunData> read(List<Run> runs, PrintStream log) {
        List<RunData> data = new ArrayList<>();
        for (Run run : runs) {
            if (!run.finished()) {
                continue;
            }
            try {
                JsonNode summary = run.readSummary();
                data.add(new RunData(run, evaluations(run.dir().resolve("metrics.csv")),
                        summary.path("final_eval_return").asDouble(Double.NaN),
                        summary.path("best_eval_return").asDouble(Double.NaN)));
            } catch (IOException | RuntimeException e) {
                log.println("warning: left out " + run.id() + ": cannot read its run directory: " + e.getMessage());
            }
        }
        return data;
    }

    /** The evaluation rows of a {@code metrics.csv}, found by column name. */
    static List<Point> evaluations(Path metricsCsv) throws IOException {
        List<String> lines = Files.readAllLines(metricsCsv, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IOException(metricsCsv + " is empty");
        }
        List<String> header = Arrays.asList(lines.get(0).split(",", -1));
        int step = header.indexOf("step");
        int phase = header.indexOf("phase");
        int evalReturn = header.indexOf("eval_return");
        if (step < 0 || phase < 0 || evalReturn < 0) {
            throw new IOException(metricsCsv + " lacks a step, phase or eval_return column");
        }
        List<Point> points = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            if (cells.length > evalReturn && cells[phase].equals("evaluation") && !cells[evalReturn].isEmpty()) {
                points.add(new Point(Long.parseLong(cells[step]), Double.parseDouble(cells[evalReturn])));
            }
        }
        return points;
    }

    /**
     * Aligns seeds' curves: the common steps are the union of the seeds' evaluation steps where every seed has been
     * evaluated (from the latest first evaluation to the earliest last one), and each seed's return there is linearly
     * interpolated between its neighbouring evaluations. Where a run evaluated twice at one step (before and after a
     * decoder refit), the later evaluation counts.
     *
     * @param seeds each seed's evaluations
     * @return the band, or {@code null} when there is no seed or the seeds' step ranges do not overlap
     */
    static Band align(List<List<Point>> seeds) {
        List<NavigableMap<Long, Double>> curves = new ArrayList<>();
        for (List<Point> points : seeds) {
            NavigableMap<Long, Double> curve = new TreeMap<>();
            points.forEach(p -> curve.put(p.step(), p.evalReturn()));
            if (!curve.isEmpty()) {
                curves.add(curve);
            }
        }
        if (curves.isEmpty()) {
            return null;
        }
        long from = curves.stream().mapToLong(NavigableMap::firstKey).max().orElseThrow();
        long to = curves.stream().mapToLong(NavigableMap::lastKey).min().orElseThrow();
        if (from > to) {
            return null;
        }
        TreeSet<Long> grid = new TreeSet<>();
        curves.forEach(c -> grid.addAll(c.subMap(from, true, to, true).keySet()));
        int n = grid.size();
        double[] steps = new double[n];
        double[] mean = new double[n];
        double[] min = new double[n];
        double[] max = new double[n];
        int i = 0;
        for (long step : grid) {
            double[] values = curves.stream().mapToDouble(c -> interpolate(c, step)).toArray();
            steps[i] = step;
            mean[i] = StatUtils.mean(values);
            min[i] = StatUtils.min(values);
            max[i] = StatUtils.max(values);
            i++;
        }
        return new Band(steps, mean, min, max, curves.size());
    }

    private static double interpolate(NavigableMap<Long, Double> curve, long step) {
        Map.Entry<Long, Double> lo = curve.floorEntry(step);
        Map.Entry<Long, Double> hi = curve.ceilingEntry(step);
        if (lo.getKey() == step) {
            return lo.getValue();
        }
        double w = (double) (step - lo.getKey()) / (hi.getKey() - lo.getKey());
        return lo.getValue() + w * (hi.getValue() - lo.getValue());
    }

    /**
     * Writes {@code curves.csv}, {@code figure.png} and {@code summary.md} into the grid's output folder.
     *
     * @param grid the grid
     * @param data the finished runs' data
     * @param outcomes this invocation's outcomes (failed runs are listed in the summary)
     * @param commandLine the command line of this invocation
     * @throws IOException if writing fails
     */
    static void write(ExperimentGrid grid, List<RunData> data, List<Outcome> outcomes, String commandLine)
            throws IOException {
        Files.createDirectories(grid.out());
        TensorFile.writeAtomically(grid.out().resolve("curves.csv"), curvesCsv(data).getBytes(StandardCharsets.UTF_8));
        TensorFile.writeAtomically(grid.out().resolve("figure.png"), figure(grid, data));
        TensorFile.writeAtomically(grid.out().resolve("summary.md"),
                summaryMarkdown(grid, data, outcomes, commandLine).getBytes(StandardCharsets.UTF_8));
    }

    static String curvesCsv(List<RunData> data) {
        StringBuilder csv = new StringBuilder("task,algo,seed,step,eval_return\n");
        for (RunData d : data) {
            for (Point p : d.evaluations()) {
                csv.append(d.run().task()).append(',').append(d.run().algo()).append(',').append(d.run().seed())
                        .append(',').append(p.step()).append(',').append(p.evalReturn()).append('\n');
            }
        }
        return csv.toString();
    }

    static String summaryMarkdown(ExperimentGrid grid, List<RunData> data, List<Outcome> outcomes,
            String commandLine) {
        StringBuilder md = new StringBuilder("# Experiments\n\n```\n").append(commandLine).append("\n```\n\n");
        md.append("Evaluation return (deterministic policy) of the final and of the best evaluation of each run:"
                + " mean ± standard deviation over the finished seeds (sample standard deviation; none for one seed)."
                + " The figure `figure.png` shows the mean over seeds and the min..max range.\n\n");
        md.append("| task | algorithm | seeds finished | final return | best return |\n|---|---|---|---|---|\n");
        for (String task : grid.tasks()) {
            for (String algo : grid.algos()) {
                List<RunData> runs = of(data, task, algo);
                md.append(String.format(Locale.ROOT, "| %s | %s | %d/%d | %s | %s |%n", task, algo, runs.size(),
                        grid.seeds().size(), meanStd(runs.stream().mapToDouble(RunData::finalReturn).toArray()),
                        meanStd(runs.stream().mapToDouble(RunData::bestReturn).toArray())));
            }
        }
        List<Outcome> failed = outcomes.stream().filter(o -> o.result() == Result.FAILED).toList();
        if (!failed.isEmpty()) {
            md.append("\nFailed runs:\n\n");
            for (Outcome o : failed) {
                md.append("- ").append(o.run().id()).append(": ").append(o.message()).append('\n');
            }
        }
        return md.toString();
    }

    private static String meanStd(double[] values) {
        if (values.length == 0) {
            return "-";
        }
        DescriptiveStatistics stats = new DescriptiveStatistics(values);
        return values.length == 1 ? String.format(Locale.ROOT, "%.1f", stats.getMean())
                : String.format(Locale.ROOT, "%.1f ± %.1f", stats.getMean(), stats.getStandardDeviation());
    }

    private static List<RunData> of(List<RunData> data, String task, String algo) {
        return data.stream().filter(d -> d.run().task().equals(task) && d.run().algo().equals(algo)).toList();
    }

    /** The figure: one panel per task, {@value #COLUMNS} to a row, composed into one PNG. */
    static byte[] figure(ExperimentGrid grid, List<RunData> data) throws IOException {
        List<String> tasks = grid.tasks();
        int columns = Math.min(COLUMNS, tasks.size());
        int rows = (tasks.size() + columns - 1) / columns;
        BufferedImage image = new BufferedImage(columns * PANEL_WIDTH, HEADER_HEIGHT + rows * PANEL_HEIGHT,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.setColor(Color.DARK_GRAY);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
            // Short enough for a one-panel figure (PANEL_WIDTH wide); a longer title was cut off there.
            g.drawString("Evaluation return: mean over seeds, shaded min..max", 12, 26);
            for (int i = 0; i < tasks.size(); i++) {
                BufferedImage panel = BitmapEncoder.getBufferedImage(panel(grid, tasks.get(i), data));
                g.drawImage(panel, (i % columns) * PANEL_WIDTH, HEADER_HEIGHT + (i / columns) * PANEL_HEIGHT, null);
            }
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        return png.toByteArray();
    }

    private static XYChart panel(ExperimentGrid grid, String task, List<RunData> data) {
        XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(task)
                .xAxisTitle("environment steps").yAxisTitle("evaluation return").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setLegendBackgroundColor(new Color(255, 255, 255, 200));
        boolean any = false;
        for (String algo : grid.algos()) {
            List<RunData> runs = of(data, task, algo);
            Band band = align(runs.stream().map(RunData::evaluations).toList());
            if (band == null) {
                continue;
            }
            any = true;
            Color colour = PALETTE[Math.max(0, grid.colourIndex(algo)) % PALETTE.length];
            if (band.seeds() > 1) {
                // A closed polygon: along the maxima forward, back along the minima.
                int n = band.steps().length;
                double[] x = new double[2 * n];
                double[] y = new double[2 * n];
                for (int i = 0; i < n; i++) {
                    x[i] = band.steps()[i];
                    y[i] = band.max()[i];
                    x[2 * n - 1 - i] = band.steps()[i];
                    y[2 * n - 1 - i] = band.min()[i];
                }
                XYSeries shade = chart.addSeries(algo + " min..max", x, y);
                shade.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
                shade.setFillColor(new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), 56));
                shade.setLineColor(new Color(0, 0, 0, 0));
                shade.setMarker(SeriesMarkers.NONE);
                shade.setShowInLegend(false);
            }
            XYSeries mean = chart.addSeries(String.format(Locale.ROOT, "%s (%d seed%s)", algo, band.seeds(),
                    band.seeds() == 1 ? "" : "s"), band.steps(), band.mean());
            mean.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            mean.setLineColor(colour);
            mean.setMarkerColor(colour);
            mean.setMarker(band.steps().length == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        }
        if (!any) {
            chart.setTitle(task + " (no finished run)");
            chart.addSeries("none", new double[] {0}, new double[] {0}).setShowInLegend(false);
            chart.getStyler().setLegendVisible(false);
        }
        return chart;
    }
}
