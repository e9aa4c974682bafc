package io.github.gorl.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gorl.examples.ExperimentGrid.Action;
import io.github.gorl.examples.ExperimentGrid.Planned;
import io.github.gorl.examples.ExperimentGrid.Run;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The experiment harness end to end on a tiny grid (Pendulum x {gorl-fm, gaussian-ppo, broken} x 2 seeds, real
 * {@code gorl train} subprocesses on the test classpath), and its pure parts (plan, alignment) without processes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExperimentsCommandTest {

    /** Small enough for a few seconds per run on 2 shared cores. */
    private static final List<String> TINY_TRAIN = List.of("--decoder-epochs", "2", "--decoder-data", "1000",
            "--eval-episodes", "2", "--stages", "2");

    /** The real algorithms plus one whose {@code train} options are invalid, so its runs fail. */
    private static final Map<String, List<String>> WITH_BROKEN = withBroken();

    @TempDir
    static Path temp;

    static Path out;
    static int exitCode;
    static String printed;
    static String errors;

    private static Map<String, List<String>> withBroken() {
        Map<String, List<String>> m = new LinkedHashMap<>(ExperimentGrid.ALGORITHMS);
        m.put("broken", List.of("--no-such-option"));
        return m;
    }

    private static ExperimentGrid.Builder tiny(List<String> algos) {
        return ExperimentGrid.builder().tasks(List.of("pendulum")).algos(algos).seeds(List.of(1L, 2L)).steps(1024L)
                .envs(4).trainOptions(TINY_TRAIN).out(out).parallel(2).algorithms(WITH_BROKEN);
    }

    @BeforeAll
    static void runTinyGrid() throws Exception {
        out = temp.resolve("exp");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        exitCode = ExperimentsCommand.run(tiny(List.of("gorl-fm", "gaussian-ppo", "broken")).build(),
                "./gorl experiments (test)", false, new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));
        printed = stdout.toString(StandardCharsets.UTF_8);
        errors = stderr.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        System.out.print(errors);
    }

    @Test
    @Order(1)
    void grid_writesCurvesOfEveryFinishedRun() throws Exception {
        List<String> lines = Files.readAllLines(out.resolve("curves.csv"));
        assertThat(lines.get(0)).isEqualTo("task,algo,seed,step,eval_return");
        Map<String, Long> rowsPerRun = lines.stream().skip(1).map(l -> l.split(","))
                .collect(Collectors.groupingBy(c -> c[0] + "/" + c[1] + "/" + c[2], Collectors.counting()));
        assertThat(rowsPerRun).containsOnlyKeys("Pendulum/gorl-fm/1", "Pendulum/gorl-fm/2", "Pendulum/gaussian-ppo/1",
                "Pendulum/gaussian-ppo/2");
        for (String run : rowsPerRun.keySet()) {
            String[] id = run.split("/");
            Path metrics = out.resolve("runs/Pendulum").resolve(id[1]).resolve("seed-" + id[2]).resolve("metrics.csv");
            long evaluations = Files.readAllLines(metrics).stream().filter(l -> l.contains(",evaluation,")).count();
            assertThat(rowsPerRun.get(run)).as(run).isEqualTo(evaluations).isGreaterThanOrEqualTo(3);
        }
        // Every run starts with an evaluation at step 0; returns are Pendulum's (negative).
        assertThat(lines).anyMatch(l -> l.startsWith("Pendulum,gorl-fm,1,0,"))
                .anyMatch(l -> l.startsWith("Pendulum,gaussian-ppo,2,0,"));
        assertThat(lines.stream().skip(1).mapToDouble(l -> Double.parseDouble(l.split(",")[4])).max().orElseThrow())
                .isNegative();
    }

    @Test
    @Order(2)
    void grid_writesFigureAndSummaryTable() throws Exception {
        BufferedImage figure = ImageIO.read(out.resolve("figure.png").toFile());
        assertThat(figure.getWidth()).isGreaterThan(400); // one task: one panel
        assertThat(figure.getHeight()).isGreaterThan(300);

        String summary = Files.readString(out.resolve("summary.md"));
        assertThat(summary).contains("./gorl experiments (test)")
                .contains("| task | algorithm | seeds finished | final return | best return | late mean"
                        + " | paper at 15M / 30M |")
                .containsPattern("\\| Pendulum \\| gorl-fm \\| 2/2 \\| -\\d+\\.\\d ± \\d+\\.\\d \\| -\\d+\\.\\d ± ")
                .containsPattern("\\| Pendulum \\| gaussian-ppo \\| 2/2 \\| -\\d+\\.\\d ± ")
                .contains("| Pendulum | broken | 0/2 | - | - | - | - |");
    }

    @Test
    @Order(3)
    void failedRuns_areReportedWithTheirLogs_andTheOthersComplete() throws Exception {
        assertThat(exitCode).isEqualTo(1);
        for (long seed : new long[] {1, 2}) {
            Path log = out.resolve("runs/Pendulum/broken/seed-" + seed + "/train.log");
            assertThat(Files.readString(log)).contains("--no-such-option");
            assertThat(errors).contains("Pendulum/broken/seed-" + seed + ": exit code 2").contains(log.toString());
            assertThat(Files.readString(out.resolve("summary.md"))).contains("Failed runs")
                    .contains("Pendulum/broken/seed-" + seed + ": exit code 2");
        }
        assertThat(printed).contains("6 runs: 0 finished earlier (skipped), 6 to run, 2 at a time")
                .contains("4 of 6 runs finished");
        for (String algo : List.of("gorl-fm", "gaussian-ppo")) {
            for (long seed : new long[] {1, 2}) {
                Path run = out.resolve("runs/Pendulum/" + algo + "/seed-" + seed);
                assertThat(run.resolve("summary.json")).isRegularFile();
                assertThat(run.resolve("train.log")).content().startsWith("# train --task Pendulum");
            }
        }
    }

    @Test
    @Order(4)
    void secondInvocation_skipsFinishedRuns_andRerunsAnUnfinishedOneFromScratch() throws Exception {
        // Make one finished run look interrupted before its first checkpoint: no summary.json and no checkpoint/,
        // a stale file left behind.
        Path partial = out.resolve("runs/Pendulum/gaussian-ppo/seed-2");
        Files.delete(partial.resolve("summary.json"));
        deleteTree(partial.resolve("checkpoint"));
        Files.writeString(partial.resolve("stale"), "left by an interrupted run");
        Map<Path, FileTime> before = new HashMap<>();
        for (String run : List.of("gorl-fm/seed-1", "gorl-fm/seed-2", "gaussian-ppo/seed-1")) {
            Path summary = out.resolve("runs/Pendulum/" + run + "/summary.json");
            before.put(summary, Files.getLastModifiedTime(summary));
        }

        ExperimentGrid grid = tiny(List.of("gorl-fm", "gaussian-ppo")).build();
        assertThat(grid.plan()).extracting(p -> p.run().algo() + "/" + p.run().seed() + " " + p.action())
                .containsExactly("gorl-fm/1 SKIP", "gorl-fm/2 SKIP", "gaussian-ppo/1 SKIP", "gaussian-ppo/2 RERUN");
        assertThat(grid.plan()).allMatch(p -> p.note().isEmpty(), "same options as the finished runs");

        Invocation invocation = invoke(grid, "./gorl experiments (resume)");
        int exit = invocation.exit();
        String log = invocation.printed();

        assertThat(exit).isZero();
        assertThat(log).contains("4 runs: 3 finished earlier (skipped), 1 to run")
                .contains("start  Pendulum/gaussian-ppo/seed-2 (rerun: partial folder deleted)")
                .doesNotContain("start  Pendulum/gorl-fm");
        for (Map.Entry<Path, FileTime> e : before.entrySet()) {
            assertThat(Files.getLastModifiedTime(e.getKey())).as(e.getKey().toString()).isEqualTo(e.getValue());
        }
        assertThat(partial.resolve("summary.json")).isRegularFile();
        assertThat(partial.resolve("stale")).doesNotExist();
        assertThat(Files.readString(out.resolve("summary.md"))).contains("| Pendulum | gaussian-ppo | 2/2 |")
                .doesNotContain("broken").doesNotContain("Failed runs");
    }

    @Test
    @Order(5)
    void thirdInvocation_continuesAnInterruptedRunFromItsCheckpoint_andRerunsOneOfOtherOptions() throws Exception {
        // Interrupted after its (last) checkpoint: the folder keeps checkpoint/, metrics.csv and train.log.
        Path interrupted = out.resolve("runs/Pendulum/gorl-fm/seed-1");
        Files.delete(interrupted.resolve("summary.json"));
        List<String> metricsBefore = Files.readAllLines(interrupted.resolve("metrics.csv"));
        String firstLogLine = Files.readAllLines(interrupted.resolve("train.log")).get(0);
        // Interrupted too, but its checkpoint is of a run with other options: it cannot be continued as this grid's.
        Path changed = out.resolve("runs/Pendulum/gorl-fm/seed-2");
        Files.delete(changed.resolve("summary.json"));
        List<String> args = new java.util.ArrayList<>(TrainArguments.recorded(changed));
        args.set(args.indexOf("--eval-episodes") + 1, "3");
        io.github.gorl.core.train.JsonFile.write(changed.resolve(TrainArguments.FILE),
                Map.of("command", "train", "args", args));

        ExperimentGrid grid = tiny(List.of("gorl-fm")).build();
        List<Planned> plan = grid.plan();
        assertThat(plan).extracting(p -> p.run().seed() + " " + p.action()).containsExactly("1 RESUME", "2 RERUN");
        assertThat(plan.get(0).note()).isEmpty();
        assertThat(plan.get(1).note()).contains("its checkpoint is of a run with other options")
                .contains("--eval-episodes 3").contains("starts anew");

        ByteArrayOutputStream dryOut = new ByteArrayOutputStream();
        assertThat(ExperimentsCommand.run(grid, "./gorl experiments (dry)", true,
                new PrintStream(dryOut, true, StandardCharsets.UTF_8), System.err)).isZero();
        String dry = dryOut.toString(StandardCharsets.UTF_8);
        long checkpointStep = io.github.gorl.core.train.JsonFile.read(interrupted.resolve("checkpoint/checkpoint.json"))
                .path("envSteps").asLong();
        String resumePoint = String.format(java.util.Locale.ROOT, "at env step %,d", checkpointStep);
        assertThat(checkpointStep).isPositive();
        assertThat(dry).contains("resume Pendulum/gorl-fm/seed-1: gorl train --resume " + interrupted + "\n"
                + "       continues from its checkpoint " + resumePoint)
                .contains("rerun  Pendulum/gorl-fm/seed-2: gorl train --task Pendulum");

        Invocation invocation = invoke(grid, "./gorl experiments (continue)");
        int exit = invocation.exit();
        String log = invocation.printed();

        assertThat(exit).isZero();
        assertThat(log).contains("2 of 2 runs finished (and 2 other finished run(s) in the folder)")
                .contains("start  Pendulum/gorl-fm/seed-1 (resumed from its checkpoint " + resumePoint + ")")
                .contains("start  Pendulum/gorl-fm/seed-2 (rerun: partial folder deleted)");
        assertThat(interrupted.resolve("summary.json")).isRegularFile();
        // Continued, not restarted: the metrics written before the interruption are kept as they were.
        assertThat(Files.readAllLines(interrupted.resolve("metrics.csv")))
                .startsWith(metricsBefore.toArray(String[]::new));
        List<String> logLines = Files.readAllLines(interrupted.resolve("train.log"));
        assertThat(logLines.get(0)).isEqualTo(firstLogLine);
        assertThat(logLines).contains("# resumed: gorl train --resume " + interrupted);
        assertThat(TrainArguments.recorded(changed)).containsSequence("--eval-episodes", "2");
        assertThat(changed.resolve("summary.json")).isRegularFile();
        // This invocation named gorl-fm only; the folder's Gaussian PPO runs of earlier invocations stay in its
        // outputs (they were dropped from curves.csv, the figure and the table), marked as another command's.
        assertThat(Files.readAllLines(out.resolve("curves.csv"))).anyMatch(l -> l.startsWith("Pendulum,gaussian-ppo,1,"))
                .anyMatch(l -> l.startsWith("Pendulum,gaussian-ppo,2,"));
        assertThat(Files.readString(out.resolve("summary.md"))).contains("| Pendulum | gorl-fm | 2/2 |")
                .containsPattern("\\| Pendulum \\| gaussian-ppo \\| 2 \\* \\| -\\d+\\.\\d ± ")
                .contains("\\* finished runs that this folder holds from another command");
    }

    @Test
    @Order(6)
    void multimodality_analysesFinishedRuns_andEachNewRunAsItEnds() throws Exception {
        // Seed 1 finished earlier without an analysis; seed 2 is run again and analysed when it ends.
        Path rerun = out.resolve("runs/Pendulum/gaussian-ppo/seed-2");
        Files.delete(rerun.resolve("summary.json"));
        deleteTree(rerun.resolve("checkpoint"));
        ExperimentGrid grid = tiny(List.of("gaussian-ppo")).multimodality(3).build();
        Invocation invocation = invoke(grid, "./gorl experiments (multimodality)");
        int exit = invocation.exit();
        String log = invocation.printed();

        assertThat(exit).isZero();
        for (long seed : new long[] {1, 2}) {
            Path dir = out.resolve("runs/Pendulum/gaussian-ppo/seed-" + seed);
            assertThat(dir.resolve("multimodality/stats.json")).isRegularFile();
            assertThat(dir.resolve("multimodality/actions.png")).isRegularFile();
            assertThat(Files.readString(dir.resolve("multimodality.log")))
                    .startsWith("# gorl multimodality --run " + dir + " --policy-steps 3")
                    .contains("State after 3 steps of the deterministic policy");
            assertThat(log).contains("multimodality of Pendulum/gaussian-ppo/seed-" + seed);
        }
        assertThat(Files.readString(out.resolve("summary.md"))).contains("## Multimodality")
                .containsPattern("\\| Pendulum \\| gaussian-ppo \\| 1 \\| 0 \\| \\d\\.\\d{4} \\| [<\\d]")
                .containsPattern("\\| Pendulum \\| gaussian-ppo \\| 2 \\| 0 \\| ");
        // Analysed once: a later invocation leaves the analyses as they are.
        long before = Files.getLastModifiedTime(out.resolve("runs/Pendulum/gaussian-ppo/seed-1/multimodality/stats.json"))
                .toMillis();
        assertThat(invoke(grid, "./gorl experiments (again)").exit()).isZero();
        assertThat(Files.getLastModifiedTime(out.resolve("runs/Pendulum/gaussian-ppo/seed-1/multimodality/stats.json"))
                .toMillis()).isEqualTo(before);
    }

    @Test
    void multimodalityMinReward_isPassedToTheAnalysis_andNeedsMultimodality() {
        ExperimentGrid grid = tiny(List.of("gaussian-ppo")).multimodality(300).multimodalityMinReward(0.9).build();
        Run run = grid.runs().get(0);
        assertThat(grid.multimodalityArgs(run)).containsExactly("multimodality", "--run", run.dir().toString(),
                "--policy-steps", "300", "--min-reward", "0.9", "--out", run.dir().resolve("multimodality").toString());
        assertThat(tiny(List.of("gaussian-ppo")).multimodality(300).build().multimodalityArgs(run))
                .doesNotContain("--min-reward");
        assertThatThrownBy(() -> tiny(List.of("gaussian-ppo")).multimodalityMinReward(0.9).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--multimodality-min-reward needs --multimodality");
    }

    @Test
    void stoppingTheHarness_letsEachRunCheckpoint_soTheNextInvocationResumesIt() throws Exception {
        Path stopped = temp.resolve("stopped");
        // Long enough to be stopped mid-run (about a minute at full speed), with a safe point every 2,048 steps.
        ExperimentGrid grid = ExperimentGrid.builder().tasks(List.of("Pendulum")).algos(List.of("gaussian-ppo"))
                .seeds(List.of(1L)).steps(400_000L).envs(4).trainOptions(List.of("--eval-episodes", "1",
                        "--eval-every", "2048")).out(stopped).parallel(1).build();
        Path metrics = grid.runs().get(0).dir().resolve("metrics.csv");
        ByteArrayOutputStream harnessLog = new ByteArrayOutputStream();
        Thread harness = new Thread(() -> {
            try {
                grid.run(new PrintStream(harnessLog, true, StandardCharsets.UTF_8));
            } catch (InterruptedException expected) {
                // Ctrl-C's path: the harness is interrupted while it waits for its runs.
            }
        });
        harness.start();
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (evaluations(metrics) < 3 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(evaluations(metrics)).as("the run trained for a while").isGreaterThanOrEqualTo(3);
        harness.interrupt();
        harness.join(ExperimentGrid.STOP_SILENCE_SECONDS * 1000 + 30_000);

        assertThat(harness.isAlive()).isFalse();
        Path dir = grid.runs().get(0).dir();
        assertThat(dir.resolve("summary.json")).doesNotExist();
        assertThat(dir.resolve("checkpoint").resolve("checkpoint.json")).as("written on SIGTERM").isRegularFile();
        assertThat(grid.plan()).extracting(Planned::action).containsExactly(Action.RESUME);
    }

    @Test
    void sigtermToTheHarness_leavesTheFoldersOutputsAsTheyWere() throws Exception {
        // A folder whose outputs an earlier, complete invocation wrote; this one is stopped (SIGTERM) mid-run, as a
        // user's Ctrl-C or the end of a sitting does. Its outputs must not be rewritten from a JVM that is exiting.
        Path folder = temp.resolve("sigterm");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("summary.md"), "written by the earlier invocation\n");
        Files.writeString(folder.resolve("curves.csv"), "task,algo,seed,step,eval_return\nPendulum,fpo,1,0,-1200\n");
        Path log = temp.resolve("sigterm-harness.log");
        Process harness = CliProcess.start(log, "experiments", "--tasks", "Pendulum", "--algos", "gaussian-ppo",
                "--seeds", "1", "--steps", "400000", "--envs", "4", "--out", folder.toString(), "--",
                "--eval-episodes", "1", "--eval-every", "2048");
        Path metrics = folder.resolve("runs/Pendulum/gaussian-ppo/seed-1/metrics.csv");
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (evaluations(metrics) < 3 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(evaluations(metrics)).as("the run trained for a while").isGreaterThanOrEqualTo(3);

        harness.destroy();
        assertThat(harness.waitFor(ExperimentGrid.STOP_SILENCE_SECONDS + 60, TimeUnit.SECONDS)).isTrue();

        // The run that the stop ended at a checkpoint is reported as stopped, not failed.
        assertThat(Files.readString(log)).contains("stopped; curves.csv, figure.png and summary.md are left as they were")
                .containsPattern("\\[1/1\\] stopped Pendulum/gaussian-ppo/seed-1 after \\d+ s, checkpointed at env step "
                        + "[0-9,]+; the same command continues it")
                .doesNotContain("FAILED").doesNotContain("Shutdown in progress");
        assertThat(folder.resolve("summary.md")).content().isEqualTo("written by the earlier invocation\n");
        assertThat(Files.readAllLines(folder.resolve("curves.csv"))).contains("Pendulum,fpo,1,0,-1200");
        assertThat(folder.resolve("runs/Pendulum/gaussian-ppo/seed-1/checkpoint/checkpoint.json")).isRegularFile();
    }

    @Test
    void stop_waitsForARunThatKeepsWriting_andKillsOneThatFellSilent() throws Exception {
        // Both ignore SIGTERM, as a run training on to a far safe point does. The first keeps printing (its
        // progress) for twice the silence window and then exits on its own; the second prints nothing.
        Path talking = temp.resolve("talking.log");
        Path silent = temp.resolve("silent.log");
        Process talker = child("trap '' TERM; for i in $(seq 1 16); do echo step $i; sleep 0.25; done; exit 3", talking);
        Process mute = child("trap '' TERM; echo ready; sleep 120", silent);
        // SIGTERM before bash has installed its trap would kill a child outright: wait for both to have spoken.
        long ready = System.nanoTime() + 30_000_000_000L;
        while ((Files.size(talking) == 0 || Files.size(silent) == 0) && System.nanoTime() < ready) {
            Thread.sleep(20);
        }
        long start = System.nanoTime();

        ExperimentGrid.stop(Map.of(talker, talking, mute, silent), 2);

        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(talker.exitValue()).as("finished on its own, not killed").isEqualTo(3);
        assertThat(Files.readAllLines(talking)).hasSize(16);
        assertThat(mute.isAlive()).isFalse();
        assertThat(mute.exitValue()).as("killed").isNotZero();
        assertThat(seconds).as("waited for the talker, not for the silent child's 120 s").isBetween(3.5, 60.0);
    }

    private static Process child(String script, Path log) throws java.io.IOException {
        Files.createFile(log);
        return new ProcessBuilder("bash", "-c", script).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    private static long evaluations(Path metrics) throws java.io.IOException {
        if (!Files.exists(metrics)) {
            return 0;
        }
        try (java.util.stream.Stream<String> lines = Files.lines(metrics)) {
            return lines.filter(l -> l.contains(",evaluation,")).count();
        }
    }

    /** What one invocation of the harness returned and printed. */
    private record Invocation(int exit, String printed) {}

    /** Runs the grid as {@code gorl experiments} would, its progress captured (and echoed for the test log). */
    private static Invocation invoke(ExperimentGrid grid, String commandLine) throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int exit = ExperimentsCommand.run(grid, commandLine, false, new PrintStream(stdout, true, StandardCharsets.UTF_8),
                System.err);
        String printed = stdout.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        return new Invocation(exit, printed);
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void algorithms_mapToTrainOptions_andRunsToTheirFolders() {
        ExperimentGrid grid = ExperimentGrid.builder().tasks(List.of("cheetahrun", "Pendulum"))
                .algos(List.of("gorl-fm", "gorl-diffusion", "gorl-sac-fm", "gorl-sac-diffusion", "gaussian-ppo", "fpo",
                        "dppo"))
                .seeds(List.of(3L)).steps(5000L).trainOptions(List.of("--eval-episodes", "2"))
                .out(Path.of("exp")).javaCommand(List.of("java")).build();
        List<Run> runs = grid.runs();
        assertThat(runs).hasSize(14);
        Map<String, String> args = runs.stream().filter(r -> r.task().equals("CheetahRun"))
                .collect(Collectors.toMap(Run::algo, r -> String.join(" ", r.trainArgs())));
        String common = " --seed 3 --steps 5000 --eval-episodes 2 --out exp/runs/CheetahRun/";
        assertThat(args).containsEntry("gorl-fm",
                        "train --task CheetahRun --optimizer ppo --decoder flow" + common + "gorl-fm/seed-3")
                .containsEntry("gorl-diffusion", "train --task CheetahRun --optimizer ppo --decoder diffusion" + common
                        + "gorl-diffusion/seed-3")
                .containsEntry("gorl-sac-fm",
                        "train --task CheetahRun --optimizer sac --decoder flow" + common + "gorl-sac-fm/seed-3")
                .containsEntry("gorl-sac-diffusion", "train --task CheetahRun --optimizer sac --decoder diffusion"
                        + common + "gorl-sac-diffusion/seed-3")
                .containsEntry("gaussian-ppo", "train --task CheetahRun --optimizer ppo --decoder identity" + common
                        + "gaussian-ppo/seed-3")
                .containsEntry("fpo", "train --task CheetahRun --baseline fpo" + common + "fpo/seed-3")
                .containsEntry("dppo", "train --task CheetahRun --baseline dppo" + common + "dppo/seed-3");
        assertThat(runs.get(0).dir()).isEqualTo(Path.of("exp/runs/CheetahRun/gorl-fm/seed-3"));
        assertThat(grid.plan()).extracting(Planned::action).containsOnly(Action.RUN);
    }

    @Test
    void grid_rejectsUnknownNames_repeatedValues_andOptionsTheHarnessSets() {
        ExperimentGrid.Builder ok = ExperimentGrid.builder().tasks(List.of("Pendulum")).algos(List.of("gorl-fm"))
                .seeds(List.of(1L)).out(Path.of("exp"));
        assertThatThrownBy(() -> ok.algos(List.of("gorl-fm", "sql")).build())
                .hasMessageContaining("unknown algorithm 'sql'").hasMessageContaining("gaussian-ppo");
        assertThatThrownBy(() -> ok.algos(List.of("gorl-fm")).tasks(List.of("Atari")).build())
                .hasMessageContaining("unknown task 'Atari'").hasMessageContaining("CheetahRun");
        assertThatThrownBy(() -> ok.tasks(List.of("Pendulum")).seeds(List.of(1L, 1L)).build())
                .hasMessageContaining("--seeds lists a value twice");
        assertThatThrownBy(() -> ok.seeds(List.of(1L)).trainOptions(List.of("--seed=4")).build())
                .hasMessageContaining("--seed is set by the harness");
        assertThatThrownBy(() -> ok.trainOptions(List.of()).parallel(0).build())
                .hasMessageContaining("--parallel must be >= 1, got 0");
    }

    @Test
    void currentJvm_runsTheCliOnThisClasspath_withTheRunProperties() {
        List<String> command = ExperimentGrid.currentJvm();
        assertThat(command.get(0)).endsWith("java");
        assertThat(command).contains("-Dai.djl.offline=true", "-Djava.awt.headless=true")
                .anyMatch(a -> a.startsWith("-Dai.djl.pytorch.num_threads="))
                .anyMatch(a -> a.startsWith("-Dai.djl.pytorch.num_interop_threads="))
                .noneMatch(a -> a.startsWith("-agentlib:") || a.startsWith("-javaagent:"));
        assertThat(command.subList(command.size() - 3, command.size()))
                .containsExactly("-cp", System.getProperty("java.class.path"), GorlCli.class.getName());
    }

    @Test
    void runsSideBySide_shareTheCores_insteadOfEachTakingThePerPhaseChoice() {
        List<String> jvm = List.of("java", "-Dai.djl.pytorch.num_threads=1", "-Dgorl.torchThreads=auto", "-cp", "x",
                "Main");
        assertThat(ExperimentGrid.threadsPerRun(jvm, 1)).isEqualTo(jvm);
        int each = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        assertThat(ExperimentGrid.threadsPerRun(jvm, 2)).containsExactly("java",
                "-Dai.djl.pytorch.num_threads=" + each, "-Dgorl.torchThreads=" + each, "-cp", "x", "Main");
        assertThat(ExperimentGrid.threadsPerRun(jvm, 1000)).contains("-Dgorl.torchThreads=1");
    }

    @Test
    void dryRun_printsThePlan_andStartsNothing() throws Exception {
        Path dry = temp.resolve("dry");
        String printed = Console.printedBy(() -> assertThat(GorlCli.run("experiments", "--tasks", "Pendulum", "--algos",
                "gorl-fm,fpo", "--seeds", "1,2", "--out", dry.toString(), "--dry-run", "--", "--eval-episodes", "2"))
                .isZero());
        assertThat(printed).contains("4 runs, 4 to run")
                .contains("run    Pendulum/fpo/seed-2: gorl train --task Pendulum --baseline fpo --seed 2"
                        + " --eval-episodes 2 --out " + dry.resolve("runs/Pendulum/fpo/seed-2"));
        assertThat(dry).doesNotExist();
    }

    @Test
    void align_interpolatesSeedsOntoTheStepsTheyShare() {
        List<ExperimentReport.Point> a = List.of(p(0, 0), p(100, 10), p(100, 12), p(200, 20));
        List<ExperimentReport.Point> b = List.of(p(0, 10), p(150, 40), p(300, 0));
        ExperimentReport.Band band = ExperimentReport.align(List.of(a, b));
        // Up to the earliest last step (200); a's second evaluation at 100 (after a refit) counts.
        assertThat(band.x()).containsExactly(0, 100, 150, 200);
        assertThat(band.seeds()).isEqualTo(2);
        // b at 100 = 10 + 100/150 * 30 = 30; a at 150 = 12 + 0.5 * 8 = 16; b at 200 = 40 - 50/150 * 40.
        assertThat(band.mean()).containsExactly(new double[] {5, 21, 28, 20 + (40 - 40.0 / 3 - 20) / 2},
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(band.min()).containsExactly(0, 12, 16, 20);
        assertThat(band.max()[1]).isEqualTo(30.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(ExperimentReport.align(List.of(List.of(p(0, 1)), List.of(p(10, 1))))).isNull();
    }

    @Test
    void paperPoints_areTheReadOffValues_withinTheRunsRange() {
        assertThat(ExperimentReport.paperPoints("CheetahRun", "gorl-fm", 14_999_936))
                .containsExactly(p(15_000_000, 310));
        assertThat(ExperimentReport.paperPoints("HopperStand", "gaussian-ppo", 30_000_128))
                .containsExactly(p(15_000_000, 30), p(30_000_000, 60));
        // A 10M curve is read against the paper's 15M point (drawn 1.5x further on), a 5M one against none.
        assertThat(ExperimentReport.paperPoints("CheetahRun", "gorl-fm", 9_999_872))
                .containsExactly(p(15_000_000, 310));
        assertThat(ExperimentReport.paperPoints("CheetahRun", "gorl-fm", 5_000_000)).isEmpty();
        assertThat(ExperimentReport.paperPoints("Pendulum", "gorl-fm", 30_000_000)).isEmpty();
        assertThat(ExperimentReport.paperPoints("CheetahRun", "gorl-sac-fm", 30_000_000)).isEmpty();
        // The grid's algorithm names: every method of the paper's figure on each of its four tasks.
        assertThat(ExperimentReport.PAPER).containsOnlyKeys("CheetahRun", "FingerTurnHard", "WalkerWalk", "HopperStand");
        ExperimentReport.PAPER.values().forEach(m -> assertThat(m).containsOnlyKeys("gorl-fm", "gorl-diffusion",
                "gaussian-ppo", "fpo", "dppo"));
        assertThat(ExperimentGrid.ALGORITHMS).containsKeys("gorl-fm", "gorl-diffusion", "gaussian-ppo", "fpo", "dppo");
    }

    private static ExperimentReport.Point p(long step, double value) {
        return new ExperimentReport.Point(step, value);
    }
}
