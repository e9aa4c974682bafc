package io.github.gorl.examples;

import io.github.gorl.examples.ExperimentGrid.Outcome;
import io.github.gorl.examples.ExperimentGrid.Planned;
import io.github.gorl.examples.ExperimentGrid.Result;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gorl experiments}: trains a grid of tasks x algorithms x seeds, each run a separate {@code gorl train}
 * process, resumable, and writes {@code curves.csv}, {@code figure.png} and {@code summary.md}.
 */
@Command(name = "experiments", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train every task x algorithm x seed as a separate 'gorl train' process (run directories under"
                + " <out>/runs/<task>/<algo>/seed-<S>, log in train.log), then write curves.csv, figure.png and"
                + " summary.md into <out>.",
            "With --engine spark a Spark task starts each run's process, in an embedded Spark or on the cluster of"
                + " --master; Spark retries a run whose executor died, from its last checkpoint.",
            "Resumable: a run whose summary.json exists is skipped; an unfinished run is continued from its"
                + " checkpoint when it has one of the same options (-- --checkpoint-every N), else its folder is"
                + " deleted and the run started again. Checkpoints stay on the machine that wrote them."
                + " A failed run is reported with its log and does not stop the others; the exit code is then 1.",
            "Options after '--' are passed to every 'gorl train', e.g. -- --decoder-epochs 5 --eval-episodes 4"})
final class ExperimentsCommand implements Callable<Integer> {

    @Option(names = "--tasks", required = true, split = ",", paramLabel = "TASK",
            description = "Tasks, comma-separated (see 'gorl train --help' for the names).")
    List<String> tasks;

    @Option(names = "--algos", split = ",", paramLabel = "ALGO", defaultValue = "gorl-fm,gorl-diffusion,gaussian-ppo",
            description = "Algorithms, comma-separated: gorl-fm, gorl-diffusion, gorl-sac-fm, gorl-sac-diffusion,"
                    + " gaussian-ppo, fpo, dppo (default: ${DEFAULT-VALUE}).")
    List<String> algos;

    @Option(names = "--ablation", paramLabel = "NAME",
            description = "Run one of the paper's ablations instead of --algos: its variants of GoRL(PPO+FM) are the"
                    + " grid's algorithms. NAME: beta (0, 1e-4, 1e-3, 5e-3, 1e-2), decoder-source (prior, encoder),"
                    + " prior (fixed N(0,I) vs learned prior), decoder-width (32, 64, 128, 256), decoder-epochs (10,"
                    + " 50, 100), freeze (decoder frozen after stage 0, 1, 2, 3). See docs/ablations.md.")
    String ablation;

