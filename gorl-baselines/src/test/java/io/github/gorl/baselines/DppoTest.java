package io.github.gorl.baselines;

import static io.github.gorl.baselines.BaselineTesting.initialized;
import static io.github.gorl.baselines.BaselineTesting.small;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.core.optim.ppo.engine.Minibatch;
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

    /** The per-step terms {@code log N(x_{k-1}; x_k - f(x_k, k/K) / K, sigma^2)} of a row, by hand: {@code [K]}. */
    private static double[] perStepLogProbabilities(PpoEngine dppo, Minibatch batch, int row) {
        int steps = 3;
        int act = BaselineTesting.ACT;
        double[] out = new double[steps];
        try (NDManager scope = dppo.newScope()) {
            float[] obs = new float[BaselineTesting.OBS];
            System.arraycopy(batch.observations, row * obs.length, obs, 0, obs.length);
            NDArray s = dppo.normalize(scope.create(obs, new Shape(1, obs.length)));
            for (int k = 0; k < steps; k++) {
                float[] from = new float[act];
                float[] to = new float[act];
                System.arraycopy(batch.extras, row * steps * act + k * act, from, 0, act);
                if (k + 1 < steps) {
                    System.arraycopy(batch.extras, row * steps * act + (k + 1) * act, to, 0, act);
                } else {
                    System.arraycopy(batch.actions, row * act, to, 0, act);
                }
                float[] f = BaselineTesting.policy(dppo).network(s, scope.create(from, new Shape(1, act)),
                        scope.create(new float[] {(float) (steps - k) / steps}, new Shape(1, 1))).toFloatArray();
                for (int d = 0; d < act; d++) {
                    out[k] += logNormal(to[d], from[d] - f[d] / steps, SIGMA);
                }
            }
        }
        return out;
    }

    @Test
    void perStepRatios_giveStepsRatiosPerRow_eachExpOfThatStepsLogProbabilityDifference() {
        try (PpoEngine dppo = initialized(dppo().perStepRatios(true).build(), 5)) {
            assertThat(dppo.policy().statisticWidth()).isEqualTo(3);
            Minibatch batch = BaselineTesting.sampledBatch(dppo, 4, 6);
            double[][] before = new double[4][];
            for (int i = 0; i < 4; i++) {
                before[i] = perStepLogProbabilities(dppo, batch, i);
                for (int k = 0; k < 3; k++) {
                    assertThat((double) batch.oldStatistics[3 * i + k]).isCloseTo(before[i][k], within(1e-4));
                }
            }
            for (int i = 0; i < 4; i++) {
                batch.advantages[i] = i % 2 == 0 ? 1 : -1;
            }
            dppo.update(batch, 0, 0, 0);
            float[] r = dppo.ratios(batch);
            assertThat(r).hasSize(12);
            boolean moved = false;
            for (int i = 0; i < 4; i++) {
                double[] after = perStepLogProbabilities(dppo, batch, i);
                for (int k = 0; k < 3; k++) {
                    double expected = Math.exp(after[k] - before[i][k]);
                    assertThat((double) r[3 * i + k]).isCloseTo(expected, within(1e-3 * expected));
                    moved |= Math.abs(expected - 1) > 1e-4;
                }
            }
            assertThat(moved).isTrue();
        }
    }

    @Test
    void reference_configCarriesEveryReferenceValue() {
        try (var dppo = Dppo.reference().build()) {
            assertThat(dppo.config()).containsEntry("policyLayers", "[32, 32, 32, 32]")
                    .containsEntry("criticLayers", "[256, 256, 256, 256, 256]").containsEntry("steps", 10)
                    .containsEntry("timeEmbeddingDim", 8).containsEntry("denoisingStd", 0.05)
                    .containsEntry("perStepRatios", true).containsEntry("outputScale", 0.25)
                    .containsEntry("learningRate", 3e-4).containsEntry("clip", 0.2)
                    .containsEntry("gradNormClip", Double.POSITIVE_INFINITY).containsEntry("gamma", 0.995)
                    .containsEntry("gaeLambda", 0.95).containsEntry("rewardScaling", 10.0)
                    .containsEntry("valueLossCoefficient", 0.25).containsEntry("normalizeObservations", true)
                    .containsEntry("normalizeAdvantages", true).containsEntry("unrollLength", 30)
                    .containsEntry("minibatches", 32).containsEntry("epochs", 16).doesNotContainKey("dualClip")
                    .doesNotContainKey("targetKl").doesNotContainKey("logRatioClip");
        }
    }

    @Test
    void reference_learnsOnPendulumWithFiniteMetrics() {
        BaselineTesting.learnsOnPendulumWithFiniteMetrics(Dppo.reference().criticLayers(16).unrollLength(8)
                .minibatches(2).epochs(2).build());
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
