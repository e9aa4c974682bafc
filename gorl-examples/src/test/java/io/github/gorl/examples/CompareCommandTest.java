package io.github.gorl.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gorl compare} on hand-written run directories: figure, table, refits, resumed clocks and errors. */
class CompareCommandTest {

    private static final String HEADER = "step,stage,phase,wall_seconds,eval_return,eval_std,policy_loss";

    @TempDir
    Path temp;

    Path a1;
    Path a2;
    Path b1;

    @BeforeEach
    void runs() throws IOException {
        // GoRL-like: an evaluation before and after a refit (decoder rows at wall 320..400) at step 1000.
        a1 = run("a1", "0,0,evaluation,5,10,1,", "1000,0,encoder,300,,,0.1", "1000,0,evaluation,310,20,1,",
                "1000,1,decoder,320,,,", "1000,1,decoder,400,,,", "1000,1,evaluation,700,15,1,",
                "2000,1,encoder,1000,,,0.1", "2000,1,evaluation,1250,40,1,");
        a2 = run("a2", "0,0,evaluation,4,0,1,", "1000,0,evaluation,500,30,1,", "2000,0,evaluation,1300,50,1,");
        b1 = run("b1", "0,0,evaluation,3,-5,1,", "1000,0,evaluation,200,25,1,", "2000,0,evaluation,400,35,1,",
                "3000,0,evaluation,900,60,1,");
    }

    private Path run(String name, String... rows) throws IOException {
        Path dir = Files.createDirectories(temp.resolve(name));
        Files.writeString(dir.resolve("metrics.csv"),
                HEADER + "\n" + String.join("\n", rows) + "\n");
        return dir;
    }

