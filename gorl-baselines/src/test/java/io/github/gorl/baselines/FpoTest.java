package io.github.gorl.baselines;

import static io.github.gorl.baselines.BaselineTesting.ACT;
import static io.github.gorl.baselines.BaselineTesting.initialized;
import static io.github.gorl.baselines.BaselineTesting.small;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.Metrics;
import io.github.gorl.baselines.Fpo.FlowPolicy;
import io.github.gorl.core.optim.ppo.engine.Minibatch;
import io.github.gorl.core.optim.ppo.engine.PpoEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FpoTest {

    private static Fpo.Builder fpo() {
        return small(Fpo.builder()).mcSamples(4);
    }

    @Test
    void ratio_isOneWhilePolicyUnchanged() {
        try (PpoEngine fpo = initialized(fpo().build(), 1)) {
            Minibatch batch = BaselineTesting.sampledBatch(fpo, 16, 2);
            for (float r : fpo.ratios(batch)) {
                assertThat((double) r).isCloseTo(1.0, within(1e-6));
            }
        }
    }

    @Test
    void ratio_risesAfterOneStepOnPositiveAdvantage_andFallsOnNegative() {
        try (PpoEngine up = initialized(fpo().build(), 3); PpoEngine down = initialized(fpo().build(), 3)) {
            assertThat(BaselineTesting.ratioAfterOneStep(up, 1.0)).isGreaterThan(1f);
            assertThat(BaselineTesting.ratioAfterOneStep(down, -1.0)).isLessThan(1f);
        }
    }

    @Test
    void dualClip_keepsAnUpdateFiniteWhereTheRatioOverflows() {
        // An old loss 100 above the current one makes r = e^100, infinite in float32 -- the state FPO reached on
        // Pendulum before it diverged. With a negative advantage the plain surrogate's loss is infinite.
        try (PpoEngine plain = initialized(fpo().dualClip(Double.NaN).build(), 9);
                PpoEngine dual = initialized(fpo().build(), 9)) {
            assertThatThrownBy(() -> plain.update(overflowingBatch(plain), 0, 0, 0))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("fpo loss is Infinity");
            float[] stats = dual.update(overflowingBatch(dual), 0, 0, 0);
            for (float s : stats) {
                assertThat(Float.isFinite(s)).isTrue();
            }
            // Every row is dual-clipped (update() takes the batch's advantages as they are): loss = 3 * |A| = 3.
            assertThat((double) stats[1]).isCloseTo(3.0, within(1e-5));
        }
    }

    private static Minibatch overflowingBatch(PpoEngine fpo) {
        Minibatch batch = BaselineTesting.sampledBatch(fpo, 8, 11);
        for (int k = 0; k < batch.size; k++) {
            batch.oldStatistics[k] -= 100f; // l_old = -L_old
            batch.advantages[k] = -1f;
        }
        return batch;
    }

    @Test
    void targetKl_stopsAnUpdateAfterTheEpochThatLeftTheTrustRegion() {
        List<Metrics> full = BaselineTesting.learnsOnPendulumWithFiniteMetrics(fpo().epochs(4).build());
        List<Metrics> stopped = BaselineTesting.learnsOnPendulumWithFiniteMetrics(
                fpo().epochs(4).targetKl(1e-12).build());
        // The first epoch's later minibatches move the policy, so its mean approx_kl exceeds 1e-12.
        assertThat(full).allSatisfy(m -> assertThat(m.values().get("update_epochs")).isEqualTo(4.0));
        assertThat(stopped).allSatisfy(m -> assertThat(m.values().get("update_epochs")).isEqualTo(1.0));
        assertThatThrownBy(() -> Fpo.builder().targetKl(0)).hasMessageContaining("targetKl must be > 0");
    }

    @Test
    void dualClip_rejectsBoundsThatAreNotAboveOne() {
        assertThatThrownBy(() -> Fpo.builder().dualClip(1.0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dualClip").hasMessageContaining("1.0");
        assertThatThrownBy(() -> Fpo.builder().dualClip(Double.POSITIVE_INFINITY))
                .hasMessageContaining("Infinity");
    }

    @Test
    void flowMatchingLoss_ofZeroVelocity_isMeanSquaredNormOfEpsMinusAction() {
        try (PpoEngine engine = initialized(fpo().mcSamples(2).build(), 4);
                NDManager scope = NDManager.newBaseManager()) {
            engine.resetToPrior(); // v = 0
            FlowPolicy fpo = (FlowPolicy) engine.policy();
            float[] a = {0.5f, -1f};
            // [eps_1 | eps_2 | t_1 t_2]
            float[] extras = {1f, 1f, 0f, -2f, 0.3f, 0.9f};
            NDArray loss = fpo.flowMatchingLoss(scope.zeros(new Shape(1, 3)), scope.create(a, new Shape(1, ACT)),
                    scope.create(extras, new Shape(1, 6)));
            double first = 0.5 * 0.5 + 2 * 2;   // ||(1, 1) - (0.5, -1)||^2
            double second = 0.5 * 0.5 + 1 * 1;  // ||(0, -2) - (0.5, -1)||^2
            assertThat((double) loss.toFloatArray()[0]).isCloseTo((first + second) / 2, within(1e-6));
        }
    }

    @Test
    void noiseSupervision_ofZeroVelocity_weighsEachDrawByOneMinusTSquared_andAveragesOverDimensions() {
        try (PpoEngine engine = initialized(fpo().mcSamples(2).noiseSupervision(true).build(), 4);
                NDManager scope = NDManager.newBaseManager()) {
            engine.resetToPrior(); // v = 0
            FlowPolicy fpo = (FlowPolicy) engine.policy();
            float[] a = {0.5f, -1f};
            float[] extras = {1f, 1f, 0f, -2f, 0.3f, 0.9f};
            NDArray loss = fpo.perDrawLoss(scope.zeros(new Shape(1, 3)), scope.create(a, new Shape(1, ACT)),
                    scope.create(extras, new Shape(1, 6)));
            // eps - x1_pred = (1 - t)(eps - a - v); mean over the 2 action dimensions.
            double first = 0.7 * 0.7 * (0.5 * 0.5 + 2 * 2) / 2;
            double second = 0.1 * 0.1 * (0.5 * 0.5 + 1 * 1) / 2;
            assertThat(loss.getShape()).isEqualTo(new Shape(1, 2));
            assertThat(loss.toFloatArray()).containsExactly(new float[] {(float) first, (float) second},
                    within(1e-6f));
        }
    }

    @Test
    void perSampleRatios_giveOneStatisticPerDraw_whoseMeanIsTheRowStatistic() {
        try (PpoEngine perRow = initialized(fpo().build(), 6);
                PpoEngine perDraw = initialized(fpo().perSampleRatios(true).build(), 6)) {
            Minibatch batch = BaselineTesting.sampledBatch(perDraw, 3, 7);
            assertThat(perDraw.policy().statisticWidth()).isEqualTo(4);
            float[] draws = perDraw.statistics(batch.observations, batch.actions, batch.extras, 3);
            float[] rows = perRow.statistics(batch.observations, batch.actions, batch.extras, 3);
            assertThat(draws).hasSize(12);
            for (int i = 0; i < 3; i++) {
                double mean = (draws[4 * i] + draws[4 * i + 1] + draws[4 * i + 2] + draws[4 * i + 3]) / 4.0;
                assertThat(mean).isCloseTo(rows[i], within(1e-5));
            }
        }
    }

    @Test
    void perSampleLogRatio_isClippedAtPlusMinusThree_inTheRatiosAndInTheUpdate() {
        // No dual clip (the builder's default 3 would bound the A < 0 entry's loss at 3 before the ratio showed).
        try (PpoEngine fpo = initialized(fpo().perSampleRatios(true).logRatioClip(3).dualClip(Double.NaN).build(), 8)) {
            Minibatch batch = BaselineTesting.sampledBatch(fpo, 1, 3);
            // Draw 0: L_old - L_theta = 10 (r would be e^10); draw 1: -10; draws 2, 3 unchanged.
            batch.oldStatistics[0] -= 10;
            batch.oldStatistics[1] += 10;
            float[] r = fpo.ratios(batch);
            assertThat((double) r[0]).isCloseTo(Math.exp(3), within(1e-4));
            assertThat((double) r[1]).isCloseTo(Math.exp(-3), within(1e-7));
            assertThat((double) r[2]).isCloseTo(1, within(1e-6));
            // A = -1: the entries' losses are max(r, clip(r, 0.8, 1.2)) = e^3, 0.8, 1, 1; the surrogate is their mean.
            batch.advantages[0] = -1;
            float[] stats = fpo.update(batch, 0, 0, 0);
            assertThat((double) stats[1]).isCloseTo((Math.exp(3) + 0.8 + 1 + 1) / 4, within(1e-4));
        }
        assertThatThrownBy(() -> Fpo.builder().logRatioClip(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("logRatioClip").hasMessageContaining("0.0");
    }

    @Test
    void gridTimes_drawEveryTFromTheSamplersStartTimes() {
        try (PpoEngine fpo = initialized(fpo().gridTimes(true).build(), 2)) { // steps 3: t in {1, 2/3, 1/3}
            Minibatch batch = BaselineTesting.sampledBatch(fpo, 16, 4);
            int width = 4 * (ACT + 1);
            Set<Float> seen = new TreeSet<>();
            for (int i = 0; i < 16; i++) {
                for (int k = 0; k < 4; k++) {
                    seen.add(batch.extras[i * width + 4 * ACT + k]);
                }
            }
            assertThat(seen).containsExactlyInAnyOrder(1f / 3, 2f / 3, 1f);
        }
    }

    @Test
    void reference_configCarriesEveryReferenceValue() {
        try (var fpo = Fpo.reference().build()) {
            assertThat(fpo.config()).containsEntry("policyLayers", "[32, 32, 32, 32]")
                    .containsEntry("criticLayers", "[256, 256, 256, 256, 256]").containsEntry("steps", 10)
                    .containsEntry("timeEmbeddingDim", 8).containsEntry("mcSamples", 8)
                    .containsEntry("perSampleRatios", true).containsEntry("logRatioClip", 3.0)
                    .containsEntry("gridTimes", true).containsEntry("noiseSupervision", true)
                    .containsEntry("outputScale", 0.25).containsEntry("learningRate", 3e-4)
                    .containsEntry("clip", 0.05).containsEntry("gradNormClip", Double.POSITIVE_INFINITY)
                    .containsEntry("gamma", 0.995).containsEntry("gaeLambda", 0.95)
                    .containsEntry("rewardScaling", 10.0).containsEntry("valueLossCoefficient", 0.25)
                    .containsEntry("normalizeObservations", true).containsEntry("normalizeAdvantages", true)
                    .containsEntry("unrollLength", 30).containsEntry("minibatches", 32).containsEntry("epochs", 16)
                    .doesNotContainKey("dualClip").doesNotContainKey("targetKl")
                    .containsEntry("clipActions", false);
        }
    }

    @Test
    void clipActions_off_storesTheUnclippedSample_forTheTrainersTanh() {
        // A stochastic sample starts from eps ~ N(0, I): of 128 draws some leave the bounds [-1, 1].
        try (PpoEngine clipped = BaselineTesting.initialized(BaselineTesting.small(Fpo.builder()).build(), 3);
                PpoEngine raw = BaselineTesting.initialized(BaselineTesting.small(Fpo.builder()).clipActions(false)
                        .build(), 3);
                ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            ai.djl.ndarray.NDArray obs = manager.randomNormal(new ai.djl.ndarray.types.Shape(64, BaselineTesting.OBS));
            float[] bounded = clipped.act(obs, false).toFloatArray();
            float[] unbounded = raw.act(obs, false).toFloatArray();
            for (float a : bounded) {
                assertThat(Math.abs(a)).isLessThanOrEqualTo(1f);
            }
            float largest = 0;
            for (float a : unbounded) {
                largest = Math.max(largest, Math.abs(a));
            }
            assertThat(largest).isGreaterThan(1f);
            assertThat(raw.config()).containsEntry("clipActions", false);
            assertThat(clipped.config()).doesNotContainKey("clipActions");
        }
    }

    @Test
    void batchSize_takesSequenceMinibatches() {
        try (var fpo = Fpo.reference().batchSize(16).build()) {
            assertThat(fpo.config()).containsEntry("batchSize", 16);
        }
    }

    @Test
    void reference_learnsOnPendulumWithFiniteMetrics() {
        BaselineTesting.learnsOnPendulumWithFiniteMetrics(Fpo.reference().criticLayers(16).unrollLength(8)
                .minibatches(2).epochs(2).mcSamples(4).build());
    }

    @Test
    void resetToPrior_makesDeterministicActionZeroAndStochasticActionTheNoise() {
        try (PpoEngine fpo = initialized(fpo().build(), 5); NDManager scope = NDManager.newBaseManager()) {
            fpo.resetToPrior();
            NDArray obs = scope.create(new float[] {1, 2, 3}, new Shape(1, 3));
            assertThat(fpo.act(obs, true).toFloatArray()).containsExactly(0f, 0f);
        }
    }

    @Test
    void learn_onPendulum_givesFiniteMetrics() {
        BaselineTesting.learnsOnPendulumWithFiniteMetrics(fpo().build());
    }

    @Test
    void saveAndLoad_roundTrip(@TempDir Path dir) throws IOException {
        try (PpoEngine trained = initialized(fpo().build(), 6); PpoEngine restored = initialized(fpo().build(), 7)) {
            BaselineTesting.ratioAfterOneStep(trained, 1.0);
            BaselineTesting.roundTrips(trained, restored, dir);
        }
        try (PpoEngine other = initialized(fpo().hiddenLayers(8).build(), 8)) {
            assertThatThrownBy(() -> other.load(dir)).isInstanceOf(IOException.class)
                    .hasMessageContaining("policy layer sizes");
        }
    }

    @Test
    void reseed_makesSamplingRepeatable() {
        try (PpoEngine fpo = initialized(fpo().build(), 9); NDManager scope = NDManager.newBaseManager()) {
            NDArray obs = scope.create(new float[] {1, 2, 3}, new Shape(1, 3));
            fpo.reseed(42);
            float[] first = fpo.act(obs, false).toFloatArray();
            fpo.reseed(42);
            assertThat(fpo.act(obs, false).toFloatArray()).containsExactly(first);
        }
    }

    @Test
    void load_readsTheVersion1FormatWhoseStageKnobsWereFloats(@TempDir Path dir) throws IOException {
        try (PpoEngine trained = initialized(fpo().build(), 6); PpoEngine restored = initialized(fpo().build(), 7)) {
            BaselineTesting.ratioAfterOneStep(trained, 1.0);
            BaselineTesting.loadsVersion1(trained, restored, dir, Fpo.FILE_KIND);
        }
    }

    @Test
    void builder_nameAndConfig() {
        try (var fpo = Fpo.builder().build()) {
            assertThat(fpo.name()).isEqualTo("fpo");
            assertThat(fpo.config()).containsEntry("mcSamples", 32).containsEntry("steps", 10)
                    .containsEntry("dualClip", 3.0).doesNotContainKey("targetKl")
                    .containsEntry("learningRate", 1e-4);
            assertThat(fpo.klWeight()).isZero();
        }
        assertThatThrownBy(() -> Fpo.builder().mcSamples(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mcSamples");
    }
}