    @Option(names = "--seeds", split = ",", paramLabel = "SEED", defaultValue = "1,2,3",
            description = "Seeds, comma-separated (default: ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Option(names = "--steps", description = "Encoder environment steps per run (default: the task's preset).")
    Long steps;

    @Option(names = "--envs", description = "Parallel training environments per run (default: the task's preset).")
    Integer envs;

    @Option(names = "--out", required = true, description = "Experiment folder; reuse it to resume.")
    Path out;

    @Option(names = "--parallel", defaultValue = "1",
            description = "Runs at once (default: ${DEFAULT-VALUE}); each run uses one PyTorch thread plus its env"
                    + " threads.")
    int parallel;

    @Option(names = "--engine", defaultValue = "local", paramLabel = "local|spark",
            description = "Where the runs train: local (default), each a 'gorl train' process on this machine, up to"
                    + " --parallel at once; or spark, each a Spark task (module gorl-spark, which ./gorl adds): in an"
                    + " embedded local[N] Spark (N = --parallel), or on the cluster given by --master. Spark retries a"
                    + " run whose executor died; it continues from its last checkpoint (-- --checkpoint-every N).")
    String engine;

    @Option(names = "--master", paramLabel = "URL",
            description = "With --engine spark: the Spark master URL, e.g. spark://host:7077, yarn, k8s://https://host"
                    + " or local[4] (default: local[--parallel]).")
    String master;

    @Option(names = "--multimodality", paramLabel = "N",
            description = "After each run finishes (and for finished runs not analysed yet), while its checkpoint is"
                    + " on this machine: 'gorl multimodality --policy-steps N' into the run's multimodality/ folder,"
                    + " and a table of its dip tests in summary.md. Local engine only.")
    Integer multimodality;

    @Option(names = "--multimodality-min-reward", paramLabel = "R",
            description = "With --multimodality: analyse the first state from N steps on whose reward is at least R"
                    + " ('gorl multimodality --min-reward R'), a state where the run's policy does well.")
    Double multimodalityMinReward;

    @Option(names = "--dry-run", description = "Print the planned runs and their commands; run nothing.")
    boolean dryRun;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    @Parameters(paramLabel = "TRAIN_OPTION", arity = "0..*",
            description = "After '--': options passed to every 'gorl train' (not --task, --seed, --steps, --envs,"
                    + " --out, --optimizer, --decoder, --baseline, which the harness sets).")
    List<String> trainOptions = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ExperimentGrid.Builder builder = ExperimentGrid.builder().tasks(tasks).algos(algos).seeds(seeds).steps(steps)
                .envs(envs).trainOptions(trainOptions).out(out).parallel(parallel).multimodality(multimodality)
                .multimodalityMinReward(multimodalityMinReward);
        if (ablation != null) {
            if (spec.commandLine().getParseResult().hasMatchedOption("--algos")) {
                throw new IllegalArgumentException("give --ablation or --algos, not both");
            }
            Map<String, List<String>> variants = Ablations.algorithms(ablation, trainOptions);
            builder.algorithms(variants).algos(List.copyOf(variants.keySet()));
        }
        ExperimentGrid grid = builder.build();
        ExperimentEngine chosen = engine(engine, master);
        if (chosen != null && multimodality != null) {
            throw new IllegalArgumentException("--multimodality runs with the local engine only: a run's checkpoint"
                    + " is on the machine that trained it; run 'gorl multimodality' there");
        }
        return run(grid, chosen, master, commandLine(), dryRun, System.out, System.err);
    }

    /**
     * The engine named by {@code --engine}: {@code null} for {@code local}, else the {@link ExperimentEngine} of that
     * name on the class path.
     *
     * @throws IllegalArgumentException for an unknown name, an engine not on the class path, or {@code --master}
     *     without an engine that takes it
     */
    static ExperimentEngine engine(String name, String master) {
        String wanted = name.toLowerCase(Locale.ROOT);
        if (wanted.equals("local")) {
            if (master != null) {
                throw new IllegalArgumentException("--master " + master + " needs --engine spark; the local engine"
                        + " runs on this machine");
            }
            return null;
        }
        List<String> found = new ArrayList<>(List.of("local"));
        for (ExperimentEngine e : ServiceLoader.load(ExperimentEngine.class)) {
            if (e.name().equals(wanted)) {
                return e;
            }
            found.add(e.name());
        }
        if (wanted.equals("spark")) {
            throw new IllegalArgumentException("--engine spark needs the gorl-spark module on the class path: run"
                    + " through ./gorl, which adds it, or add io.github.gorl:gorl-spark to your dependencies");
        }
        throw new IllegalArgumentException("--engine must be one of " + String.join(", ", found) + " (spark with"
                + " gorl-spark on the class path), got '" + name + "'");
    }

    /**
     * Runs (or with {@code dryRun} only plans) a grid and writes its outputs.
     *
     * @param grid the grid
     * @param commandLine the command line, recorded in summary.md
     * @param dryRun only print the plan
     * @param out where progress goes
     * @param err where failures are reported
     * @return 0 when every run of the grid is finished, 1 when some failed
     * @throws Exception if the outputs cannot be written or the wait is interrupted
     */
    static int run(ExperimentGrid grid, String commandLine, boolean dryRun, PrintStream out, PrintStream err)
            throws Exception {
        return run(grid, null, null, commandLine, dryRun, out, err);
    }

    /**
     * Runs (or with {@code dryRun} only plans) a grid on an engine and writes its outputs.
     *
     * @param grid the grid
     * @param engine the engine, or {@code null} for this machine's process pool
     * @param master the engine's address, or {@code null} for its default
     * @param commandLine the command line, recorded in summary.md
     * @param dryRun only print the plan
     * @param out where progress goes
     * @param err where failures are reported
     * @return 0 when every run of the grid is finished, 1 when some failed
     * @throws Exception if the engine cannot run, the outputs cannot be written or the wait is interrupted
     */
    static int run(ExperimentGrid grid, ExperimentEngine engine, String master, String commandLine, boolean dryRun,
            PrintStream out, PrintStream err) throws Exception {
        if (dryRun) {
            List<Planned> plan = grid.plan();
            out.printf(Locale.ROOT, "%d runs, %d to run (dry run: nothing is started)%n", plan.size(),
                    plan.stream().filter(p -> p.action() != ExperimentGrid.Action.SKIP).count());
            for (Planned p : plan) {
                out.printf(Locale.ROOT, "%-6s %s: gorl %s%n", p.action().name().toLowerCase(Locale.ROOT),
                        p.run().id(), ExperimentGrid.commandLine(p.action() == ExperimentGrid.Action.RESUME
                                ? ExperimentGrid.resumeArgs(p.run()) : p.run().trainArgs()));
                if (p.action() == ExperimentGrid.Action.RESUME) {
                    out.println("       continues from its checkpoint" + ExperimentGrid.resumePoint(p.run()));
                }
                if (!p.note().isEmpty()) {
                    out.println("       warning: " + p.note());
                }
            }
            return 0;
        }
        List<Outcome> outcomes = engine == null ? grid.run(out) : grid.run(out, engine, master);
        if (grid.stopping()) {
            // The JVM is exiting (the grid said so): leave the outputs of the last complete invocation as they are.
            return 1;
        }
        List<ExperimentReport.RunData> data = ExperimentReport.read(grid.runsWithOthersInFolder(), out);
        ExperimentReport.write(grid, data, outcomes, commandLine);
        List<Outcome> failed = outcomes.stream().filter(o -> o.result() == Result.FAILED).toList();
        List<Path> ours = grid.runs().stream().map(ExperimentGrid.Run::dir).toList();
        long finished = data.stream().filter(d -> ours.contains(d.run().dir())).count();
        long others = data.size() - finished;
        out.printf(Locale.ROOT, "%d of %d runs finished%s; wrote %s, figure.png and summary.md%n", finished,
                outcomes.size(), others == 0 ? "" : " (and " + others + " other finished run(s) in the folder)",
                grid.out().resolve("curves.csv").toAbsolutePath());
        if (failed.isEmpty()) {
            return 0;
        }
        err.println("gorl: error: " + failed.size() + " run(s) failed:");
        failed.forEach(o -> err.println("  " + o.run().id() + ": " + o.message()));
        return 1;
    }

    /** This invocation as typed, for summary.md. */
    private String commandLine() {
        List<String> args = new ArrayList<>(List.of("./gorl"));
        args.addAll(spec.commandLine().getParseResult().originalArgs());
        return ExperimentGrid.commandLine(args);
    }
}
