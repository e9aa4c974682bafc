package io.github.gorl.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gorl.core.train.JsonFile;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.style.Styler;
import org.junit.jupiter.api.io.TempDir;

/** {@code gorl report} on hand-written grid folders: the figure, the tables, two grids of one algorithm, errors. */
class ReportCommandTest {

    @TempDir
    Path temp;

    /** A finished run: an evaluation every 1M steps rising from {@code from} by {@code slope} per 1M. */
    private void run(Path grid, String task, String algo, int seed, double from, double slope, double finalReturn,
            double best, double wallSeconds) throws IOException {
        run(grid, task, algo, seed, from, slope, finalReturn, best, wallSeconds, 10, 0);
    }

    /**
     * As above, evaluated up to {@code millions} million steps, the last evaluation {@code overshoot} steps past them
     * (a run stops at the first iteration boundary past its budget and evaluates there).
     */
    private void run(Path grid, String task, String algo, int seed, double from, double slope, double finalReturn,
            double best, double wallSeconds, int millions, long overshoot) throws IOException {
        Path dir = Files.createDirectories(grid.resolve("runs").resolve(task).resolve(algo).resolve("seed-" + seed));
        StringBuilder csv = new StringBuilder("step,stage,phase,wall_seconds,eval_return\n");
        for (int m = 0; m <= millions; m++) {
            long step = m == millions ? m * 1_000_000L + overshoot : m * 1_000_000L;
            csv.append(step).append(",0,evaluation,").append(m * wallSeconds / millions).append(',')
                    .append(from + slope * m).append('\n');
        }
        Files.writeString(dir.resolve("metrics.csv"), csv);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("task", task);
        summary.put("final_eval_return", finalReturn);
        summary.put("best_eval_return", best);
        summary.put("env_steps", millions * 1_000_000L + overshoot);
        summary.put("wall_seconds", wallSeconds);
        JsonFile.write(dir.resolve("summary.json"), summary);
    }

