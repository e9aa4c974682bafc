package io.github.gorl.baselines;

import static io.github.gorl.baselines.BaselineTesting.initialized;
import static io.github.gorl.baselines.BaselineTesting.small;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.core.optim.ppo.engine.PpoEngine;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DppoTest {

    private static final double SIGMA = 0.5;
    // A hand-built chain with K = 3, actionDim 2: x_3, x_2, x_1 (the extras) and x_0 (the action).
    private static final float[][] CHAIN = {{1f, -1f}, {0.5f, 0f}, {0.25f, 0.5f}, {-0.5f, 1f}};
    private static final float[] OBS = {0.3f, -0.7f, 2f};

    private static Dppo.Builder dppo() {
        return small(Dppo.builder()).denoisingStd(SIGMA);
    }

    private static double logNormal(double x, double mean, double std) {
        double z = (x - mean) / std;
        return -0.5 * z * z - Math.log(std) - 0.5 * Math.log(2 * Math.PI);
    }

    private static float chainLogLikelihood(PpoEngine dppo) {
        try (NDManager scope = dppo.newScope()) {
            float[] extras = new float[6];
            for (int k = 0; k < 3; k++) {
                System.arraycopy(CHAIN[k], 0, extras, 2 * k, 2);
            }
            return BaselineTesting.policy(dppo).statistic(dppo.normalize(scope.create(OBS, new Shape(1, 3))),
                    scope.create(CHAIN[3], new Shape(1, 2)), scope.create(extras, new Shape(1, 6))).toFloatArray()[0];
        }
    }

    @Test
    void chainLogLikelihood_ofIdentityDenoiser_isSumOfPerStepGaussianLogProbabilities() {
        try (PpoEngine dppo = initialized(dppo().build(), 1)) {
            dppo.resetToPrior(); // f = 0: mu(x_k) = x_k
            double expected = 0;
            for (int k = 0; k < 3; k++) {
                for (int d = 0; d < 2; d++) {
                    expected += logNormal(CHAIN[k + 1][d], CHAIN[k][d], SIGMA);
                }
            }
            // = 6 * (-log 0.5 - 0.5 log 2 pi) - 0.5 * (0.25 + 1 + 0.0625 + 0.25 + 0.5625 + 0.25) / 0.25
            assertThat((double) chainLogLikelihood(dppo)).isCloseTo(expected, within(1e-5));
        }
    }

    @Test
    void chainLogLikelihood_ofTrainedDenoiser_usesEachStepsMeanAndTime() {
        try (PpoEngine dppo = initialized(dppo().build(), 2); NDManager scope = dppo.newScope()) {
            double expected = 0;
            NDArray s = dppo.normalize(scope.create(OBS, new Shape(1, 3)));
            for (int k = 0; k < 3; k++) {
                double t = (3.0 - k) / 3;
                float[] f = BaselineTesting.policy(dppo).network(s, scope.create(CHAIN[k], new Shape(1, 2)),
                        scope.create(new float[] {(float) t}, new Shape(1, 1))).toFloatArray();
                for (int d = 0; d < 2; d++) {
                    expected += logNormal(CHAIN[k + 1][d], CHAIN[k][d] - f[d] / 3.0, SIGMA);
                }
            }
            assertThat((double) chainLogLikelihood(dppo)).isCloseTo(expected, within(1e-4));
        }
    }

    @Test
    void ratio_isOneWhilePolicyUnchanged() {
        try (PpoEngine dppo = initialized(dppo().build(), 3)) {
            for (float r : dppo.ratios(BaselineTesting.sampledBatch(dppo, 16, 2))) {
                assertThat((double) r).isCloseTo(1.0, within(1e-6));
            }
        }
    }

    @Test
    void ratio_risesAfterOneStepOnPositiveAdvantage_andFallsOnNegative() {
        try (PpoEngine up = initialized(dppo().build(), 4); PpoEngine down = initialized(dppo().build(), 4)) {
            assertThat(BaselineTesting.ratioAfterOneStep(up, 1.0)).isGreaterThan(1f);
            assertThat(BaselineTesting.ratioAfterOneStep(down, -1.0)).isLessThan(1f);
        }
    }

    @Test
    void learn_onPendulum_givesFiniteMetrics() {
        BaselineTesting.learnsOnPendulumWithFiniteMetrics(dppo().build());
    }

    @Test
    void saveAndLoad_roundTrip(@TempDir Path dir) throws IOException {
        try (PpoEngine trained = initialized(dppo().build(), 6);
                PpoEngine restored = initialized(dppo().build(), 7)) {
            BaselineTesting.ratioAfterOneStep(trained, 1.0);
            BaselineTesting.roundTrips(trained, restored, dir);
        }
        try (PpoEngine other = initialized(dppo().steps(4).build(), 8)) {
            assertThatThrownBy(() -> other.load(dir)).isInstanceOf(IOException.class)
                    .hasMessageContaining("steps 3").hasMessageContaining("steps 4");
        }
    }

    @Test
    void load_readsTheVersion1FormatWhoseStageKnobsWereFloats(@TempDir Path dir) throws IOException {
        try (PpoEngine trained = initialized(dppo().build(), 6); PpoEngine restored = initialized(dppo().build(), 7)) {
            BaselineTesting.ratioAfterOneStep(trained, 1.0);
            BaselineTesting.loadsVersion1(trained, restored, dir, Dppo.FILE_KIND);
        }
    }

    @Test
    void builder_nameAndConfig() {
        try (var dppo = Dppo.builder().build()) {
            assertThat(dppo.name()).isEqualTo("dppo");
            assertThat(dppo.config()).containsEntry("denoisingStd", 0.1).containsEntry("steps", 10);
        }
        assertThatThrownBy(() -> Dppo.builder().denoisingStd(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("denoisingStd");
    }
}
