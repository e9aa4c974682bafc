package io.github.gorl.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gorl.core.train.JsonFile;
import io.github.gorl.core.train.RunLock;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A grid of {@code gorl train} runs (tasks x algorithms x seeds), each an independent JVM writing its run directory
 * under {@code <out>/runs/<task>/<algo>/seed-<S>}. A run is finished when its {@code summary.json} exists (the
 * trainer writes it last, atomically): a second invocation skips finished runs, continues an interrupted run from its
 * checkpoint when it has one with the same options, and reruns the others from scratch.
 * Each run's folder is locked ({@link RunLock}) while the grid prepares it and while its {@code gorl train} trains in
 * it, so two grids, or a grid and a {@code gorl train}, never write one run's folder at once.
 */
final class ExperimentGrid {

    /** Algorithm names of the harness and the {@code train} options each one stands for, in figure-colour order. */
    static final Map<String, List<String>> ALGORITHMS = algorithms();

    /** {@code train} options the harness sets itself per run, so they may not be passed through. */
    static final Set<String> MANAGED_OPTIONS =
            Set.of("--task", "--seed", "--steps", "--envs", "--out", "--optimizer", "--decoder", "--baseline");

    /** Where {@code --multimodality} writes a run's {@code gorl multimodality} outputs, inside its folder. */
    static final String MULTIMODALITY_DIR = "multimodality";

    /** The run's stdout and stderr; its first line records the {@code train} arguments. */
    static final String LOG_FILE = "train.log";

    /** A run folder's name: {@code seed-N}. */
    private static final Pattern SEED_DIR = Pattern.compile("seed-(-?\\d+)");

    /**
     * How long a stopped run may write nothing to its log before it is killed. A stopped run trains on to its safe
     * point (its next evaluation or stage end, or with {@code --checkpoint-every} its next periodic checkpoint, after
     * any refit in progress), which can be half an hour away for a slow algorithm; while it gets there it keeps
     * printing its progress (every 30 s at most), so only a run that has gone silent this long is taken for stuck.
     */
    static final long STOP_SILENCE_SECONDS = 300;

    /** The system properties every run gets unless the current JVM already sets them (see {@link #currentJvm}). */
    private static final List<String> RUN_PROPERTIES = List.of("-Dai.djl.offline=true",
            "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1", "-Djava.awt.headless=true");

