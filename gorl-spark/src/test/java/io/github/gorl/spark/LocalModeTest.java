package io.github.gorl.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gorl experiments --engine spark} in embedded {@code local[N]} mode, against the local engine on the same
 * grid: the same cells, seeds and returns; a cell that fails every attempt reported with its log while the others
 * finish; finished cells skipped on the next invocation; a stopped harness stopping its cells at a checkpoint.
 */
class LocalModeTest {

    @TempDir
    Path temp;

    @Test
    void localMode_trainsEveryCell_exactlyAsTheLocalEngine_andSkipsThemWhenRunAgain() throws Exception {
        Path out = temp.resolve("spark");
        Grids.Invocation spark = Grids.experiments(out, List.of("--engine", "spark"), Grids.GRID);
        assertThat(spark.exitCode()).as(spark.printed()).isZero();
        assertThat(spark.printed()).contains("4 runs: 0 finished earlier (skipped), 4 to run on engine spark")
                .contains("master local[2,4]").contains("4 of 4 runs finished");

        Path reference = Grids.reference();
        for (String cell : Grids.CELLS) {
            Grids.assertSameAsReference(out, cell);
            assertThat(out.resolve("runs").resolve(cell).resolve("train.log")).content()
                    .startsWith("# train --task Pendulum");
        }
        assertThat(out.resolve("curves.csv")).hasSameTextualContentAs(reference.resolve("curves.csv"));
        assertThat(Grids.tableRows(out)).hasSize(2).isEqualTo(Grids.tableRows(reference));
        assertThat(out.resolve("figure.png")).isNotEmptyFile();

        Grids.Invocation again = Grids.experiments(out, List.of("--engine", "spark"), Grids.GRID);
        assertThat(again.exitCode()).as(again.printed()).isZero();
        assertThat(again.printed()).contains("4 runs: 4 finished earlier (skipped), 0 to run on engine spark")
                .doesNotContain("Spark 4"); // nothing to run: no Spark context is started
        assertThat(out.resolve("curves.csv")).hasSameTextualContentAs(reference.resolve("curves.csv"));
    }

    @Test
    void aCellThatFailsEveryAttempt_isReportedWithItsLog_andTheOtherCellsFinish() throws Exception {
        Path out = temp.resolve("failing");
        // seed 2 left a damaged checkpoint behind: every attempt resumes from it, and every attempt fails.
        Path broken = out.resolve("runs/Pendulum/gaussian-ppo/seed-2");
        Files.createDirectories(broken.resolve("checkpoint"));
        Files.writeString(broken.resolve("checkpoint/checkpoint.json"), "{", StandardCharsets.UTF_8);
        Files.writeString(broken.resolve("train-args.json"), "{", StandardCharsets.UTF_8);
        List<String> grid = List.of("--tasks", "Pendulum", "--algos", "gaussian-ppo", "--seeds", "1,2", "--steps",
                "1024", "--envs", "4", "--parallel", "2");
        System.setProperty("spark.task.maxFailures", "2");
        Grids.Invocation run;
        try {
            run = Grids.experiments(out, List.of("--engine", "spark"), grid);
        } finally {
            System.clearProperty("spark.task.maxFailures");
        }
        assertThat(run.exitCode()).as(run.printed()).isEqualTo(1);
        Path log = broken.resolve("train.log");
        String expected = "Pendulum/gaussian-ppo/seed-2: exit code 1 on attempt 2 (the last of 2)";
        assertThat(run.printed()).contains("master local[2,2]").contains("1 of 2 runs finished").contains(expected)
                .contains(log.toString());
        String summary = Files.readString(out.resolve("summary.md"));
        assertThat(summary).contains("Failed runs").contains(expected).contains("train-args.json")
                .contains(", log: " + log).contains("| Pendulum | gaussian-ppo | 1/2 |");
        // Both attempts continued from the checkpoint, and each wrote why it failed into the log.
        assertThat(Files.readString(log)).contains("# attempt 1 on ").contains("# attempt 2 on ")
                .contains("gorl: error:");
        Grids.assertSameAsReference(out, "Pendulum/gaussian-ppo/seed-1");
    }

    @Test
    void sigtermToTheHarness_stopsItsCellsAtACheckpoint_reportsThemStopped_andLeavesTheOutputs() throws Exception {
        // As the local engine's test of the same name: a folder an earlier, complete invocation wrote, and a harness
        // stopped mid-run (a user's Ctrl-C, the end of a sitting). Here the cell runs under the embedded Spark.
        Path folder = temp.resolve("sigterm");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("summary.md"), "written by the earlier invocation\n");
        Path log = temp.resolve("sigterm-harness.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1", "-Dgorl.torchThreads=1"));
        for (String option : System.getProperty("gorl.spark.jvmOptions", "").split(" ")) {
            if (!option.isBlank()) {
                command.add(option);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.github.gorl.examples.GorlCli",
                "experiments", "--engine", "spark", "--tasks", "Pendulum", "--algos", "gaussian-ppo", "--seeds", "1",
                "--steps", "400000", "--envs", "4", "--out", folder.toString(), "--", "--eval-episodes", "1",
                "--eval-every", "2048"));
        Process harness = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path cell = folder.resolve("runs/Pendulum/gaussian-ppo/seed-1");
        try {
            long deadline = System.nanoTime() + 180_000_000_000L;
            while (evaluations(cell.resolve("metrics.csv")) < 3 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(evaluations(cell.resolve("metrics.csv"))).as("the cell trained for a while")
                    .isGreaterThanOrEqualTo(3);
            harness.destroy();
            assertThat(harness.waitFor(360, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
        } finally {
            harness.descendants().forEach(ProcessHandle::destroyForcibly);
            harness.destroyForcibly();
        }

        String printed = Files.readString(log);
        assertThat(printed).contains("[1/1] stopped Pendulum/gaussian-ppo/seed-1")
                .contains("stopped; curves.csv, figure.png and summary.md are left as they were")
                .doesNotContain("FAILED").doesNotContain("Shutdown in progress").doesNotContain("ERROR");
        assertThat(folder.resolve("summary.md")).content().isEqualTo("written by the earlier invocation\n");
        // The cell was asked once and stopped at its safe point, not killed with its parent.
        assertThat(Files.readString(cell.resolve("train.log"))).contains("SIGTERM received")
                .contains("checkpoint written")
                .doesNotContain("SIGTERM again").doesNotContain("without a checkpoint");
        assertThat(cell.resolve("checkpoint/checkpoint.json")).isRegularFile();
        assertThat(cell.resolve("summary.json")).doesNotExist();
    }

    private static long evaluations(Path metrics) throws IOException {
        if (!Files.isRegularFile(metrics)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(metrics)) {
            return lines.filter(l -> l.contains(",evaluation,")).count();
        }
    }
}
