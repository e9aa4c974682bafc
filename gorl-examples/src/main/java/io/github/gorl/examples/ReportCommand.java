package io.github.gorl.examples;

import io.github.gorl.decoders.nn.TensorFile;
import io.github.gorl.examples.ExperimentGrid.Run;
import io.github.gorl.examples.ExperimentReport.Curve;
import io.github.gorl.examples.ExperimentReport.RunData;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gorl report}: the finished runs of several experiment grids ({@code gorl experiments} folders) in one figure
 * and one table, for a results page that gathers grids run at different times, on different tasks, or with different
 * options: {@code figure.png} (one panel per task, the paper's points marked) and {@code summary.md} (returns, env
 * steps and wall time per task and algorithm, the ratio GoRL-FM / Gaussian PPO beside the paper's, and the dip tests
 * of the runs that were analysed).
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Gather the finished runs of several 'gorl experiments' folders into one figure (figure.png:"
                + " one panel per task, mean over seeds with min..max shaded, the paper's read-off points as diamonds)"
                + " and one table (summary.md: final and best returns, env steps and wall time per run, the ratio"
                + " GoRL-FM / Gaussian PPO beside the paper's, and the multimodality dip tests).",
            "An algorithm found on one task in several grids is drawn once per grid, named 'ALGO (GRID)'. Only"
                + " finished runs (summary.json) are read; runs still training are left out. --at STEPS adds a table"
                + " of every algorithm at a common budget, for grids of different budgets."})
final class ReportCommand implements Callable<Integer> {

    /** The tasks of the paper's figure, in its order; other tasks follow in the order they are found. */
    static final List<String> PAPER_TASKS = List.of("CheetahRun", "FingerTurnHard", "WalkerWalk", "HopperStand");