    @Test
    void twoGrids_oneFigureWithAPanelPerTask_andTheTablesWithRatiosBesideThePaper() throws IOException {
        Path cheetah = temp.resolve("cheetahrun-15m");
        run(cheetah, "CheetahRun", "gorl-fm", 1, 0, 60, 600, 650, 3000);
        run(cheetah, "CheetahRun", "gorl-fm", 2, 0, 60, 700, 750, 3600);
        run(cheetah, "CheetahRun", "gaussian-ppo", 1, 0, 40, 400, 500, 1800);
        run(cheetah, "CheetahRun", "gaussian-ppo", 2, 0, 40, 300, 500, 1800);
        Path walker = temp.resolve("walkerwalk-10m");
        run(walker, "WalkerWalk", "gorl-fm", 1, 0, 50, 500, 520, 3600);
        run(walker, "WalkerWalk", "gaussian-ppo", 1, 0, 30, 250, 300, 2000);
        // A second grid of CheetahRun GoRL-FM (another preset, say): drawn beside the first, named by its grid.
        Path preset = temp.resolve("cheetahrun-paper");
        run(preset, "CheetahRun", "gorl-fm", 1, 0, 30, 300, 310, 9000);
        // A run still training (no summary.json) is left out.
        Files.createDirectories(walker.resolve("runs/WalkerWalk/gorl-fm/seed-2"));
        Path out = temp.resolve("report");

        String printed = Console.printedBy(() -> assertThat(GorlCli.run("report", "--out", out.toString(),
                walker.toString(), cheetah.toString(), preset.toString())).isZero());

        BufferedImage image = ImageIO.read(out.resolve("figure.png").toFile());
        assertThat(image).isNotNull();
        // Two panels side by side: CheetahRun first, the paper's order, though its grid was named second.
        assertThat(image.getWidth()).isGreaterThan(image.getHeight());
        String md = Files.readString(out.resolve("summary.md"));
        assertThat(printed).contains(md.strip()).contains("wrote " + out.resolve("figure.png"));
        assertThat(md.indexOf("| CheetahRun |")).isLessThan(md.indexOf("| WalkerWalk |"));
        assertThat(md).contains("| CheetahRun | gorl-fm | cheetahrun-15m | 2 | 10.0M | 650.0 ± 70.7 | 700.0 ± 70.7"
                + " | 540.0 ± 0.0 | 55 (50-60) | ~310 / ~500 |");
        assertThat(md).contains("| CheetahRun | gorl-fm | cheetahrun-paper | 1 | 10.0M | 300.0 | 310.0 | 270.0 | 150 |");
        assertThat(md).contains("| WalkerWalk | gorl-fm | walkerwalk-10m | 1 | 10.0M | 500.0 | 520.0 | 450.0 | 60 |");
        // Ratios of the grids that ran both: 650/350 final, 700/500 best, 540/360 over the last 20% of steps (the
        // evaluations at 8M, 9M and 10M); the paper's 310/190 and 500/350.
        assertThat(md).contains("| CheetahRun | cheetahrun-15m | 10.0M | 1.86 | 1.40 | 1.50 | 1.63 | 1.43 |");
        assertThat(md).contains("| WalkerWalk | walkerwalk-10m | 10.0M | 2.00 | 1.73 | 1.67 | 2.06 | 1.84 |");
        assertThat(md).doesNotContain("| CheetahRun | cheetahrun-paper | 10.0M");

        List<ExperimentReport.Curve> curves = ReportCommand.curves(ReportCommand.rows(List.of(cheetah, preset),
                System.out));
        assertThat(curves).extracting(ExperimentReport.Curve::name)
                .containsExactly("gorl-fm (cheetahrun-15m)", "gorl-fm (cheetahrun-paper)", "gaussian-ppo");
        // The first grid's GoRL-FM keeps the colour 'gorl experiments' gives it; the second takes one no curve has.
        assertThat(curves.get(0).colour()).isEqualTo(ExperimentReport.colour(
                List.copyOf(ExperimentGrid.ALGORITHMS.keySet()).indexOf("gorl-fm")));
        assertThat(curves.get(1).colour()).isNotIn(curves.get(0).colour(), curves.get(2).colour());
        // One algorithm from different grids on different panels keeps its colour.
        List<ExperimentReport.Curve> panels = ReportCommand.curves(ReportCommand.rows(List.of(cheetah, walker),
                System.out));
        assertThat(panels.stream().filter(c -> c.algo().equals("gorl-fm")).map(ExperimentReport.Curve::colour)
                .distinct()).containsExactly(curves.get(0).colour());
        assertThat(panels).extracting(ExperimentReport.Curve::name).doesNotContain("gorl-fm (walkerwalk-10m)");
    }

    @Test
    void aPresetRun_isNamedByItsPreset_andByItsGridOnlyWhereThatIsAmbiguous() throws IOException {
        Path cpu = temp.resolve("cheetahrun-15m");
        run(cpu, "CheetahRun", "gaussian-ppo", 1, 0, 40, 400, 500, 1800);
        run(cpu, "CheetahRun", "fpo", 1, 0, 40, 400, 500, 1800);
        Path paper = temp.resolve("cheetahrun-paper-10m");
        run(paper, "CheetahRun", "gaussian-ppo", 1, 0, 20, 200, 200, 3000);
        run(paper, "CheetahRun", "fpo", 1, 0, 20, 200, 200, 3000);
        Path paper2 = temp.resolve("cheetahrun-paper-more");
        run(paper2, "CheetahRun", "fpo", 2, 0, 20, 200, 200, 3000);
        for (Path dir : List.of(paper.resolve("runs/CheetahRun/gaussian-ppo/seed-1"),
                paper.resolve("runs/CheetahRun/fpo/seed-1"), paper2.resolve("runs/CheetahRun/fpo/seed-2"))) {
            JsonFile.write(dir.resolve(TrainArguments.FILE), Map.of("command", "train", "args",
                    List.of("--task", "CheetahRun", "--preset", "paper", "--scale", "0.056")));
        }

        List<ExperimentReport.Curve> curves = ReportCommand.curves(ReportCommand.rows(List.of(cpu, paper, paper2),
                System.out));

        // Gaussian PPO: one run per preset, told apart by the preset alone; FPO: two paper preset grids, so those
        // two are named by their grids as well.
        assertThat(curves).extracting(ExperimentReport.Curve::name).containsExactly("gaussian-ppo",
                "gaussian-ppo, paper preset", "fpo", "fpo, paper preset (cheetahrun-paper-10m)",
                "fpo, paper preset (cheetahrun-paper-more)");
    }