    private static Map<String, List<String>> algorithms() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("gorl-fm", List.of("--optimizer", "ppo", "--decoder", "flow"));
        m.put("gorl-diffusion", List.of("--optimizer", "ppo", "--decoder", "diffusion"));
        m.put("gorl-sac-fm", List.of("--optimizer", "sac", "--decoder", "flow"));
        m.put("gorl-sac-diffusion", List.of("--optimizer", "sac", "--decoder", "diffusion"));
        m.put("gaussian-ppo", List.of("--optimizer", "ppo", "--decoder", "identity"));
        m.put("fpo", List.of("--baseline", "fpo"));
        m.put("dppo", List.of("--baseline", "dppo"));
        return Collections.unmodifiableMap(m);
    }

    /**
     * One training run of the grid.
     *
     * @param task the task name
     * @param algo the algorithm name (a key of the grid's algorithm map)
     * @param seed the seed
     * @param dir its run directory
     * @param trainArgs the {@code train} arguments, starting with {@code train}
     */
    record Run(String task, String algo, long seed, Path dir, List<String> trainArgs) {
        String id() {
            return task + "/" + algo + "/seed-" + seed;
        }

        Path log() {
            return dir.resolve(LOG_FILE);
        }

        Path summary() {
            return dir.resolve("summary.json");
        }

        boolean finished() {
            return Files.isRegularFile(summary());
        }

        /**
         * The run's verified {@code summary.json}: the grid's record that the run finished and how.
         *
         * @throws IOException if it is missing, damaged or edited (the message names it)
         */
        JsonNode readSummary() throws IOException {
            return JsonFile.read(summary());
        }
    }

    /** What an invocation does with a run. */
    enum Action {
        /** Finished earlier ({@code summary.json} exists): skipped. */
        SKIP,
        /** No run folder yet. */
        RUN,
        /**
         * A folder without {@code summary.json} but with a checkpoint of a run with the same options (interrupted
         * earlier): continued from the checkpoint with {@code gorl train --resume}.
         */
        RESUME,
        /** A folder without {@code summary.json} and nothing to continue (failed, or other options): deleted, run. */
        RERUN
    }

    /**
     * A run and what this invocation will do with it.
     *
     * @param run the run
     * @param action skip, run or rerun
     * @param note a warning for the user, or empty
     */
    record Planned(Run run, Action action, String note) {}

    /**
     * How a run ended in this invocation: {@code STOPPED} is a run that the harness's own stop (SIGTERM) ended at a
     * checkpoint, which the same command continues.
     */
    enum Result { SKIPPED, SUCCEEDED, FAILED, STOPPED }

    /**
     * A run's outcome.
     *
     * @param run the run
     * @param result skipped, succeeded, failed or stopped
     * @param exitCode the process exit code (0 when skipped)
     * @param seconds wall time of the process (0 when skipped)
     * @param message for a failure: why, with the path of the log
     */
    record Outcome(Run run, Result result, int exitCode, double seconds, String message) {}

    private final List<String> tasks;
    private final List<String> algos;
    private final List<Long> seeds;
    private final Long steps;
    private final Integer envs;
    private final List<String> trainOptions;
    private final Path out;
    private final int parallel;
    private final Map<String, List<String>> algorithms;
    private final List<String> javaCommand;
    private final List<String> algorithmOrder;
    private final Integer multimodalitySteps;
    private final Double multimodalityMinReward;
    /** Set when the harness is being stopped (its shutdown hook runs): its outputs are then not rewritten. */
    private volatile boolean stopping;

    private ExperimentGrid(Builder b) {
        this.algorithms = Map.copyOf(b.algorithms);
        if (b.tasks.isEmpty() || b.algos.isEmpty() || b.seeds.isEmpty()) {
            throw new IllegalArgumentException("the grid needs at least one task, one algorithm and one seed");
        }
        this.tasks = distinct(b.tasks.stream().map(ExperimentGrid::canonicalTask).toList(), "--tasks");
        this.algos = distinct(b.algos.stream().map(a -> a.toLowerCase(Locale.ROOT)).toList(), "--algos");
        for (String a : algos) {
            if (!algorithms.containsKey(a)) {
                throw new IllegalArgumentException("--algos: unknown algorithm '" + a + "'; known: "
                        + String.join(", ", b.algorithms.keySet()));
            }
        }
        this.seeds = distinct(b.seeds, "--seeds");
        if (b.steps != null && b.steps <= 0) {
            throw new IllegalArgumentException("--steps must be > 0, got " + b.steps);
        }
        if (b.envs != null && b.envs <= 0) {
            throw new IllegalArgumentException("--envs must be > 0, got " + b.envs);
        }
        if (b.parallel < 1) {
            throw new IllegalArgumentException("--parallel must be >= 1, got " + b.parallel);
        }
        for (String option : b.trainOptions) {
            String name = option.contains("=") ? option.substring(0, option.indexOf('=')) : option;
            if (MANAGED_OPTIONS.contains(name)) {
                throw new IllegalArgumentException("train option " + name + " is set by the harness per run;"
                        + " use the experiments options (--tasks, --algos, --seeds, --steps, --envs, --out)");
            }
        }
        this.steps = b.steps;
        this.envs = b.envs;
        this.trainOptions = List.copyOf(b.trainOptions);
        this.out = Objects.requireNonNull(b.out, "--out is required");
        this.parallel = b.parallel;
        this.javaCommand = b.javaCommand != null ? List.copyOf(b.javaCommand) : threadsPerRun(currentJvm(), parallel);
        this.algorithmOrder = List.copyOf(b.algorithms.keySet());
        if (b.multimodalitySteps != null && b.multimodalitySteps < 0) {
            throw new IllegalArgumentException("--multimodality must be >= 0 policy steps, got " + b.multimodalitySteps);
        }
        if (b.multimodalityMinReward != null && (b.multimodalitySteps == null
                || !Double.isFinite(b.multimodalityMinReward))) {
            throw new IllegalArgumentException("--multimodality-min-reward needs --multimodality and a finite value,"
                    + " got " + b.multimodalityMinReward);
        }
        this.multimodalitySteps = b.multimodalitySteps;
        this.multimodalityMinReward = b.multimodalityMinReward;
    }

    /**
     * The policy steps of {@code --multimodality}: after each run finishes, {@code gorl multimodality} samples its
     * policy at the state its deterministic policy reaches after this many steps; {@code null} when off.
     */
    Integer multimodalitySteps() {
        return multimodalitySteps;
    }

    static Builder builder() {
        return new Builder();
    }

    List<String> tasks() {
        return tasks;
    }

    List<String> algos() {
        return algos;
    }

    List<Long> seeds() {
        return seeds;
    }

    Path out() {
        return out;
    }

    /** The position of an algorithm in the algorithm map: its colour in the figure, the same in every experiment. */
    int colourIndex(String algo) {
        return algorithmOrder.indexOf(algo);
    }

    /** Every run of the grid, task-major, then algorithm, then seed. */
    List<Run> runs() {
        List<Run> runs = new ArrayList<>();
        for (String task : tasks) {
            for (String algo : algos) {
                for (long seed : seeds) {
                    Path dir = out.resolve("runs").resolve(task).resolve(algo).resolve("seed-" + seed);
                    List<String> args = new ArrayList<>(List.of("train", "--task", task));
                    args.addAll(algorithms.get(algo));
                    args.addAll(List.of("--seed", Long.toString(seed)));
                    if (steps != null) {
                        args.addAll(List.of("--steps", Long.toString(steps)));
                    }
                    if (envs != null) {
                        args.addAll(List.of("--envs", Integer.toString(envs)));
                    }
                    args.addAll(trainOptions);
                    args.addAll(List.of("--out", dir.toString()));
                    runs.add(new Run(task, algo, seed, dir, List.copyOf(args)));
                }
            }
        }
        return runs;
    }

    /**
     * The run folders under {@code folder/runs/TASK/ALGO/seed-N}, whatever grid wrote them: by task, algorithm and
     * seed (folder names in order, seeds by number). Their {@code trainArgs} are empty; none is read.
     *
     * @param folder a grid's output folder
     * @return its runs; empty where it has no {@code runs/} folder
     * @throws IOException if a folder cannot be listed
     */
    static List<Run> runsIn(Path folder) throws IOException {
        Path runsDir = folder.resolve("runs");
        List<Run> found = new ArrayList<>();
        if (!Files.isDirectory(runsDir)) {
            return found;
        }
        for (Path taskDir : directories(runsDir)) {
            for (Path algoDir : directories(taskDir)) {
                List<Run> seeds = new ArrayList<>();
                for (Path seedDir : directories(algoDir)) {
                    Matcher m = SEED_DIR.matcher(seedDir.getFileName().toString());
                    if (m.matches()) {
                        seeds.add(new Run(taskDir.getFileName().toString(), algoDir.getFileName().toString(),
                                Long.parseLong(m.group(1)), seedDir, List.of()));
                    }
                }
                seeds.sort(Comparator.comparingLong(Run::seed));
                found.addAll(seeds);
            }
        }
        return found;
    }

    private static List<Path> directories(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory).sorted().toList();
        }
    }

    /**
     * The grid's runs followed by the other run folders of its output folder ({@link #runsIn}): those an earlier
     * invocation with other tasks, algorithms or seeds wrote there. The grid's outputs cover them all, so that
     * running a part of a grid into its folder does not drop the rest from its {@code curves.csv},
     * {@code figure.png} and {@code summary.md}.
     *
     * @throws IOException if a folder cannot be listed
     */
    List<Run> runsWithOthersInFolder() throws IOException {
        List<Run> all = new ArrayList<>(runs());
        Set<Path> ours = new HashSet<>();
        all.forEach(r -> ours.add(r.dir().toAbsolutePath().normalize()));
        for (Run other : runsIn(out)) {
            if (!ours.contains(other.dir().toAbsolutePath().normalize())) {
                all.add(other);
            }
        }
        return all;
    }

    /** What {@link #run} would do, from the state of the output folder now. */
    List<Planned> plan() {
        List<Planned> plan = new ArrayList<>();
        for (Run run : runs()) {
            if (run.finished()) {
                String recorded = recordedArgs(run);
                String note = recorded != null && !recorded.equals(commandLine(run.trainArgs()))
                        ? "finished with other options (" + recorded + "); delete its folder to rerun it" : "";
                try {
                    run.readSummary();
                } catch (IOException e) {
                    // Not rerun on its own: the folder holds a whole run's metrics and checkpoint.
                    note = "cannot be read (" + e.getMessage() + "); it is left out of the report; delete its folder"
                            + " to rerun it";
                }
                plan.add(new Planned(run, Action.SKIP, note));
            } else if (!Files.exists(run.dir())) {
                plan.add(new Planned(run, Action.RUN, ""));
            } else {
                plan.add(unfinished(run));
            }
        }
        return plan;
    }

    /**
     * An unfinished run's folder: resumed when it holds a checkpoint and was started with the options the grid would
     * give it now, else rerun (with a note when a checkpoint of other options is deleted).
     */
    private static Planned unfinished(Run run) {
        if (!hasCheckpoint(run)) {
            return new Planned(run, Action.RERUN, "");
        }
        List<String> expected = new ArrayList<>(run.trainArgs().subList(1, run.trainArgs().size()));
        int out = expected.indexOf("--out");
        expected.subList(out, out + 2).clear();
        try {
            List<String> recorded = TrainArguments.recorded(run.dir());
            if (recorded.equals(expected)) {
                return new Planned(run, Action.RESUME, "");
            }
            return new Planned(run, Action.RERUN, "its checkpoint is of a run with other options ("
                    + commandLine(recorded) + "); it is deleted and the run starts anew");
        } catch (IOException e) {
            return new Planned(run, Action.RERUN, "its checkpoint cannot be continued (" + e.getMessage()
                    + "); it is deleted and the run starts anew");
        }
    }

    /**
     * Runs every unfinished run, up to {@code parallel} at once, and reports each as it ends. A failed run does not
     * stop the others.
     *
     * @param log where progress goes
     * @return the outcome of every run of the grid, in {@link #runs()} order
     * @throws InterruptedException if interrupted while waiting; running processes are then destroyed
     */
    List<Outcome> run(PrintStream log) throws InterruptedException {
        List<Planned> plan = plan();
        long todo = plan.stream().filter(p -> p.action() != Action.SKIP).count();
        log.printf(Locale.ROOT, "%d runs: %d finished earlier (skipped), %d to run, %d at a time%n", plan.size(),
                plan.size() - todo, todo, parallel);
        for (Planned p : plan) {
            if (!p.note().isEmpty()) {
                log.println("warning: " + p.run().id() + " " + p.note());
            }
        }
        Map<Process, Path> live = new ConcurrentHashMap<>();
        // The runs are separate processes: do not leave them training if the harness is stopped (Ctrl-C). They are
        // asked to stop first, so that each writes a checkpoint the next invocation continues from.
        CountDownLatch wrappedUp = new CountDownLatch(1);
        Thread reaper = addStopHook(() -> stop(Map.copyOf(live), STOP_SILENCE_SECONDS), wrappedUp,
                "gorl-experiments-reaper");
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        AtomicInteger started = new AtomicInteger();
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            List<Future<?>> analyses = new ArrayList<>();
            for (Planned p : plan) {
                if (p.action() == Action.SKIP) {
                    futures.add(null);
                    if (needsMultimodality(p.run())) {
                        analyses.add(pool.submit(() -> {
                            multimodality(p.run(), live, log);
                            return null;
                        }));
                    }
                } else {
                    futures.add(pool.submit(() -> execute(p, live, log,
                            String.format(Locale.ROOT, "[%d/%d]", started.incrementAndGet(), todo))));
                }
            }
            for (Future<?> a : analyses) {
                try {
                    a.get();
                } catch (ExecutionException e) {
                    log.println("warning: multimodality could not run: " + e.getCause());
                }
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (int i = 0; i < plan.size(); i++) {
                Future<Outcome> f = futures.get(i);
                Run run = plan.get(i).run();
                if (f == null) {
                    outcomes.add(new Outcome(run, Result.SKIPPED, 0, 0, ""));
                    continue;
                }
                try {
                    outcomes.add(f.get());
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    String why = "could not run (" + cause + "), log: " + run.log();
                    log.println("FAILED " + run.id() + ": " + why);
                    outcomes.add(new Outcome(run, Result.FAILED, -1, 0, why));
                }
            }
            return outcomes;
        } finally {
            Map<Process, Path> running = Map.copyOf(live);
            pool.shutdownNow();
            stop(running, STOP_SILENCE_SECONDS);
            removeStopHook(reaper, wrappedUp, log);
        }
    }

    /**
     * Installs the hook that a stop of the harness (Ctrl-C, SIGTERM) runs: it marks this invocation as stopped, runs
     * {@code stop}, and then waits (up to 30 s) for {@code wrappedUp}, because the JVM halts when the hook returns and
     * the invocation should say how it ended first.
     */
    private Thread addStopHook(Runnable stop, CountDownLatch wrappedUp, String name) {
        Thread hook = new Thread(() -> {
            stopping = true;
            stop.run();
            try {
                wrappedUp.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** Removes a hook of {@link #addStopHook} as the invocation ends, saying so when it was stopped, and lets it go. */
    private void removeStopHook(Thread hook, CountDownLatch wrappedUp, PrintStream log) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is already exiting; the hook runs anyway.
        }
        if (stopping) {
            log.println("gorl experiments: stopped; curves.csv, figure.png and summary.md are left as they were;"
                    + " run the same command again to continue");
        }
        wrappedUp.countDown();
    }

    /**
     * Whether the harness was stopped (SIGTERM, Ctrl-C) while {@link #run(PrintStream)} ran: the runs then ended at
     * their safe points or were killed, and the JVM is exiting.
     */
    boolean stopping() {
        return stopping;
    }

    /**
     * Runs every unfinished run on another engine ({@code --engine}), which decides where each one trains and how it
     * continues an unfinished folder, and maps its results to outcomes. A run counts as succeeded only when its
     * {@code summary.json} exists afterwards. When the harness is stopped while the engine runs, an unfinished run
     * with a checkpoint is {@code STOPPED}, as on the local engine, and {@link #stopping()} says so.
     *
     * @param log where progress goes
     * @param engine the engine
     * @param master the engine's address ({@code --master}), or {@code null} for its default
     * @return the outcome of every run of the grid, in {@link #runs()} order
     * @throws Exception if the engine cannot run
     */
    List<Outcome> run(PrintStream log, ExperimentEngine engine, String master) throws Exception {
        List<Planned> plan = plan();
        List<ExperimentEngine.Cell> cells = new ArrayList<>();
        for (Planned p : plan) {
            if (p.action() != Action.SKIP) {
                cells.add(new ExperimentEngine.Cell(p.run().id(), p.run().dir(), p.run().trainArgs()));
            }
        }
        log.printf(Locale.ROOT, "%d runs: %d finished earlier (skipped), %d to run on engine %s%n", plan.size(),
                plan.size() - cells.size(), cells.size(), engine.name());
        for (Planned p : plan) {
            if (!p.note().isEmpty()) {
                log.println("warning: " + p.run().id() + " " + p.note());
            }
        }
        if (cells.isEmpty()) {
            return outcomes(plan, List.of());
        }
        // Stopping the harness (Ctrl-C, SIGTERM) shuts the engine down with this JVM; the engine stops its cells at
        // their safe points (the Spark engine does, from a hook of each executor JVM). This hook only marks the
        // invocation as stopped, so that its cells read as stopped rather than failed and the outputs of the last
        // complete invocation are left alone, and waits for this method to say so.
        CountDownLatch wrappedUp = new CountDownLatch(1);
        Thread marker = addStopHook(() -> {}, wrappedUp, "gorl-experiments-engine-stop");
        try {
            List<ExperimentEngine.CellResult> results = engine.run(cells,
                    new ExperimentEngine.Settings(master, parallel, jvmOptions()), log);
            if (results.size() != cells.size()) {
                throw new IllegalStateException("engine " + engine.name() + " returned " + results.size()
                        + " results for " + cells.size() + " runs");
            }
            return outcomes(plan, results);
        } finally {
            removeStopHook(marker, wrappedUp, log);
        }
    }

    /** An engine's results, one per unskipped run of {@code plan} in its order, as the grid's outcomes. */
    private List<Outcome> outcomes(List<Planned> plan, List<ExperimentEngine.CellResult> results) {
        List<Outcome> outcomes = new ArrayList<>();
        int next = 0;
        for (Planned p : plan) {
            Run run = p.run();
            if (p.action() == Action.SKIP) {
                outcomes.add(new Outcome(run, Result.SKIPPED, 0, 0, ""));
                continue;
            }
            ExperimentEngine.CellResult r = results.get(next++);
            if (r.exitCode() == 0 && run.finished()) {
                outcomes.add(new Outcome(run, Result.SUCCEEDED, 0, r.seconds(), ""));
            } else if (stopping && hasCheckpoint(run)) {
                // Ended by this harness's stop, with a checkpoint to continue from: not a failure.
                outcomes.add(new Outcome(run, Result.STOPPED, r.exitCode(), r.seconds(), ""));
            } else {
                String why = (r.exitCode() == 0 && r.message().isEmpty() ? "exited 0 without writing summary.json"
                        : r.message()) + reason(run.log()) + ", log: " + run.log();
                outcomes.add(new Outcome(run, Result.FAILED, r.exitCode(), r.seconds(), why));
            }
        }
        return outcomes;
    }

    /** The JVM options of the command that trains a run: {@link #javaCommand} without java, class path and main. */
    List<String> jvmOptions() {
        int end = javaCommand.indexOf("-cp");
        return javaCommand.subList(1, end >= 1 ? end : Math.max(1, javaCommand.size() - 1));
    }

    private Outcome execute(Planned p, Map<Process, Path> live, PrintStream log, String counter)
            throws IOException, InterruptedException {
        Run run = p.run();
        // Prepared under the run's lock: a folder another process trains in is neither deleted nor written. The lock
        // passes to the run's own gorl train, which takes it again as it starts.
        try (RunLock lock = RunLock.acquire(run.dir())) {
            if (p.action() == Action.RERUN) {
                deleteRecursively(run.dir());
            }
            if (p.action() == Action.RESUME) {
                // The log goes on: its first line still records the options the run was started with.
                Files.writeString(run.log(), "# resumed: gorl " + commandLine(resumeArgs(run)) + "\n",
                        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } else {
                Files.writeString(run.log(), "# " + commandLine(run.trainArgs()) + "\n", StandardCharsets.UTF_8);
            }
        } catch (IllegalStateException inUse) {
            String why = inUse.getMessage();
            log.printf(Locale.ROOT, "%s FAILED %s: %s%n", counter, run.id(), why);
            return new Outcome(run, Result.FAILED, -1, 0, why);
        }
        List<String> command = new ArrayList<>(javaCommand);
        command.addAll(p.action() == Action.RESUME ? resumeArgs(run) : run.trainArgs());
        log.println(counter + " start  " + run.id() + switch (p.action()) {
            case RERUN -> " (rerun: partial folder deleted)";
            case RESUME -> " (resumed from its checkpoint" + resumePoint(run) + ")";
            default -> "";
        });
        long t0 = System.nanoTime();
        int exit = runChild(command, run.log(), live);
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (exit == 0 && run.finished()) {
            log.printf(Locale.ROOT, "%s done   %s in %.0f s%n", counter, run.id(), seconds);
            if (needsMultimodality(run)) {
                multimodality(run, live, log);
            }
            return new Outcome(run, Result.SUCCEEDED, 0, seconds, "");
        }
        if (exit != 0 && stopping && hasCheckpoint(run)) {
            // Ended by this harness's own stop, at a checkpoint: not a failure.
            log.printf(Locale.ROOT, "%s stopped %s after %.0f s, checkpointed%s; the same command continues it%n",
                    counter, run.id(), seconds, resumePoint(run));
            return new Outcome(run, Result.STOPPED, exit, seconds, "");
        }
        String why = (exit == 0 ? "exited 0 without writing summary.json" : "exit code " + exit)
                + reason(run.log()) + ", log: " + run.log();
        log.printf(Locale.ROOT, "%s FAILED %s after %.0f s: %s%n", counter, run.id(), seconds, why);
        return new Outcome(run, Result.FAILED, exit, seconds, why);
    }

    private static boolean hasCheckpoint(Run run) {
        return Files.isRegularFile(run.dir().resolve("checkpoint").resolve("checkpoint.json"));
    }

    /**
     * The command that starts a run's JVM, up to the main class: this JVM's java binary, its JVM options (minus
     * debugger and agent options, which would clash), the run properties it does not already set, and its
     * classpath.
     */
    static List<String> currentJvm() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().filter(c -> c.endsWith("java")).orElse(java));
        List<String> inherited = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(ExperimentGrid::inheritable).toList();
        command.addAll(inherited);
        for (String property : RUN_PROPERTIES) {
            String key = property.substring(0, property.indexOf('=') + 1);
            if (inherited.stream().noneMatch(a -> a.startsWith(key))) {
                command.add(property);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(GorlCli.class.getName());
        return command;
    }

    /**
     * Runs side by side share the cores: with more than one at a time each run's PyTorch gets
     * {@code max(1, cores / parallel)} threads in every phase, instead of the per-phase choice of a lone
     * {@code gorl train}, so that runs do not oversubscribe the machine.
     */
    static List<String> threadsPerRun(List<String> command, int parallel) {
        if (parallel <= 1) {
            return command;
        }
        int each = Math.max(1, Runtime.getRuntime().availableProcessors() / parallel);
        List<String> out = new ArrayList<>();
        for (String arg : command) {
            if (!arg.startsWith("-Dgorl.torchThreads=") && !arg.startsWith("-Dai.djl.pytorch.num_threads=")) {
                out.add(arg);
            }
        }
        int main = out.indexOf("-cp");
        out.addAll(main < 0 ? out.size() : main, List.of("-Dai.djl.pytorch.num_threads=" + each,
                "-Dgorl.torchThreads=" + each));
        return out;
    }

    private static boolean inheritable(String arg) {
        return !(arg.startsWith("-agentlib:") || arg.startsWith("-agentpath:") || arg.startsWith("-javaagent:")
                || arg.startsWith("-Xdebug") || arg.startsWith("-Xrunjdwp") || arg.startsWith("-Djava.class.path=")
                || arg.startsWith("-Dsun.java.command=") || arg.startsWith("-Dsun.java.launcher")
                || arg.startsWith("-Djdk.module.main"));
    }

    /** A command line as one could paste it into a shell. */
    static String commandLine(List<String> args) {
        return args.stream().map(ExperimentGrid::shellQuote).collect(Collectors.joining(" "));
    }

    private static String shellQuote(String arg) {
        if (!arg.isEmpty() && arg.matches("[A-Za-z0-9_./:=,+@%-]+")) {
            return arg;
        }
        return "'" + arg.replace("'", "'\\''") + "'";
    }

    /** Whether {@code --multimodality} is on and this finished run's checkpoint has not been analysed yet. */
    private boolean needsMultimodality(Run run) {
        return multimodalitySteps != null && run.finished() && hasCheckpoint(run)
                && !Files.isRegularFile(run.dir().resolve(MULTIMODALITY_DIR).resolve("stats.json"));
    }

    /** The {@code gorl multimodality} arguments of {@code --multimodality} for a finished run. */
    List<String> multimodalityArgs(Run run) {
        List<String> args = new ArrayList<>(List.of("multimodality", "--run", run.dir().toString(), "--policy-steps",
                Integer.toString(multimodalitySteps)));
        if (multimodalityMinReward != null) {
            args.addAll(List.of("--min-reward", Double.toString(multimodalityMinReward)));
        }
        args.addAll(List.of("--out", run.dir().resolve(MULTIMODALITY_DIR).toString()));
        return List.copyOf(args);
    }

    /**
     * Runs {@code gorl multimodality} on a finished run while its checkpoint is on this machine, its output in
     * {@code multimodality.log} of the run folder. A failure is reported as a warning: the run itself finished.
     */
    private void multimodality(Run run, Map<Process, Path> live, PrintStream log)
            throws IOException, InterruptedException {
        Path analysisLog = run.dir().resolve(MULTIMODALITY_DIR + ".log");
        List<String> args = multimodalityArgs(run);
        Files.writeString(analysisLog, "# gorl " + commandLine(args) + "\n", StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(javaCommand);
        command.addAll(args);
        int exit = runChild(command, analysisLog, live);
        if (exit == 0) {
            log.println("      multimodality of " + run.id() + ": " + run.dir().resolve(MULTIMODALITY_DIR));
        } else {
            log.println("warning: multimodality of " + run.id() + " failed: exit code " + exit + reason(analysisLog)
                    + ", log: " + analysisLog);
        }
    }

    /**
     * Starts a child process with its output appended to {@code log}, registered in {@code live} with its log (so
     * that stopping the harness stops it) until it exits.
     *
     * @return its exit code
     */
    private static int runChild(List<String> command, Path log, Map<Process, Path> live)
            throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        live.put(process, log);
        process.getOutputStream().close(); // a child reads nothing
        try {
            return process.waitFor();
        } finally {
            live.remove(process);
        }
    }

    /**
     * Where an interrupted run continues: {@code " at env step N"} from its checkpoint, or {@code ""} where the
     * checkpoint cannot be read (its {@code gorl train --resume} then says why).
     */
    static String resumePoint(Run run) {
        try {
            long step = JsonFile.read(run.dir().resolve("checkpoint").resolve("checkpoint.json")).path("envSteps")
                    .asLong(-1);
            return step < 0 ? "" : String.format(Locale.ROOT, " at env step %,d", step);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** The arguments that continue an interrupted run from its checkpoint. */
    static List<String> resumeArgs(Run run) {
        return List.of("train", "--resume", run.dir().toString());
    }

    private static String recordedArgs(Run run) {
        try (Stream<String> lines = Files.lines(run.log(), StandardCharsets.UTF_8)) {
            return lines.findFirst().filter(l -> l.startsWith("# ")).map(l -> l.substring(2)).orElse(null);
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }

    /**
     * The line of a failed run's log that says why: the CLI's {@code gorl: error:} line, else the line before a
     * usage message (picocli prints the usage error first), else the last line shown.
     */
    static String reason(Path log) {
        List<String> lines;
        try (Stream<String> all = Files.lines(log, StandardCharsets.UTF_8)) {
            // Progress bars end their updates with carriage returns: each segment is one line shown.
            lines = all.flatMap(l -> Stream.of(l.split("\r"))).map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("# ")).toList();
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
        String why = lines.stream().filter(l -> l.startsWith("gorl: error:")).findFirst().orElse(null);
        for (int i = 1; why == null && i < lines.size(); i++) {
            if (lines.get(i).startsWith("Usage:")) {
                why = lines.get(i - 1);
            }
        }
        if (why == null && !lines.isEmpty()) {
            why = lines.get(lines.size() - 1);
        }
        return why == null ? "" : " (" + why.replaceFirst("^gorl: error: ", "") + ")";
    }

    /** Empties a run folder whose lock this process holds: everything but the lock file, which must stay put. */
    private static void deleteRecursively(Path dir) throws IOException {
        Path lockFile = dir.resolve(RunLock.FILE);
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir) && !p.equals(lockFile)) {
                    Files.delete(p);
                }
            }
        }
    }

    /**
     * Stops runs: each is sent SIGTERM, on which {@code gorl train} trains on to its next safe point, writes a
     * checkpoint and exits. One that writes nothing to its log for {@code silenceSeconds} is taken for stuck and
     * killed with its descendants; one that keeps writing is waited for, however long its safe point takes.
     *
     * @param running each process with the log its output goes to
     */
    static void stop(Map<Process, Path> running, long silenceSeconds) {
        if (running.keySet().stream().noneMatch(Process::isAlive)) {
            return;
        }
        System.err.printf(Locale.ROOT, "gorl experiments: stopping %d run(s); each trains on to its next safe point"
                + " (with --checkpoint-every N up to N env steps away), writes a checkpoint and exits; one that writes"
                + " nothing to its log for %d s is killed; run the same command again to continue them%n",
                running.size(), silenceSeconds);
        running.keySet().forEach(Process::destroy);
        long silence = TimeUnit.SECONDS.toMillis(silenceSeconds);
        // Each log's size and when it last changed: a run is judged by its own output from the moment it was asked
        // to stop (the first look counts as hearing from it).
        Map<Process, Long> heard = new HashMap<>();
        Map<Process, Long> sizes = new HashMap<>();
        while (running.keySet().stream().anyMatch(Process::isAlive)) {
            for (Map.Entry<Process, Path> e : running.entrySet()) {
                Process process = e.getKey();
                if (!process.isAlive()) {
                    continue;
                }
                long size = sizeOf(e.getValue());
                long t = System.currentTimeMillis();
                Long before = sizes.put(process, size);
                if (before == null || before != size) {
                    heard.put(process, t);
                } else if (t - heard.get(process) >= silence) {
                    System.err.printf(Locale.ROOT, "gorl experiments: pid %d wrote nothing to %s for %d s: killed%n",
                            process.pid(), e.getValue(), silenceSeconds);
                    destroyTree(process);
                }
            }
            try {
                Thread.sleep(Math.min(1000, Math.max(10, silence / 10)));
            } catch (InterruptedException e) {
                // Stopping is already under way: a second interrupt kills what is left rather than leave it orphaned.
                running.keySet().stream().filter(Process::isAlive).forEach(ExperimentGrid::destroyTree);
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static long sizeOf(Path log) {
        try {
            return Files.size(log);
        } catch (IOException e) {
            return -1;
        }
    }

    private static void destroyTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** The task's name as the registry spells it; an unknown name lists the known ones. */
    private static String canonicalTask(String name) {
        return Tasks.names().stream().filter(n -> n.equalsIgnoreCase(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("--tasks: unknown task '" + name + "'; known: "
                        + String.join(", ", Tasks.names())));
    }

    private static <T> List<T> distinct(List<T> values, String option) {
        List<T> d = values.stream().distinct().toList();
        if (d.size() != values.size()) {
            throw new IllegalArgumentException(option + " lists a value twice: " + values);
        }
        return d;
    }

    /** Builds a grid; {@link #algorithms} and {@link #javaCommand} are there for tests. */
    static final class Builder {
        private List<String> tasks = List.of();
        private List<String> algos = List.of();
        private List<Long> seeds = List.of();
        private Long steps;
        private Integer envs;
        private List<String> trainOptions = List.of();
        private Path out;
        private int parallel = 1;
        private Map<String, List<String>> algorithms = ALGORITHMS;
        private List<String> javaCommand;
        private Integer multimodalitySteps;
        private Double multimodalityMinReward;

        Builder tasks(List<String> v) {
            tasks = List.copyOf(v);
            return this;
        }

        Builder algos(List<String> v) {
            algos = List.copyOf(v);
            return this;
        }

        Builder seeds(List<Long> v) {
            seeds = List.copyOf(v);
            return this;
        }

        Builder steps(Long v) {
            steps = v;
            return this;
        }

        Builder envs(Integer v) {
            envs = v;
            return this;
        }

        Builder trainOptions(List<String> v) {
            trainOptions = v == null ? List.of() : List.copyOf(v);
            return this;
        }

        Builder out(Path v) {
            out = v;
            return this;
        }

        Builder parallel(int v) {
            parallel = v;
            return this;
        }

        /** {@code --multimodality N}: analyse each finished run at the state N policy steps in; {@code null}: off. */
        Builder multimodality(Integer policySteps) {
            multimodalitySteps = policySteps;
            return this;
        }

        /** {@code --multimodality-min-reward R}: the analysed state's reward at least R ({@code null}: any). */
        Builder multimodalityMinReward(Double minReward) {
            multimodalityMinReward = minReward;
            return this;
        }

        /** Replaces the algorithm map (name to {@code train} options); its order gives the figure colours. */
        Builder algorithms(Map<String, List<String>> v) {
            algorithms = new LinkedHashMap<>(v);
            return this;
        }

        /** Replaces the command that starts a run's JVM (up to the main class); default {@link #currentJvm()}. */
        Builder javaCommand(List<String> v) {
            javaCommand = List.copyOf(v);
            return this;
        }

        ExperimentGrid build() {
            return new ExperimentGrid(this);
        }
    }
}
