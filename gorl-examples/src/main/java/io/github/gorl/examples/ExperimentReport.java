package io.github.gorl.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gorl.core.train.JsonFile;
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
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
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

    /** The env steps at which the paper's curves were read off ({@link #PAPER}). */
    static final long[] PAPER_STEPS = {15_000_000L, 30_000_000L};

    /**
     * The paper's mean evaluation return at {@link #PAPER_STEPS}, read off its learning-curve figure (3+ seeds) by
     * eye, so good to about +-20: task, then algorithm, then one value per step. The read-off is recorded in
     * {@code shared/REFERENCE.md} and docs/results.md.
     */
    static final Map<String, Map<String, double[]>> PAPER = Map.of(
            "CheetahRun", Map.of("gorl-fm", new double[] {310, 500}, "gorl-diffusion", new double[] {300, 480},
                    "gaussian-ppo", new double[] {190, 350}, "fpo", new double[] {460, 680},
                    "dppo", new double[] {50, 100}),
            "FingerTurnHard", Map.of("gorl-fm", new double[] {430, 690}, "gorl-diffusion", new double[] {440, 690},
                    "gaussian-ppo", new double[] {310, 540}, "fpo", new double[] {400, 610},
                    "dppo", new double[] {190, 290}),
            "WalkerWalk", Map.of("gorl-fm", new double[] {330, 590}, "gorl-diffusion", new double[] {330, 560},
                    "gaussian-ppo", new double[] {160, 320}, "fpo", new double[] {430, 730},
                    "dppo", new double[] {50, 70}),
            "HopperStand", Map.of("gorl-fm", new double[] {80, 230}, "gorl-diffusion", new double[] {40, 100},
                    "gaussian-ppo", new double[] {30, 60}, "fpo", new double[] {20, 30},
                    "dppo", new double[] {0, 0}));

    private ExperimentReport() {}

    /**
     * How far beyond a curve's last step the paper's points are still drawn: a curve that ends at 10M env steps shows
     * the paper's 15M point (the target it is read against, 1.5x further on the same axis), one that ends at 5M does
     * not. The factor has 2% of slack, so that a run that ends a few steps short of 10M, its budget rounded to whole
     * updates, still shows it.
     */
    static final double PAPER_REACH = 1.52;

    /**
     * The paper's read-off points of one task and algorithm up to {@link #PAPER_REACH} times {@code maxStep}.
     *
     * @return the points in step order; empty where the paper has no curve for them
     */
    static List<Point> paperPoints(String task, String algo, double maxStep) {
        double[] values = PAPER.getOrDefault(task, Map.of()).get(algo);
        List<Point> points = new ArrayList<>();
        for (int i = 0; values != null && i < PAPER_STEPS.length; i++) {
            if (PAPER_STEPS[i] <= maxStep * PAPER_REACH) {
                points.add(new Point(PAPER_STEPS[i], values[i]));
            }
        }
        return points;
    }

    /**
     * One evaluation (or other event) of a run.
     *
     * @param step environment steps
     * @param evalReturn mean evaluation return ({@code NaN} for an event that is no evaluation)
     * @param wallSeconds seconds since the run started ({@code NaN} where unknown); where a resumed run's clock
     *     restarts at 0 in {@code metrics.csv} (files of earlier versions), {@link #metrics} continues it from the last
     *     row before the restart instead
     */
    record Point(long step, double evalReturn, double wallSeconds) {

        /** An evaluation without its wall time. */
        Point(long step, double evalReturn) {
            this(step, evalReturn, Double.NaN);
        }
    }

    /**
     * What {@link #metrics} reads of a {@code metrics.csv}.
     *
     * @param evaluations the evaluation rows in file order
     * @param refits the first row of each decoder refit (a run of consecutive {@code decoder} rows), in file order;
     *     their {@code evalReturn} is {@code NaN}
     */
    record Metrics(List<Point> evaluations, List<Point> refits) {}

    /**
     * What a finished run contributes.
     *
     * @param run the run
     * @param evaluations its evaluations in file order ({@code metrics.csv} rows with phase {@code evaluation})
     * @param finalReturn {@code final_eval_return} of its {@code summary.json}
     * @param bestReturn {@code best_eval_return} of its {@code summary.json}
     * @param envSteps {@code env_steps} of its {@code summary.json} ({@code NaN} where missing)
     * @param wallSeconds {@code wall_seconds} of its {@code summary.json}: the training's wall time, without the
     *     analysis after it ({@code NaN} where missing)
     */
    record RunData(Run run, List<Point> evaluations, double finalReturn, double bestReturn, double envSteps,
            double wallSeconds) {}

    /**
     * One curve of the figure: the seeds of one algorithm on one task, from one grid.
     *
     * @param task the panel it is drawn on
     * @param name its legend name
     * @param algo the algorithm (a key of {@link ExperimentGrid#ALGORITHMS} where the paper's points are wanted)
     * @param colour its colour
     * @param runs its seeds
     */
    record Curve(String task, String name, String algo, Color colour, List<RunData> runs) {}

    /**
     * Seeds' curves on a common grid of x values (environment steps, or wall seconds).
     *
     * @param x the common x values, increasing
     * @param mean the mean over seeds at each x
     * @param min the minimum over seeds at each x
     * @param max the maximum over seeds at each x
     * @param seeds the number of seeds
     */
    record Band(double[] x, double[] mean, double[] min, double[] max, int seeds) {

        /** This band with every x multiplied by {@code factor} (seconds to minutes, say). */
        Band scaled(double factor) {
            return new Band(Arrays.stream(x).map(v -> v * factor).toArray(), mean, min, max, seeds);
        }
    }

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
                        summary.path("best_eval_return").asDouble(Double.NaN),
                        summary.path("env_steps").asDouble(Double.NaN),
                        summary.path("wall_seconds").asDouble(Double.NaN)));
            } catch (IOException | RuntimeException e) {
                log.println("warning: left out " + run.id() + ": cannot read its run directory: " + e.getMessage());
            }
        }
        return data;
    }

    /** The evaluation rows of a {@code metrics.csv}, found by column name. */
    static List<Point> evaluations(Path metricsCsv) throws IOException {
        return metrics(metricsCsv).evaluations();
    }

    /**
     * The evaluations and decoder refits of a {@code metrics.csv}, columns found by name; {@code wall_seconds} is
     * optional ({@code NaN} without it). Where {@code wall_seconds} falls from one row to the next (a run resumed by an
     * earlier version restarted its clock at 0), later rows are shifted by the last time before the fall, so the time
     * is cumulative; the time between a run's last row and its interruption is not counted.
     */
    static Metrics metrics(Path metricsCsv) throws IOException {
        List<String> lines = Files.readAllLines(metricsCsv, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IOException(metricsCsv + " is empty");
        }
        List<String> header = Arrays.asList(lines.get(0).split(",", -1));
        int step = header.indexOf("step");
        int phase = header.indexOf("phase");
        int evalReturn = header.indexOf("eval_return");
        int wall = header.indexOf("wall_seconds");
        if (step < 0 || phase < 0 || evalReturn < 0) {
            throw new IOException(metricsCsv + " lacks a step, phase or eval_return column");
        }
        List<Point> evaluations = new ArrayList<>();
        List<Point> refits = new ArrayList<>();
        double offset = 0;
        double previousWall = Double.NaN;
        boolean inRefit = false;
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            if (cells.length <= phase || cells.length <= step) {
                continue;
            }
            double seconds = wall >= 0 && cells.length > wall && !cells[wall].isEmpty()
                    ? Double.parseDouble(cells[wall]) : Double.NaN;
            if (seconds < previousWall) {
                offset += previousWall;
            }
            if (!Double.isNaN(seconds)) {
                previousWall = seconds;
            }
            boolean decoder = cells[phase].equals("decoder");
            if (decoder && !inRefit) {
                refits.add(new Point(Long.parseLong(cells[step]), Double.NaN, seconds + offset));
            }
            inRefit = decoder;
            if (cells.length > evalReturn && cells[phase].equals("evaluation") && !cells[evalReturn].isEmpty()) {
                evaluations.add(new Point(Long.parseLong(cells[step]), Double.parseDouble(cells[evalReturn]),
                        seconds + offset));
            }
        }
        return new Metrics(evaluations, refits);
    }

    /**
     * Aligns seeds' curves on their environment steps: the common steps are the union of the seeds' evaluation steps
     * where every seed has been evaluated (from the latest first evaluation to the earliest last one), and each seed's
     * return there is linearly interpolated between its neighbouring evaluations. Where a run evaluated twice at one
     * step (before and after a decoder refit), the later evaluation counts.
     *
     * @param seeds each seed's evaluations
     * @return the band, or {@code null} when there is no seed or the seeds' step ranges do not overlap
     */
    static Band align(List<List<Point>> seeds) {
        return align(seeds, Point::step);
    }

    /**
     * Aligns seeds' curves as {@link #align(List)} does, on the x value {@code x} gives each evaluation (its step, or
     * its wall seconds); evaluations whose x is {@code NaN} are left out.
     *
     * @param seeds each seed's evaluations
     * @param x an evaluation's position on the x axis
     * @return the band, or {@code null} when there is no seed or the seeds' ranges do not overlap
     */
    static Band align(List<List<Point>> seeds, ToDoubleFunction<Point> x) {
        List<NavigableMap<Double, Double>> curves = new ArrayList<>();
        for (List<Point> points : seeds) {
            NavigableMap<Double, Double> curve = new TreeMap<>();
            points.stream().filter(p -> !Double.isNaN(x.applyAsDouble(p)))
                    .forEach(p -> curve.put(x.applyAsDouble(p), p.evalReturn()));
            if (!curve.isEmpty()) {
                curves.add(curve);
            }
        }
        if (curves.isEmpty()) {
            return null;
        }
        double from = curves.stream().mapToDouble(NavigableMap::firstKey).max().orElseThrow();
        double to = curves.stream().mapToDouble(NavigableMap::lastKey).min().orElseThrow();
        if (from > to) {
            return null;
        }
        TreeSet<Double> grid = new TreeSet<>();
        curves.forEach(c -> grid.addAll(c.subMap(from, true, to, true).keySet()));
        int n = grid.size();
        double[] xs = new double[n];
        double[] mean = new double[n];
        double[] min = new double[n];
        double[] max = new double[n];
        int i = 0;
        for (double at : grid) {
            double[] values = curves.stream().mapToDouble(c -> interpolate(c, at)).toArray();
            xs[i] = at;
            mean[i] = StatUtils.mean(values);
            min[i] = StatUtils.min(values);
            max[i] = StatUtils.max(values);
            i++;
        }
        return new Band(xs, mean, min, max, curves.size());
    }

    private static double interpolate(NavigableMap<Double, Double> curve, double at) {
        Map.Entry<Double, Double> lo = curve.floorEntry(at);
        Map.Entry<Double, Double> hi = curve.ceilingEntry(at);
        if (lo.getKey() == at) {
            return lo.getValue();
        }
        double w = (at - lo.getKey()) / (hi.getKey() - lo.getKey());
        return lo.getValue() + w * (hi.getValue() - lo.getValue());
    }

    /**
     * Writes {@code curves.csv}, {@code figure.png} and {@code summary.md} into the grid's output folder.
     *
     * @param grid the grid
     * @param data the finished runs' data: the grid's, and others of its folder
     *     ({@link ExperimentGrid#runsWithOthersInFolder}), which are drawn and tabled after the grid's own
     * @param outcomes this invocation's outcomes (failed runs are listed in the summary)
     * @param commandLine the command line of this invocation
     * @throws IOException if writing fails
     */
    static void write(ExperimentGrid grid, List<RunData> data, List<Outcome> outcomes, String commandLine)
            throws IOException {
        Files.createDirectories(grid.out());
        TensorFile.writeAtomically(grid.out().resolve("curves.csv"), curvesCsv(data).getBytes(StandardCharsets.UTF_8));
        List<Curve> curves = new ArrayList<>();
        List<String> tasks = tasks(grid, data);
        List<String> algos = algos(grid, data);
        for (String task : tasks) {
            for (String algo : algos) {
                curves.add(new Curve(task, algo, algo, colour(Math.max(0, grid.colourIndex(algo))),
                        of(data, task, algo)));
            }
        }
        TensorFile.writeAtomically(grid.out().resolve("figure.png"), figure(tasks, curves));
        TensorFile.writeAtomically(grid.out().resolve("summary.md"),
                summaryMarkdown(grid, data, outcomes, commandLine).getBytes(StandardCharsets.UTF_8));
    }

    /** The grid's tasks, then those of other runs in {@code data}, in the order found. */
    static List<String> tasks(ExperimentGrid grid, List<RunData> data) {
        Set<String> tasks = new LinkedHashSet<>(grid.tasks());
        data.forEach(d -> tasks.add(d.run().task()));
        return List.copyOf(tasks);
    }

    /** The grid's algorithms, then those of other runs in {@code data}, in the algorithm map's order. */
    static List<String> algos(ExperimentGrid grid, List<RunData> data) {
        Set<String> algos = new LinkedHashSet<>(grid.algos());
        data.stream().map(d -> d.run().algo()).distinct()
                .sorted(Comparator.comparingInt(a -> grid.colourIndex(a) < 0 ? Integer.MAX_VALUE : grid.colourIndex(a)))
                .forEach(algos::add);
        return List.copyOf(algos);
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
        md.append("Evaluation return (deterministic policy) of the final and of the best evaluation of each run, and"
                + " its late mean (the mean evaluation over its last 20% of env steps):"
                + " mean ± standard deviation over the finished seeds (sample standard deviation; none for one seed)."
                + " The figure `figure.png` shows the mean over seeds and the min..max range.\n\n");
        md.append("The paper's column is its mean return at 15M / 30M env steps, read off its figure.\n\n");
        md.append("| task | algorithm | seeds finished | final return | best return | late mean"
                + " | paper at 15M / 30M |\n|---|---|---|---|---|---|---|\n");
        boolean others = false;
        List<String> algos = algos(grid, data);
        for (String task : tasks(grid, data)) {
            for (String algo : algos) {
                List<RunData> runs = of(data, task, algo);
                boolean ours = grid.tasks().contains(task) && grid.algos().contains(algo);
                long mine = ours ? runs.stream().filter(d -> grid.seeds().contains(d.run().seed())).count() : 0;
                long extra = runs.size() - mine;
                if (!ours && runs.isEmpty()) {
                    continue;
                }
                others |= extra > 0;
                String seeds = ours ? mine + "/" + grid.seeds().size() + (extra > 0 ? " + " + extra + " *" : "")
                        : extra + " *";
                double[] paper = PAPER.getOrDefault(task, Map.of()).get(algo);
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", task, algo, seeds,
                        meanStd(runs.stream().mapToDouble(RunData::finalReturn).toArray()),
                        meanStd(runs.stream().mapToDouble(RunData::bestReturn).toArray()),
                        meanStd(runs.stream().mapToDouble(ExperimentReport::lateMean).toArray()),
                        paper == null ? "-" : String.format(Locale.ROOT, "~%.0f / ~%.0f", paper[0], paper[1])));
            }
        }
        if (others) {
            md.append("\n\\* finished runs that this folder holds from another command (other tasks, algorithms or"
                    + " seeds): drawn and counted with this command's.\n");
        }
        md.append(multimodalityMarkdown(data));
        List<Outcome> failed = outcomes.stream().filter(o -> o.result() == Result.FAILED).toList();
        if (!failed.isEmpty()) {
            md.append("\nFailed runs:\n\n");
            for (Outcome o : failed) {
                md.append("- ").append(o.run().id()).append(": ").append(o.message()).append('\n');
            }
        }
        return md.toString();
    }

    /**
     * The dip tests of the runs that {@code --multimodality} analysed ({@code multimodality/stats.json} in the run
     * folder): per run and action dimension the dip statistic, its p-value and the kernel density's modes with their
     * masses; empty when no run has one. A file that cannot be read is named in the table.
     */
    static String multimodalityMarkdown(List<RunData> data) {
        StringBuilder md = new StringBuilder();
        for (RunData d : data) {
            Path stats = d.run().dir().resolve(ExperimentGrid.MULTIMODALITY_DIR).resolve("stats.json");
            if (!Files.isRegularFile(stats)) {
                continue;
            }
            if (md.length() == 0) {
                md.append("\n## Multimodality\n\n`gorl multimodality` at the state each run's deterministic policy"
                        + " reached (`multimodality/` in its folder): per action dimension Hartigan's dip statistic,"
                        + " its p-value (below 0.05: not unimodal) and the kernel density's modes, mass at location."
                        + "\n\n| task | algorithm | seed | dim | dip | p-value | modes |\n|---|---|---|---|---|---|---|\n");
            }
            String run = String.format(Locale.ROOT, "| %s | %s | %d ", d.run().task(), d.run().algo(), d.run().seed());
            try {
                JsonNode json = JsonFile.parse(stats);
                for (JsonNode dim : json.path("dimensions")) {
                    StringBuilder modes = new StringBuilder();
                    for (JsonNode m : dim.path("modes")) {
                        modes.append(modes.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f at %.3g",
                                m.path("mass").asDouble(), m.path("location").asDouble()));
                    }
                    double p = dim.path("dip").path("pValue").asDouble();
                    md.append(run).append(String.format(Locale.ROOT, "| %d | %.4f | %s | %s |%n",
                            dim.path("dimension").asInt(), dim.path("dip").path("statistic").asDouble(),
                            p < 1e-5 ? "<1e-5" : String.format(Locale.ROOT, "%.4f", p), modes));
                }
            } catch (IOException e) {
                md.append(run).append("| - | - | - | cannot be read: ").append(e.getMessage()).append(" |\n");
            }
        }
        return md.toString();
    }

    /** The share of a run's env steps, at its end, whose evaluations {@link #lateMean} averages. */
    static final double LATE_SHARE = 0.2;

    /**
     * The mean of a run's evaluations over its last {@value #LATE_SHARE} of env steps (from 80% of its last
     * evaluation's step on): steadier than the final evaluation alone, which a single bad episode set moves by
     * hundreds on the DMControl tasks. {@code NaN} for a run without evaluations.
     */
    static double lateMean(RunData run) {
        List<Point> evals = run.evaluations();
        return evals.isEmpty() ? Double.NaN : lateMeanAt(run, evals.get(evals.size() - 1).step());
    }

    /**
     * {@link #lateMean} as if the run had stopped at {@code step}: the mean of its evaluations from {@code (1 -}
     * {@value #LATE_SHARE}{@code ) x step} to {@code step}, where an evaluation up to {@value #AT_TOLERANCE} past it
     * counts as at it (a run stops at the first iteration boundary past its budget, and evaluates there). {@code NaN}
     * for a run whose evaluations end before that, so runs of different budgets compare at a common one.
     */
    static double lateMeanAt(RunData run, double step) {
        List<Point> evals = run.evaluations();
        double to = step * (1 + AT_TOLERANCE);
        if (evals.isEmpty() || evals.get(evals.size() - 1).step() < step * (1 - AT_TOLERANCE)) {
            return Double.NaN;
        }
        double from = (1 - LATE_SHARE) * step;
        return evals.stream().filter(p -> p.step() >= from && p.step() <= to).mapToDouble(Point::evalReturn)
                .average().orElse(Double.NaN);
    }

    /** How far from a common budget an evaluation may be and still count as at it ({@link #lateMeanAt}). */
    static final double AT_TOLERANCE = 0.01;

    /** {@code mean ± std} (sample standard deviation) to one decimal; the value alone for one; {@code -} for none. */
    static String meanStd(double[] values) {
        if (values.length == 0) {
            return "-";
        }
        DescriptiveStatistics stats = new DescriptiveStatistics(values);
        return values.length == 1 ? String.format(Locale.ROOT, "%.1f", stats.getMean())
                : String.format(Locale.ROOT, "%.1f ± %.1f", stats.getMean(), stats.getStandardDeviation());
    }

    /** The colour of the {@code index}-th curve (matplotlib's tab10, repeating). */
    static Color colour(int index) {
        return PALETTE[index % PALETTE.length];
    }

    /** An empty chart in the figure's style, its y axis the evaluation return. */
    static XYChart chart(String title, String xAxisTitle, int width, int height) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xAxisTitle)
                .yAxisTitle("evaluation return").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setLegendBackgroundColor(new Color(255, 255, 255, 200));
        return chart;
    }

    /** The most legend entries kept inside a chart's plot area; more would cover its curves. */
    static final int MAX_LEGEND_INSIDE = 5;

    /**
     * Moves the legend below the plot, one entry a line, when it has more than {@value #MAX_LEGEND_INSIDE} entries:
     * inside the plot's upper left, the CheetahRun panel's eleven entries covered its curves' first million steps.
     */
    static void placeLegend(XYChart chart) {
        if (legendEntries(chart) > MAX_LEGEND_INSIDE) {
            // One entry a line: XChart does not wrap a horizontal legend, which was cut off at the panel's edge.
            chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
            chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        }
    }

    /** The height a legend entry below the plot takes in a panel. */
    private static final int LEGEND_ROW_HEIGHT = 19;

    static long legendEntries(XYChart chart) {
        return chart.getSeriesMap().values().stream().filter(XYSeries::isShowInLegend).count();
    }

    /**
     * Adds a band to a chart: the mean over seeds as a line named {@code name (N seeds)} and, with several seeds,
     * their min..max shaded in a lighter {@code colour}.
     */
    static void addBand(XYChart chart, String name, Band band, Color colour) {
        if (band.seeds() > 1) {
            // A closed polygon: along the maxima forward, back along the minima.
            int n = band.x().length;
            double[] x = new double[2 * n];
            double[] y = new double[2 * n];
            for (int i = 0; i < n; i++) {
                x[i] = band.x()[i];
                y[i] = band.max()[i];
                x[2 * n - 1 - i] = band.x()[i];
                y[2 * n - 1 - i] = band.min()[i];
            }
            XYSeries shade = chart.addSeries(name + " min..max", x, y);
            shade.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
            shade.setFillColor(new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), 56));
            shade.setLineColor(new Color(0, 0, 0, 0));
            shade.setMarker(SeriesMarkers.NONE);
            shade.setShowInLegend(false);
        }
        XYSeries mean = chart.addSeries(String.format(Locale.ROOT, "%s (%d seed%s)", name, band.seeds(),
                band.seeds() == 1 ? "" : "s"), band.x(), band.mean());
        mean.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        mean.setLineColor(colour);
        mean.setMarkerColor(colour);
        mean.setMarker(band.x().length == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
    }

    static List<RunData> of(List<RunData> data, String task, String algo) {
        return data.stream().filter(d -> d.run().task().equals(task) && d.run().algo().equals(algo)).toList();
    }

    /**
     * The figure: one panel per task, {@value #COLUMNS} to a row, composed into one PNG; on each panel the curves of
     * its task, with the paper's points of their algorithm in their colour.
     *
     * @param tasks the panels, in order
     * @param curves the curves; one without a finished run is left out
     */
    static byte[] figure(List<String> tasks, List<Curve> curves) throws IOException {
        int columns = Math.min(COLUMNS, tasks.size());
        int rows = (tasks.size() + columns - 1) / columns;
        List<BufferedImage> panels = new ArrayList<>();
        for (String task : tasks) {
            panels.add(BitmapEncoder.getBufferedImage(
                    panel(task, curves.stream().filter(c -> c.task().equals(task)).toList())));
        }
        // A row is as tall as its tallest panel (one with its legend below the plot is taller).
        int[] rowTop = new int[rows + 1];
        rowTop[0] = HEADER_HEIGHT;
        for (int r = 0; r < rows; r++) {
            int tallest = 0;
            for (int i = r * columns; i < Math.min(panels.size(), (r + 1) * columns); i++) {
                tallest = Math.max(tallest, panels.get(i).getHeight());
            }
            rowTop[r + 1] = rowTop[r] + tallest;
        }
        BufferedImage image = new BufferedImage(columns * PANEL_WIDTH, rowTop[rows], BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.setColor(Color.DARK_GRAY);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
            // Short enough for a one-panel figure (PANEL_WIDTH wide); a longer title was cut off there.
            g.drawString("Eval return: mean over seeds, min..max shaded; diamonds: the paper", 12, 26);
            for (int i = 0; i < panels.size(); i++) {
                g.drawImage(panels.get(i), (i % columns) * PANEL_WIDTH, rowTop[i / columns], null);
            }
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        return png.toByteArray();
    }

    /**
     * A task's panel; one whose legend goes below the plot ({@link #placeLegend}) is taller by the legend's rows, so
     * that its plot keeps the size of the others.
     */
    static XYChart panel(String task, List<Curve> curves) {
        XYChart chart = panel(task, curves, PANEL_HEIGHT);
        long entries = legendEntries(chart);
        return entries > MAX_LEGEND_INSIDE ? panel(task, curves, PANEL_HEIGHT + (int) entries * LEGEND_ROW_HEIGHT)
                : chart;
    }

    private static XYChart panel(String task, List<Curve> curves, int height) {
        XYChart chart = chart(task, "environment steps", PANEL_WIDTH, height);
        boolean any = false;
        List<String> paperShown = new ArrayList<>();
        for (Curve curve : curves) {
            Band band = align(curve.runs().stream().map(RunData::evaluations).toList());
            if (band == null) {
                continue;
            }
            any = true;
            addBand(chart, curve.name(), band, curve.colour());
            List<Point> paper = paperPoints(task, curve.algo(), band.x()[band.x().length - 1]);
            // Two curves of one algorithm (from two grids) share the paper's points: drawn once.
            if (!paper.isEmpty() && !paperShown.contains(curve.algo())) {
                paperShown.add(curve.algo());
                XYSeries points = chart.addSeries(curve.algo() + ", paper",
                        paper.stream().mapToDouble(Point::step).toArray(),
                        paper.stream().mapToDouble(Point::evalReturn).toArray());
                points.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                points.setMarker(SeriesMarkers.DIAMOND);
                points.setMarkerColor(curve.colour());
            }
        }
        placeLegend(chart);
        if (!any) {
            chart.setTitle(task + " (no finished run)");
            chart.addSeries("none", new double[] {0}, new double[] {0}).setShowInLegend(false);
            chart.getStyler().setLegendVisible(false);
        }
        return chart;
    }
}