    @Test
    void at_comparesGridsOfDifferentBudgetsAtACommonOne() throws IOException {
        Path long15 = temp.resolve("cheetahrun-15m");
        run(long15, "CheetahRun", "gorl-fm", 1, 0, 60, 900, 900, 3000, 15, 0);
        run(long15, "CheetahRun", "gaussian-ppo", 1, 0, 40, 600, 600, 1800, 15, 0);
        run(long15, "CheetahRun", "gaussian-ppo", 2, 0, 20, 600, 600, 1800, 15, 0);
        Path others = temp.resolve("cheetahrun-10m");
        // Their last evaluation 384 steps past 10M still counts as at 10M.
        run(others, "CheetahRun", "gorl-diffusion", 1, 100, 50, 600, 600, 3000, 10, 384);
        run(others, "CheetahRun", "gorl-diffusion", 2, 100, 30, 400, 400, 3000, 10, 384);
        // Seed 3 has no Gaussian PPO run to pair with.
        run(others, "CheetahRun", "fpo", 1, 0, 30, 300, 300, 3000, 10, 384);
        run(others, "CheetahRun", "fpo", 3, 0, 50, 500, 500, 3000, 10, 384);
        // Stopped at 5M: it never reached the common budget, so it is left out of that table.
        run(others, "CheetahRun", "dppo", 1, 0, 10, 50, 50, 3000, 5, 384);
        // A grid run with other options (a preset) and its own Gaussian PPO: its rows are compared with that one.
        Path paper = temp.resolve("cheetahrun-paper");
        run(paper, "CheetahRun", "fpo", 1, 0, 20, 200, 200, 3000, 10, 384);
        run(paper, "CheetahRun", "gaussian-ppo", 1, 0, 10, 100, 100, 3000, 10, 384);
        Path out = temp.resolve("report");

        Console.printedBy(() -> assertThat(GorlCli.run("report", "--out", out.toString(), "--at", "10000000",
                long15.toString(), others.toString(), paper.toString())).isZero());

        String md = Files.readString(out.resolve("summary.md"));
        assertThat(md).contains("## Every algorithm at 10M env steps").contains("from 8M to 10M env steps");
        // Mean of the evaluations at 8M, 9M and 10M: the 15M runs' as if they had stopped at 10M (540; 360 and 180).
        // GoRL-FM has seed 1 only, so its ratio is to Gaussian PPO's seed 1.
        assertThat(md).contains("| CheetahRun | gorl-fm | cheetahrun-15m | 1 | 540.0 | 1.50 | 1.63 |");
        assertThat(md).contains("| CheetahRun | gaussian-ppo | cheetahrun-15m | 2 | 270.0 ± 127.3 | 1.00 | 1.00 |");
        // 100 + 50 x 9 and 100 + 30 x 9 over Gaussian PPO's 360 and 180 in the first grid, named: 460 / 270; the
        // paper's ~300 / ~190.
        assertThat(md).contains("| CheetahRun | gorl-diffusion | cheetahrun-10m | 2 | 460.0 ± 127.3 |"
                + " 1.70 (vs cheetahrun-15m) | 1.58 |");
        // Seeds 1 and 3: Gaussian PPO has no seed 3, so the ratio is over all its seeds, marked: (270 + 450) / 2 / 270.
        assertThat(md).contains("| CheetahRun | fpo | cheetahrun-10m | 2 | 360.0 ± 127.3 | 1.33 * (vs cheetahrun-15m)"
                + " | 2.42 |");
        // The preset grid's FPO against its own Gaussian PPO (180 / 90), not the first grid's (180 / 360).
        assertThat(md).contains("| CheetahRun | fpo | cheetahrun-paper | 1 | 180.0 | 2.00 | 2.42 |");
        assertThat(md).contains("| CheetahRun | gaussian-ppo | cheetahrun-paper | 1 | 90.0 | 1.00 | 1.00 |");
        assertThat(md.substring(md.indexOf("## Every algorithm"))).doesNotContain("| dppo |");

        assertThat(ReportCommand.run(temp.resolve("r2"), List.of(others), 20_000_000L, System.out)).isZero();
        assertThat(Files.readString(temp.resolve("r2/summary.md"))).contains("No run reached 20M env steps.");
        assertThatThrownBy(() -> ReportCommand.run(temp.resolve("r3"), List.of(others), 0L, System.out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--at must be a positive")
                .hasMessageContaining("got 0");
        assertThat(ReportCommand.millions(1_500_000)).isEqualTo("1.5M");
        assertThat(ReportCommand.millions(8_000_000)).isEqualTo("8M");
    }

    @Test
    void aCrowdedLegend_goesBelowThePlot_aShortOneStaysInside() {
        org.knowm.xchart.XYChart few = ExperimentReport.chart("few", "steps", 400, 300);
        org.knowm.xchart.XYChart many = ExperimentReport.chart("many", "steps", 400, 300);
        for (int i = 0; i < ExperimentReport.MAX_LEGEND_INSIDE + 1; i++) {
            many.addSeries("curve " + i, new double[] {0, 1}, new double[] {i, i});
            if (i < ExperimentReport.MAX_LEGEND_INSIDE) {
                few.addSeries("curve " + i, new double[] {0, 1}, new double[] {i, i});
            }
        }
        // Entries hidden from the legend (shaded bands, refit lines) do not count.
        few.addSeries("hidden", new double[] {0, 1}, new double[] {0, 0}).setShowInLegend(false);
        ExperimentReport.placeLegend(few);
        ExperimentReport.placeLegend(many);
        assertThat(few.getStyler().getLegendPosition()).isEqualTo(Styler.LegendPosition.InsideNW);
        assertThat(many.getStyler().getLegendPosition()).isEqualTo(Styler.LegendPosition.OutsideS);
        assertThat(many.getStyler().getLegendLayout()).isEqualTo(Styler.LegendLayout.Vertical);
    }

    @Test
    void badFolders_areNamed() throws IOException {
        Path notAGrid = Files.createDirectories(temp.resolve("plain"));
        assertThatThrownBy(() -> ReportCommand.run(temp.resolve("r"), List.of(notAGrid), System.out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(notAGrid.toString())
                .hasMessageContaining("no runs/ folder");
        Path empty = Files.createDirectories(temp.resolve("empty/runs"));
        assertThatThrownBy(() -> ReportCommand.run(temp.resolve("r"), List.of(empty.getParent()), System.out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no finished run");
        Path a = temp.resolve("a/grid");
        Path b = temp.resolve("b/grid");
        run(a, "CheetahRun", "gorl-fm", 1, 0, 1, 1, 1, 1);
        run(b, "CheetahRun", "gorl-fm", 1, 0, 1, 1, 1, 1);
        assertThatThrownBy(() -> ReportCommand.run(temp.resolve("r"), List.of(a, b), System.out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two grids are named 'grid'");
        assertThat(temp.resolve("r")).doesNotExist();
    }
}
