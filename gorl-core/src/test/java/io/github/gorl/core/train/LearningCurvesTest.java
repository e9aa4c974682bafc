package io.github.gorl.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.gorl.api.Evaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

class LearningCurvesTest {

    // Two refits, each with the paired evaluations (before and after) at the same step.
    private static final List<Evaluation> RUN = List.of(
            new Evaluation(0, 0, -1000, 10, 8), new Evaluation(500, 0, -300, 10, 8),
            new Evaluation(1000, 0, -150, 10, 8), new Evaluation(1000, 1, -160, 10, 8),
            new Evaluation(1500, 1, -140, 10, 8), new Evaluation(2000, 1, -130, 10, 8),
            new Evaluation(2000, 2, -135, 10, 8), new Evaluation(2500, 2, -120, 10, 8));

    @Test
    void aStagedRunIsDrawnAsOneCurvePerStageWithItsRefitsMarked() {
        XYChart chart = LearningCurves.chart("GoRL on Pendulum", Map.of("GoRL", RUN));

        assertEquals(List.of("stage 0 (identity decoder)", "stage 1 (after refit 1)", "stage 2 (after refit 2)"),
                List.copyOf(chart.getSeriesMap().keySet()));
        assertArrayEquals(new double[] {1000, 1500, 2000},
                chart.getSeriesMap().get("stage 1 (after refit 1)").getXData());
        assertTrue(chart.getStyler().isLegendVisible());
        assertEquals(List.of(RUN.get(3), RUN.get(6)), LearningCurves.stageStarts(RUN));
    }

    @Test
    void aSingleStageRunOrSeveralRunsKeepOneCurveEach() {
        List<Evaluation> single = RUN.subList(0, 3);
        XYChart one = LearningCurves.chart("Gaussian PPO", Map.of("PPO", single));
        assertEquals(List.of("PPO"), List.copyOf(one.getSeriesMap().keySet()));
        assertFalse(one.getStyler().isLegendVisible());
        assertTrue(LearningCurves.stageStarts(single).isEmpty());

        Map<String, List<Evaluation>> runs = new LinkedHashMap<>();
        runs.put("a", RUN);
        runs.put("b", single);
        XYChart two = LearningCurves.chart("grid", runs);
        assertEquals(List.of("a", "b"), List.copyOf(two.getSeriesMap().keySet()));
    }

    @Test
    void plotWritesAReadablePng(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("learning_curve.png");
        LearningCurves.plot(png, "GoRL on Pendulum", Map.of("GoRL", RUN));
        assertEquals(900, ImageIO.read(png.toFile()).getWidth());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(png), files.toList(), "no temporary file is left beside the PNG");
        }
    }
}