    /** The algorithms in the order of {@link ExperimentGrid#ALGORITHMS}: their colours and table order. */
    private static final List<String> ALGORITHM_ORDER = List.copyOf(ExperimentGrid.ALGORITHMS.keySet());

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "The folder to write figure.png and summary.md into (created if missing).")
    Path out;

    @Option(names = "--at", paramLabel = "STEPS",
            description = "Also compare every algorithm at this common budget: each run's mean evaluation over the"
                    + " last 20%% of STEPS env steps (runs that reached STEPS, whatever their own budget), and its ratio"
                    + " to Gaussian PPO's on the task beside the paper's at 15M; for grids of different budgets.")
    Long at;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    @Parameters(arity = "1..*", paramLabel = "GRID", description = "A 'gorl experiments' output folder.")
    List<Path> grids;

    @Override
    public Integer call() throws Exception {
        return run(out, grids, at, System.out);
    }

    /**
     * One grid's finished runs of one algorithm on one task.
     *
     * @param grid the grid's folder name
     * @param task the task
     * @param algo the algorithm
     * @param runs its finished runs, by seed
     */
    record Row(String grid, String task, String algo, List<RunData> runs) {}

    /**
     * Reads the grids, writes {@code figure.png} and {@code summary.md} into {@code out} and prints the table.
     *
     * @param out the output folder
     * @param grids the grid folders
     * @param printed where the table and warnings go
     * @return 0
     * @throws IllegalArgumentException naming the folder, for a grid folder without {@code runs/}, a grid named twice,
     *     or grids without any finished run
     * @throws IOException if a folder cannot be listed or an output cannot be written
     */
    static int run(Path out, List<Path> grids, PrintStream printed) throws IOException {
        return run(out, grids, null, printed);
    }

    /**
     * {@link #run(Path, List, PrintStream)} with the table of {@link #atBudget} when {@code at} is not null.
     *
     * @param at the common budget in env steps, {@code > 0}, or null
     * @throws IllegalArgumentException as {@link #run(Path, List, PrintStream)} does, and for {@code at <= 0}
     */
    static int run(Path out, List<Path> grids, Long at, PrintStream printed) throws IOException {
        if (at != null && at <= 0) {
            throw new IllegalArgumentException("--at must be a positive number of env steps, got " + at);
        }
        List<Row> rows = rows(grids, printed);
        Files.createDirectories(out);
        TensorFile.writeAtomically(out.resolve("figure.png"), ExperimentReport.figure(tasks(rows), curves(rows)));
        String md = summaryMarkdown(rows) + (at == null ? "" : atBudget(rows, at));
        TensorFile.writeAtomically(out.resolve("summary.md"), md.getBytes(StandardCharsets.UTF_8));
        printed.print(md);
        printed.println();
        printed.println("wrote " + out.resolve("figure.png") + " and " + out.resolve("summary.md"));
        return 0;
    }

    /**
     * The finished runs of the grids, one row per grid, task and algorithm: by task (the paper's first), then
     * algorithm (in the order of {@link ExperimentGrid#ALGORITHMS}), then grid (in the order given).
     *
     * @throws IllegalArgumentException as {@link #run} does
     */
    static List<Row> rows(List<Path> grids, PrintStream log) throws IOException {
        List<Row> rows = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path grid : grids) {
            String name = grid.toAbsolutePath().normalize().getFileName().toString();
            if (names.contains(name)) {
                throw new IllegalArgumentException("two grids are named '" + name + "' (" + grid
                        + "): a report tells grids apart by their folder names; rename one");
            }
            names.add(name);
            rows.addAll(read(grid, name, log));
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no finished run (runs/TASK/ALGO/seed-N/summary.json) in " + grids);
        }
        List<String> tasks = tasks(rows);
        rows.sort(Comparator.comparingInt((Row r) -> tasks.indexOf(r.task()))
                .thenComparingInt(r -> algoOrder(r.algo())).thenComparingInt(r -> names.indexOf(r.grid())));
        return rows;
    }

    /** A grid's finished runs, one row per task and algorithm that has one. */
    static List<Row> read(Path grid, String name, PrintStream log) throws IOException {
        Path runsDir = grid.resolve("runs");
        if (!Files.isDirectory(runsDir)) {
            throw new IllegalArgumentException("'" + grid + "' is not a 'gorl experiments' folder: it has no runs/"
                    + " folder");
        }
        Map<String, List<Run>> byTaskAlgo = new LinkedHashMap<>();
        for (Run run : ExperimentGrid.runsIn(grid)) {
            byTaskAlgo.computeIfAbsent(run.task() + "/" + run.algo(), k -> new ArrayList<>()).add(run);
        }
        List<Row> rows = new ArrayList<>();
        for (List<Run> runs : byTaskAlgo.values()) {
            List<RunData> data = ExperimentReport.read(runs, log);
            if (!data.isEmpty()) {
                rows.add(new Row(name, runs.get(0).task(), runs.get(0).algo(), data));
            }
        }
        return rows;
    }

    /** The paper's tasks first, in its order, then the others in the order found. */
    static List<String> tasks(List<Row> rows) {
        Set<String> found = new LinkedHashSet<>();
        rows.forEach(r -> found.add(r.task()));
        List<String> tasks = new ArrayList<>(PAPER_TASKS.stream().filter(found::contains).toList());
        found.stream().filter(t -> !tasks.contains(t)).forEach(tasks::add);
        return tasks;
    }

    private static int algoOrder(String algo) {
        int i = ALGORITHM_ORDER.indexOf(algo);
        return i < 0 ? Integer.MAX_VALUE : i;
    }

    /**
     * The {@code --preset} the row's first run was trained with ({@code train-args.json}), or null where it names
     * none or the file cannot be read (a grid written by hand, or by a version before that file).
     */
    static String preset(Row row) {
        try {
            List<String> args = TrainArguments.recorded(row.runs().get(0).run().dir());
            int i = args.indexOf("--preset");
            return i < 0 || i + 1 >= args.size() ? null : args.get(i + 1);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * One curve per row. An algorithm keeps its colour of {@code gorl experiments} (its place in the algorithm map);
     * where it is found on one task in several grids, its first grid keeps that colour and each other one takes the
     * next colour no algorithm of the report uses. A curve trained with {@code --preset P} is named
     * {@code ALGO, P preset}; where that still names several rows of one task (one algorithm and preset in several
     * grids), each is named with its grid too: {@code ALGO (GRID)}, {@code ALGO, P preset (GRID)}.
     */
    static List<Curve> curves(List<Row> rows) {
        Set<Integer> taken = new LinkedHashSet<>();
        rows.forEach(r -> {
            if (algoOrder(r.algo()) != Integer.MAX_VALUE) {
                taken.add(algoOrder(r.algo()));
            }
        });
        Map<String, Color> colours = new LinkedHashMap<>();
        int next = 0;
        List<Curve> curves = new ArrayList<>();
        Map<Row, String> presets = new IdentityHashMap<>();
        rows.forEach(r -> presets.put(r, preset(r)));
        for (Row row : rows) {
            List<Row> sameAlgo = rows.stream()
                    .filter(r -> r.task().equals(row.task()) && r.algo().equals(row.algo())).toList();
            String preset = presets.get(row);
            String name = preset == null ? row.algo() : row.algo() + ", " + preset + " preset";
            if (sameAlgo.stream().filter(r -> Objects.equals(presets.get(r), preset)).count() > 1) {
                name += " (" + row.grid() + ")";
            }
            Color colour;
            if (sameAlgo.get(0) == row && algoOrder(row.algo()) != Integer.MAX_VALUE) {
                colour = ExperimentReport.colour(algoOrder(row.algo()));
            } else {
                // An extra grid's curve keeps one colour on every panel it is drawn on.
                String key = row.algo() + " (" + row.grid() + ")";
                if (!colours.containsKey(key)) {
                    while (taken.contains(next)) {
                        next++;
                    }
                    taken.add(next);
                    colours.put(key, ExperimentReport.colour(next));
                }
                colour = colours.get(key);
            }
            curves.add(new Curve(row.task(), name, row.algo(), colour, row.runs()));
        }
        return curves;
    }

    /** The report's tables. */
    static String summaryMarkdown(List<Row> rows) {
        StringBuilder md = new StringBuilder("# Report\n\n");
        md.append("`gorl report` of the grids ").append(String.join(", ", rows.stream().map(r -> "`" + r.grid() + "`")
                .distinct().toList())).append(": their finished runs. Returns are the deterministic policy's evaluation return,"
                + " mean ± sample standard deviation over seeds; wall time is each run's training (without the"
                + " analysis after it), mean and range over seeds. The late mean is each run's mean evaluation over"
                + " its last 20% of env steps, then mean ± std over seeds. The paper's column is its mean return at 15M /"
                + " 30M env steps, read off its figure (about ±20).\n\n");
        md.append("| task | algorithm | grid | seeds | env steps | final return | best return | late mean | wall minutes"
                + " | paper at 15M / 30M |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            double[] paper = ExperimentReport.PAPER.getOrDefault(row.task(), Map.of()).get(row.algo());
            double[] steps = row.runs().stream().mapToDouble(RunData::envSteps).filter(v -> !Double.isNaN(v))
                    .toArray();
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s | %s | %s | %s | %s | %s |%n", row.task(),
                    row.algo(), row.grid(), row.runs().size(),
                    steps.length == 0 ? "-" : String.format(Locale.ROOT, "%.1fM",
                            Arrays.stream(steps).average().orElseThrow() / 1e6),
                    ExperimentReport.meanStd(row.runs().stream().mapToDouble(RunData::finalReturn).toArray()),
                    ExperimentReport.meanStd(row.runs().stream().mapToDouble(RunData::bestReturn).toArray()),
                    ExperimentReport.meanStd(row.runs().stream().mapToDouble(ExperimentReport::lateMean).toArray()),
                    wallMinutes(row.runs()),
                    paper == null ? "-" : String.format(Locale.ROOT, "~%.0f / ~%.0f", paper[0], paper[1])));
        }
        md.append(ratios(rows));
        List<RunData> all = rows.stream().flatMap(r -> r.runs().stream()).toList();
        md.append(ExperimentReport.multimodalityMarkdown(all));
        return md.toString();
    }

    /** {@code mean (min-max)} of the runs' wall minutes; {@code -} where none is known. */
    static String wallMinutes(List<RunData> runs) {
        double[] minutes = runs.stream().mapToDouble(RunData::wallSeconds).filter(v -> !Double.isNaN(v))
                .map(v -> v / 60).toArray();
        if (minutes.length == 0) {
            return "-";
        }
        double mean = Arrays.stream(minutes).average().orElseThrow();
        return minutes.length == 1 ? String.format(Locale.ROOT, "%.0f", mean)
                : String.format(Locale.ROOT, "%.0f (%.0f-%.0f)", mean, Arrays.stream(minutes).min().orElseThrow(),
                        Arrays.stream(minutes).max().orElseThrow());
    }

    /**
     * The ratio of GoRL-FM's mean return to Gaussian PPO's, final and best, for every grid that ran both on a task,
     * beside the paper's ratio at 15M and 30M env steps; empty when no grid ran both.
     */
    static String ratios(List<Row> rows) {
        StringBuilder md = new StringBuilder();
        for (Row gorl : rows) {
            if (!gorl.algo().equals("gorl-fm")) {
                continue;
            }
            Row gaussian = rows.stream().filter(r -> r.grid().equals(gorl.grid()) && r.task().equals(gorl.task())
                    && r.algo().equals("gaussian-ppo")).findFirst().orElse(null);
            if (gaussian == null) {
                continue;
            }
            if (md.length() == 0) {
                md.append("\n## GoRL-FM against Gaussian PPO\n\nThe ratio of the two algorithms' mean returns in"
                        + " one grid (same seeds, same budget), final, best and late-mean evaluation, beside the paper's"
                        + " ratio of"
                        + " its read-off means at 15M and 30M env steps.\n\n| task | grid | env steps | final ratio |"
                        + " best ratio | late-mean ratio | paper at 15M | paper at 30M |\n|---|---|---|---|---|---|---|---|\n");
            }
            double[] paperGorl = ExperimentReport.PAPER.getOrDefault(gorl.task(), Map.of()).get("gorl-fm");
            double[] paperGaussian = ExperimentReport.PAPER.getOrDefault(gorl.task(), Map.of()).get("gaussian-ppo");
            md.append(String.format(Locale.ROOT, "| %s | %s | %.1fM | %s | %s | %s | %s | %s |%n", gorl.task(),
                    gorl.grid(),
                    gorl.runs().stream().mapToDouble(RunData::envSteps).average().orElse(Double.NaN) / 1e6,
                    ratio(mean(gorl, RunData::finalReturn), mean(gaussian, RunData::finalReturn)),
                    ratio(mean(gorl, RunData::bestReturn), mean(gaussian, RunData::bestReturn)),
                    ratio(mean(gorl, ExperimentReport::lateMean), mean(gaussian, ExperimentReport::lateMean)),
                    paperGorl == null || paperGaussian == null ? "-" : ratio(paperGorl[0], paperGaussian[0]),
                    paperGorl == null || paperGaussian == null ? "-" : ratio(paperGorl[1], paperGaussian[1])));
        }
        return md.toString();
    }

    /**
     * Every row at a common budget of {@code at} env steps: its runs' {@link ExperimentReport#lateMeanAt} (the runs
     * that reached it; rows with none are left out), mean ± std, and the ratio of its mean to Gaussian PPO's on the
     * same task, beside the paper's ratio at 15M. The Gaussian PPO is the row's own grid's where that grid ran one
     * that reached the budget (so a grid run with other options, a preset, is compared with its own baseline), else
     * the first grid's whose Gaussian PPO reached it, named in the cell ({@code (vs GRID)}); the ratio is over the
     * same seeds where that Gaussian PPO has them all (a seed's GoRL stage 0 is that seed's Gaussian PPO run), else
     * over all of its seeds (marked {@code *}).
     */
    static String atBudget(List<Row> rows, long at) {
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "%n## Every algorithm at %s env steps%n%n"
                + "Each run's mean evaluation from %s to %s env steps, whatever its own budget (runs that stopped"
                + " earlier are left out), mean ± std over seeds; its ratio to Gaussian PPO's on the same task, in"
                + " the same grid where that grid ran it (same options), else in the grid named beside the ratio, over"
                + " the same seeds (* where Gaussian PPO lacks one of them: over all of its seeds); the paper's ratio"
                + " of its read-off means at 15M.%n%n| task | algorithm | grid | seeds | mean evaluation %s-%s |"
                + " / Gaussian PPO | paper at 15M: / Gaussian PPO |%n|---|---|---|---|---|---|---|%n",
                millions(at), millions((1 - ExperimentReport.LATE_SHARE) * at), millions(at),
                millions((1 - ExperimentReport.LATE_SHARE) * at), millions(at)));
        List<Map.Entry<Row, Map<Long, Double>>> reached = new ArrayList<>();
        // Gaussian PPO's values by grid and task, and the first grid's by task for rows whose grid has none.
        Map<String, Map<Long, Double>> gaussianInGrid = new LinkedHashMap<>();
        Map<String, Row> firstGaussian = new LinkedHashMap<>();
        for (Row row : rows) {
            Map<Long, Double> bySeed = valuesAt(row, at);
            if (!bySeed.isEmpty()) {
                reached.add(Map.entry(row, bySeed));
                if (row.algo().equals("gaussian-ppo")) {
                    gaussianInGrid.put(row.grid() + "/" + row.task(), bySeed);
                    firstGaussian.putIfAbsent(row.task(), row);
                }
            }
        }
        if (reached.isEmpty()) {
            return String.format(Locale.ROOT, "%nNo run reached %s env steps.%n", millions(at));
        }
        for (Map.Entry<Row, Map<Long, Double>> entry : reached) {
            Row row = entry.getKey();
            Map<Long, Double> bySeed = entry.getValue();
            double[] values = bySeed.values().stream().mapToDouble(Double::doubleValue).toArray();
            Map<Long, Double> baseline = gaussianInGrid.get(row.grid() + "/" + row.task());
            String elsewhere = "";
            if (baseline == null) {
                Row other = firstGaussian.get(row.task());
                baseline = other == null ? Map.of() : gaussianInGrid.get(other.grid() + "/" + row.task());
                elsewhere = other == null ? "" : " (vs " + other.grid() + ")";
            }
            boolean paired = baseline.keySet().containsAll(bySeed.keySet());
            double baselineMean = (paired ? bySeed.keySet().stream().map(baseline::get) : baseline.values().stream())
                    .mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            String ratio = ratio(Arrays.stream(values).average().orElseThrow(), baselineMean);
            if (!ratio.equals("-")) {
                ratio = (paired ? ratio : ratio + " *") + elsewhere;
            }
            Map<String, double[]> paper = ExperimentReport.PAPER.getOrDefault(row.task(), Map.of());
            double[] paperAlgo = paper.get(row.algo());
            double[] paperGaussian = paper.get("gaussian-ppo");
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s | %s | %s |%n", row.task(), row.algo(),
                    row.grid(), values.length, ExperimentReport.meanStd(values), ratio,
                    paperAlgo == null || paperGaussian == null ? "-" : ratio(paperAlgo[0], paperGaussian[0])));
        }
        return md.toString();
    }

    /** The row's runs' {@link ExperimentReport#lateMeanAt} values by seed, of the runs that reached {@code at}. */
    private static Map<Long, Double> valuesAt(Row row, long at) {
        Map<Long, Double> bySeed = new LinkedHashMap<>();
        for (RunData run : row.runs()) {
            double value = ExperimentReport.lateMeanAt(run, at);
            if (!Double.isNaN(value)) {
                bySeed.put(run.run().seed(), value);
            }
        }
        return bySeed;
    }

    /** {@code 10M}, {@code 8M}, {@code 1.5M}: env steps in millions, without a needless decimal. */
    static String millions(double steps) {
        return String.format(Locale.ROOT, "%.2f", steps / 1e6).replaceAll("\\.?0+$", "") + "M";
    }

    private static double mean(Row row, ToDoubleFunction<RunData> value) {
        return row.runs().stream().mapToDouble(value).average().orElse(Double.NaN);
    }

    /** {@code a / b} to two decimals; {@code -} where it is not defined (a mean at or below zero, or missing). */
    static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b <= 0 ? "-" : String.format(Locale.ROOT, "%.2f", a / b);
    }
}