    @Test
    void steps_writesAPng_andPrintsBestAndFinalPerLabel() throws IOException {
        Path fig = temp.resolve("fig.png");
        String printed = Console.printedBy(() -> assertThat(GorlCli.run("compare", "--out", fig.toString(),
                "a=" + a1 + "," + a2, "b=" + b1)).isZero());

        BufferedImage image = ImageIO.read(fig.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(CompareCommand.WIDTH);
        assertThat(image.getHeight()).isEqualTo(CompareCommand.HEIGHT);
        // Written through a temporary file that is gone.
        try (Stream<Path> files = Files.list(temp)) {
            assertThat(files.filter(Files::isRegularFile)).containsExactly(fig);
        }
        // a: best (40 + 50) / 2, final (40 + 50) / 2; b: one run, best = final = 60. No wall-time marks.
        assertThat(printed).contains("label runs      best     final\n")
                .contains("a        2      45.0      45.0\n")
                .contains("b        1      60.0      60.0\n")
                .doesNotContain("min")
                .contains("wrote " + fig.toAbsolutePath());
    }

    @Test
    void wall_printsTheLastEvaluationBeforeEachTenMinuteMark() throws IOException {
        Path fig = temp.resolve("wall.png");
        String printed = Console.printedBy(() -> assertThat(GorlCli.run("compare", "--out", fig.toString(), "--x",
                "wall", "--title", "CheetahRun presets", "gorl-fm=" + a1 + "," + a2, "ppo=" + b1)).isZero());

        assertThat(ImageIO.read(fig.toFile())).isNotNull();
        // The longest run was evaluated last at 1300 s: marks at 10 and 20 minutes.
        // gorl-fm at 600 s: a1's evaluation at 310 s (20), a2's at 500 s (30); at 1200 s: 15 (700 s) and 30 (500 s).
        // ppo at 600 s: 35 (400 s); at 1200 s none, its last evaluation is at 900 s.
        assertThat(printed).contains("label   runs      best     final    10 min    20 min\n")
                .contains("gorl-fm    2      45.0      45.0      25.0      22.5\n")
                .contains("ppo        1      60.0      60.0      35.0         -\n");
    }

    @Test
    void until_drawsAndReportsOnlyEachRunsPartUpToIt() throws IOException {
        Path fig = temp.resolve("until.png");
        // 10 minutes: a1 up to its evaluation at 310 s (its refit at 320 s is the first row after), a2 up to 500 s,
        // b1 up to 400 s; best and final are those of these parts. Every run went on past 600 s, so the 10-minute
        // mark has its value though no run has an evaluation between the cut's last one and 600 s; the 20-minute
        // mark is beyond the cut.
        String printed = Console.printedBy(() -> assertThat(GorlCli.run("compare", "--out", fig.toString(), "--x",
                "wall", "--until", "10", "gorl-fm=" + a1 + "," + a2, "ppo=" + b1)).isZero());
        assertThat(ImageIO.read(fig.toFile())).isNotNull();
        assertThat(printed).contains("label   runs      best     final    10 min\n")
                .contains("gorl-fm    2      25.0      25.0      25.0\n")
                .contains("ppo        1      35.0      35.0      35.0\n");

        // On env steps, up to 1000: the refit at step 1000 is kept.
        ExperimentReport.Metrics m = CompareCommand.upTo(ExperimentReport.metrics(a1.resolve("metrics.csv")),
                CompareCommand.Axis.STEPS, 1000);
        assertThat(m.evaluations()).extracting(ExperimentReport.Point::evalReturn).containsExactly(10.0, 20.0, 15.0);
        assertThat(m.refits()).extracting(ExperimentReport.Point::step).containsExactly(1000L);

        String other = temp.resolve("other.png").toString();
        assertThat(Console.errorOf("compare", "--out", other, "--until", "0", "a=" + a1))
                .contains("--until must be a positive number (env steps), got 0.0");
        assertThat(Console.errorOf("compare", "--out", other, "--x", "wall", "--until", "0.01", "a=" + a1))
                .contains(a1.resolve("metrics.csv") + " (label a) has no evaluation at or before --until 0.01 "
                        + "(wall time (minutes))");
        assertThat(temp.resolve("other.png")).doesNotExist();
    }

    @Test
    void metrics_findRefits_andContinueAResumedRunsClock() throws IOException {
        Path resumed = run("resumed", "0,0,evaluation,5,1,1,", "1000,0,evaluation,400,2,1,",
                "1000,1,decoder,410,,,", "1000,1,decoder,450,,,",
                // Resumed from a checkpoint: the clock restarts at 0.
                "1000,1,evaluation,100,3,1,", "2000,1,encoder,250,,,0.1", "2000,2,decoder,260,,,",
                "2000,2,evaluation,300,4,1,");
        ExperimentReport.Metrics m = ExperimentReport.metrics(resumed.resolve("metrics.csv"));
        assertThat(m.evaluations()).extracting(ExperimentReport.Point::wallSeconds)
                .containsExactly(5.0, 400.0, 550.0, 750.0);
        assertThat(m.refits()).extracting(ExperimentReport.Point::step).containsExactly(1000L, 2000L);
        assertThat(m.refits()).extracting(ExperimentReport.Point::wallSeconds).containsExactly(410.0, 710.0);

        CompareCommand.Group g = new CompareCommand.Group("a", List.of(a1, resumed),
                List.of(ExperimentReport.metrics(a1.resolve("metrics.csv")), m));
        // First refits at 320 s and 410 s; the second only in the resumed run.
        assertThat(CompareCommand.refits(g, CompareCommand.Axis.WALL)).containsExactly(
                new double[] {365 / 60.0, 710 / 60.0}, within(1e-9));
        assertThat(CompareCommand.refits(g, CompareCommand.Axis.STEPS)).containsExactly(1000, 2000);
    }

    @Test
    void align_onWallSeconds_interpolatesWhereEveryRunHasBeenEvaluated() throws IOException {
        List<ExperimentReport.Point> first = ExperimentReport.evaluations(a1.resolve("metrics.csv"));
        List<ExperimentReport.Point> second = ExperimentReport.evaluations(a2.resolve("metrics.csv"));
        ExperimentReport.Band band = ExperimentReport.align(List.of(first, second),
                ExperimentReport.Point::wallSeconds);
        // From the later first evaluation (5 s) to the earlier last one (1250 s).
        assertThat(band.x()).containsExactly(5, 310, 500, 700, 1250);
        // At 500 s: a1 = 20 + 190/390 * (15 - 20), a2 = 30; at 1250 s: a1 = 40, a2 = 30 + 750/800 * 20.
        assertThat(band.mean()[2]).isCloseTo((20 - 190 / 390.0 * 5 + 30) / 2, within(1e-9));
        assertThat(band.min()[4]).isEqualTo(40);
        assertThat(band.max()[4]).isCloseTo(48.75, within(1e-9));
        assertThat(band.scaled(1 / 60.0).x()[4]).isCloseTo(1250 / 60.0, within(1e-9));
        // On steps, a1's evaluation after the refit at step 1000 (15) counts, not the one before it (20).
        ExperimentReport.Band steps = ExperimentReport.align(List.of(first));
        assertThat(steps.x()).containsExactly(0, 1000, 2000);
        assertThat(steps.mean()).containsExactly(10, 15, 40);
    }

    @Test
    void errors_nameTheBadValue() throws IOException {
        String fig = temp.resolve("fig.png").toString();
        Path missing = temp.resolve("no-such-run");
        assertThat(Console.errorOf("compare", "--out", fig, "a=" + missing))
                .contains("gorl: error: run directory " + missing + " (label a) does not exist");

        Path empty = Files.createDirectories(temp.resolve("empty"));
        assertThat(Console.errorOf("compare", "--out", fig, "a=" + a1, "b=" + empty))
                .contains("no metrics.csv in run directory " + empty + " (label b)");

        assertThat(Console.errorOf("compare", "--out", fig, a1.toString()))
                .contains("expected LABEL=DIR[,DIR...], got '" + a1 + "' (no '=')");

        Path fresh = run("fresh", "0,0,encoder,10,,,0.1");
        assertThat(Console.errorOf("compare", "--out", fig, "c=" + fresh))
                .contains(fresh.resolve("metrics.csv") + " (label c) has no evaluation yet");

        Path nowhere = temp.resolve("no-such-folder/fig.png");
        assertThat(Console.errorOf("compare", "--out", nowhere.toString(), "a=" + a1))
                .contains("--out: folder " + temp.resolve("no-such-folder") + " does not exist (for " + nowhere + ")");

        assertThat(Console.errorOf("compare", "--out", fig, "--x", "time", "a=" + a1))
                .contains("--x must be steps or wall, got 'time'");
        assertThat(Console.errorOf("compare", "--out", fig, "a=" + a1, "a=" + a2))
                .contains("label 'a' is given twice");
        assertThat(Console.errorOf("compare", "--out", fig, "=" + a1)).contains("empty label in '=" + a1 + "'");
        assertThat(temp.resolve("fig.png")).doesNotExist();
    }
}
