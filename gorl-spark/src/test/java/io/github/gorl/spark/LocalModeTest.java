package io.github.gorl.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gorl experiments --engine spark} in embedded {@code local[N]} mode, against the local engine on the same
 * grid: the same cells, seeds and returns; a cell that fails every attempt reported with its log while the others
 * finish; finished cells skipped on the next invocation.
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
}
