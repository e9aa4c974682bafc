package io.github.gorl.examples;

import io.github.gorl.decoders.nn.TensorFile;
import io.github.gorl.examples.ExperimentReport.Band;
import io.github.gorl.examples.ExperimentReport.Metrics;
import io.github.gorl.examples.ExperimentReport.Point;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gorl compare}: the evaluation curves of several labelled groups of run directories in one figure, return
 * against environment steps or wall time, and a table of their best, final and (against wall time) 10-minute returns.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Plot the evaluation curves of several runs in one PNG, return against env steps or wall time,"
                + " and print each label's mean best and final evaluation return.",
            "Each LABEL=DIR[,DIR...] is one curve: the mean over its run directories (seeds), aligned on steps or"
                + " wall seconds as 'gorl experiments' aligns seeds, with their min..max shaded. Dashed vertical"
                + " lines mark where each decoder refit started (mean over the label's runs), within the curve's"
                + " range. Runs still training can be compared: only metrics.csv is read."})
final class CompareCommand implements Callable<Integer> {

    /** Width and height of the figure in pixels. */
    static final int WIDTH = 960;
    static final int HEIGHT = 600;

    /** The table's wall-time marks are this many seconds apart (10 minutes). */
    static final double MARK_SECONDS = 600;

    @Option(names = "--out", required = true, paramLabel = "FIG.png",
            description = "The figure to write (PNG); its folder must exist.")
    Path out;

    @Option(names = "--x", defaultValue = "steps", paramLabel = "wall|steps",
            description = "The x axis: steps (env steps, the default) or wall (wall time in minutes).")
    String x;

    @Option(names = "--until", paramLabel = "X",
            description = "Only each run's part up to X on the x axis: minutes with --x wall, env steps with --x steps "
                    + "(default: whole runs). Best and final are then those of that part.")
    Double until;

    @Option(names = "--title", paramLabel = "T", description = "The figure's title (default: what it shows).")
    String title;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    @Parameters(arity = "1..*", paramLabel = "LABEL=DIR[,DIR...]",
            description = "A curve's label and its run directories (seeds), comma-separated.")
    List<String> curves;

    /** The x axis. */
    enum Axis {
        /** Environment steps. */
        STEPS("env steps", Point::step, 1),
        /** Wall seconds since each run's start, shown in minutes. */
        WALL("wall time (minutes)", Point::wallSeconds, 1 / 60.0);

        final String title;
        final ToDoubleFunction<Point> x;
        /** From {@link #x} to the axis' unit. */
        final double scale;

        Axis(String title, ToDoubleFunction<Point> x, double scale) {
            this.title = title;
            this.x = x;
            this.scale = scale;
        }

        static Axis of(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "steps" -> STEPS;
                case "wall" -> WALL;
                default -> throw new IllegalArgumentException("--x must be steps or wall, got '" + name + "'");
            };
        }
    }

    /**
     * One label's runs.
     *
     * @param label the label
     * @param dirs its run directories
     * @param runs what each directory's {@code metrics.csv} holds, in the order of {@code dirs} (with {@code --until},
     *     up to it)
     * @param reached the wall seconds of each run's last evaluation in its whole file, before {@code --until} cut it:
     *     a run that went on past a 10-minute mark has a value there even if its next evaluation is beyond the cut
     */
    record Group(String label, List<Path> dirs, List<Metrics> runs, List<Double> reached) {

        /** A group read whole. */
        Group(String label, List<Path> dirs, List<Metrics> runs) {
            this(label, dirs, runs, runs.stream().map(CompareCommand::lastWall).toList());
        }
    }

    @Override
    public Integer call() throws Exception {
        return run(out, Axis.of(x), until, title, curves, System.out);
    }

    /**
     * Reads the groups, writes the figure and prints the table.
     *
     * @param out the PNG to write
     * @param axis the x axis
     * @param until the last x (in the axis' unit: minutes or env steps) of each run to read, or {@code null} for whole
     *     runs
     * @param title the figure's title, or {@code null} for the default
     * @param specs the {@code LABEL=DIR[,DIR...]} arguments
     * @param printed where the table goes
     * @return 0
     * @throws IllegalArgumentException naming the bad value, for a bad argument or run directory
     * @throws IOException if the figure cannot be written
     */
    static int run(Path out, Axis axis, Double until, String title, List<String> specs, PrintStream printed)
            throws IOException {
        Path folder = out.toAbsolutePath().getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw new IllegalArgumentException("--out: folder " + folder + " does not exist (for " + out + ")");
        }
        if (until != null && !(until > 0 && Double.isFinite(until))) {
            throw new IllegalArgumentException("--until must be a positive number (" + axis.title + "), got " + until);
        }
        Map<String, List<Path>> dirs = parse(specs);
        List<Group> groups = new ArrayList<>();
        dirs.forEach((label, paths) -> groups.add(read(label, paths, axis, until)));
        TensorFile.writeAtomically(out, png(groups, axis, title));
        printed.print(table(groups, axis, until));
        printed.println("wrote " + out.toAbsolutePath());
        return 0;
    }

    /** The labels and their directories, in argument order. */
    static Map<String, List<Path>> parse(List<String> specs) {
        Map<String, List<Path>> dirs = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("expected LABEL=DIR[,DIR...], got '" + spec + "' (no '=')");
            }
            String label = spec.substring(0, eq).strip();
            if (label.isEmpty()) {
                throw new IllegalArgumentException("empty label in '" + spec + "'");
            }
            List<Path> paths = Arrays.stream(spec.substring(eq + 1).split(",")).map(String::strip)
                    .filter(s -> !s.isEmpty()).map(Path::of).toList();
            if (paths.isEmpty()) {
                throw new IllegalArgumentException("no run directory after '" + label + "=' in '" + spec + "'");
            }
            if (dirs.put(label, paths) != null) {
                throw new IllegalArgumentException("label '" + label + "' is given twice");
            }
        }
        return dirs;
    }

    private static Group read(String label, List<Path> dirs, Axis axis, Double until) {
        List<Metrics> runs = new ArrayList<>();
        List<Double> reached = new ArrayList<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("run directory " + dir + " (label " + label + ") does not exist");
            }
            Path csv = dir.resolve("metrics.csv");
            if (!Files.isRegularFile(csv)) {
                throw new IllegalArgumentException("no metrics.csv in run directory " + dir + " (label " + label
                        + ")");
            }
            Metrics metrics;
            try {
                metrics = ExperimentReport.metrics(csv);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("cannot read " + csv + " (label " + label + "): " + e.getMessage(),
                        e);
            }
            if (metrics.evaluations().isEmpty()) {
                throw new IllegalArgumentException(csv + " (label " + label + ") has no evaluation yet");
            }
            if (metrics.evaluations().stream().anyMatch(p -> Double.isNaN(axis.x.applyAsDouble(p)))) {
                throw new IllegalArgumentException("--x wall needs wall_seconds on every evaluation row of " + csv
                        + " (label " + label + ")");
            }
            reached.add(lastWall(metrics));
            if (until != null) {
                metrics = upTo(metrics, axis, until);
                if (metrics.evaluations().isEmpty()) {
                    throw new IllegalArgumentException(csv + " (label " + label + ") has no evaluation at or before "
                            + "--until " + until + " (" + axis.title + ")");
                }
            }
            runs.add(metrics);
        }
        return new Group(label, dirs, runs, reached);
    }

    /** The run's evaluations and refits at or before {@code until} on the axis, in the axis' unit. */
    static Metrics upTo(Metrics run, Axis axis, double until) {
        return new Metrics(run.evaluations().stream().filter(p -> axis.x.applyAsDouble(p) * axis.scale <= until)
                .toList(), run.refits().stream().filter(p -> axis.x.applyAsDouble(p) * axis.scale <= until).toList());
    }

    /** The figure: one chart, a band per group, its refits as dashed vertical lines. */
    static byte[] png(List<Group> groups, Axis axis, String title) throws IOException {
        boolean anyRefit = groups.stream().anyMatch(g -> g.runs().stream().anyMatch(r -> !r.refits().isEmpty()));
        String shown = title != null ? title : "Evaluation return: mean over runs, shaded min..max"
                + (anyRefit ? "; dashed: decoder refits" : "");
        XYChart chart = ExperimentReport.chart(shown, axis.title, WIDTH, HEIGHT);
        List<Band> bands = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            Group g = groups.get(i);
            Band band = ExperimentReport.align(g.runs().stream().map(Metrics::evaluations).toList(), axis.x);
            if (band == null) {
                throw new IllegalArgumentException("the runs of label " + g.label() + " share no range of "
                        + axis.title + " to average over: " + g.dirs());
            }
            bands.add(band);
            ExperimentReport.addBand(chart, g.label(), band.scaled(axis.scale), ExperimentReport.colour(i));
        }
        double low = bands.stream().flatMapToDouble(b -> Arrays.stream(b.min())).min().orElse(0);
        double high = bands.stream().flatMapToDouble(b -> Arrays.stream(b.max())).max().orElse(0);
        for (int i = 0; i < groups.size(); i++) {
            Color c = ExperimentReport.colour(i);
            double[] at = refits(groups.get(i), axis);
            double[] range = bands.get(i).scaled(axis.scale).x();
            for (int k = 0; k < at.length; k++) {
                if (at[k] < range[0] || at[k] > range[range.length - 1]) {
                    continue; // beyond the mean curve: after the shortest run's last evaluation
                }
                // Series names must be unique; these are not shown in the legend.
                XYSeries line = chart.addSeries(groups.get(i).label() + "\u2009refit " + (k + 1),
                        new double[] {at[k], at[k]}, new double[] {low, high});
                line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                line.setLineColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 150));
                line.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                        new float[] {6f, 4f}, 0f));
                line.setMarker(SeriesMarkers.NONE);
                line.setShowInLegend(false);
            }
        }
        ExperimentReport.placeLegend(chart);
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    /** Where the group's k-th refit started, in the axis' unit: the mean over its runs that have a k-th refit. */
    static double[] refits(Group g, Axis axis) {
        int most = g.runs().stream().mapToInt(r -> r.refits().size()).max().orElse(0);
        List<Double> at = new ArrayList<>();
        for (int k = 0; k < most; k++) {
            int index = k;
            double mean = g.runs().stream().filter(r -> r.refits().size() > index)
                    .mapToDouble(r -> axis.x.applyAsDouble(r.refits().get(index))).filter(v -> !Double.isNaN(v))
                    .average().orElse(Double.NaN);
            if (!Double.isNaN(mean)) {
                at.add(mean * axis.scale);
            }
        }
        return at.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * The table: per label its runs, the mean over them of each run's best and final (last) evaluation return, and
     * with {@link Axis#WALL} the mean return at every 10-minute mark: each run's last evaluation at or before the mark,
     * {@code -} unless every run of the label has an evaluation at or after it (in its whole file: a run cut by
     * {@code --until} in a long refit has reached the marks of the refit). Marks go to the longest run, or to
     * {@code until} minutes when that is sooner.
     */
    static String table(List<Group> groups, Axis axis, Double until) {
        int marks = 0;
        if (axis == Axis.WALL) {
            double longest = groups.stream().flatMap(g -> g.reached().stream()).mapToDouble(Double::doubleValue)
                    .max().orElse(0);
            if (until != null) {
                longest = Math.min(longest, until / axis.scale);
            }
            marks = (int) Math.floor(longest / MARK_SECONDS);
        }
        int width = Math.max(5, groups.stream().mapToInt(g -> g.label().length()).max().orElse(0));
        StringBuilder t = new StringBuilder();
        t.append("Evaluation return, mean over each label's runs: best and final (last) evaluation of each run");
        t.append(axis == Axis.WALL ? "; at N min: each run's last evaluation at or before N minutes of wall time"
                + " (- until every run has reached N)\n" : "\n");
        t.append(String.format(Locale.ROOT, "%-" + width + "s %4s %9s %9s", "label", "runs", "best", "final"));
        for (int m = 1; m <= marks; m++) {
            t.append(String.format(Locale.ROOT, " %9s", (int) (m * MARK_SECONDS / 60) + " min"));
        }
        t.append('\n');
        for (Group g : groups) {
            double best = g.runs().stream().mapToDouble(r -> r.evaluations().stream()
                    .mapToDouble(Point::evalReturn).max().orElseThrow()).average().orElseThrow();
            double last = g.runs().stream().mapToDouble(r -> r.evaluations().get(r.evaluations().size() - 1)
                    .evalReturn()).average().orElseThrow();
            t.append(String.format(Locale.ROOT, "%-" + width + "s %4d %9.1f %9.1f", g.label(), g.runs().size(), best,
                    last));
            for (int m = 1; m <= marks; m++) {
                double at = atMark(g, m * MARK_SECONDS);
                t.append(Double.isNaN(at) ? String.format(Locale.ROOT, " %9s", "-")
                        : String.format(Locale.ROOT, " %9.1f", at));
            }
            t.append('\n');
        }
        return t.toString();
    }

    private static double lastWall(Metrics run) {
        return run.evaluations().get(run.evaluations().size() - 1).wallSeconds();
    }

    /** The mean over the group's runs of each one's last evaluation at or before {@code seconds}, or NaN. */
    private static double atMark(Group g, double seconds) {
        double sum = 0;
        for (int i = 0; i < g.runs().size(); i++) {
            Point before = null;
            for (Point p : g.runs().get(i).evaluations()) {
                if (p.wallSeconds() <= seconds) {
                    before = p;
                }
            }
            if (before == null || g.reached().get(i) < seconds) {
                return Double.NaN;
            }
            sum += before.evalReturn();
        }
        return sum / g.runs().size();
    }
}
