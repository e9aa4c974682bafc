package io.github.gorl.core.optim.ppo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.EncoderInit;
import io.github.gorl.api.Stage;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.core.optim.ppo.engine.PpoEngine;
import org.junit.jupiter.api.Test;

/** The reference's (Brax's) update shape, its value loss and the per-stage encoder starts, checked directly. */
class ReferenceUpdateShapeTest {

    private static final int OBS = 3;
    private static final int LATENT = 2;
    private static final float[] PROBES = {0, 0, 0, 1, -2, 3, 0.5f, 0.5f, -1};

    private static final ScriptedVectorEnv.Reward TOWARDS_ONE = (env, step, a) -> -((a[0] - 1) * (a[0] - 1));

    private static ScriptedVectorEnv env(int numEnvs) {
        return new ScriptedVectorEnv(numEnvs, OBS, LATENT, 7, false, TOWARDS_ONE);
    }

    /** 2 sequences x 4 minibatches of 5 steps over 4 envs: 2 sequences (10 steps) per env per iteration. */
    private static Ppo.Builder brax() {
        return Ppo.latent().actorLayers(8).criticLayers(8).unrollLength(5).minibatches(4).epochs(3).batchSize(2)
                .rewardScaling(1).gamma(0.9);
    }

    @Test
    void anIteration_takesMinibatchesTimesPassesGradientSteps_onMinibatchesOfWholeSequences() {
        try (ScriptedVectorEnv env = env(4); PpoEngine ppo = (PpoEngine) brax().build()) {
            ppo.initialize(env.spec(), Device.cpu(), 1);
            long taken = ppo.learn(env, 1, TrainingListener.NONE);
            // batchSize * minibatches * unrollLength = 2 * 4 * 5 = 40 env steps: 10 per env.
            assertThat(taken).isEqualTo(40);
            assertThat(ppo.lastRollout().steps).isEqualTo(10);
            assertThat(ppo.gradientSteps()).isEqualTo(4 * 3);
            assertThat(ppo.lastMinibatchShape()).containsExactly(2, 5);
            taken += ppo.learn(env, 41, TrainingListener.NONE);
            assertThat(taken).isEqualTo(40 + 80);
            assertThat(ppo.gradientSteps()).isEqualTo(3 * 12);
        }
    }

    @Test
    void cleanRlShape_keepsShuffledTransitions() {
        try (ScriptedVectorEnv env = env(4);
                PpoEngine ppo = (PpoEngine) brax().batchSize(0).build()) {
            ppo.initialize(env.spec(), Device.cpu(), 1);
            assertThat(ppo.learn(env, 1, TrainingListener.NONE)).isEqualTo(4 * 5);
            assertThat(ppo.gradientSteps()).isEqualTo(12);
            assertThat(ppo.lastMinibatchShape()).containsExactly(5);
        }
    }

    @Test
    void sequencesThatDoNotSplitOverTheEnvs_areRejectedNamingTheNumbers() {
        try (ScriptedVectorEnv env = env(3); PpoEngine ppo = (PpoEngine) brax().build()) {
            ppo.initialize(env.spec(), Device.cpu(), 1);
            assertThatThrownBy(() -> ppo.learn(env, 1, TrainingListener.NONE))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("batchSize * minibatches = 2 * 4 = 8").hasMessageContaining("env count 3");
        }
        assertThatThrownBy(() -> brax().valueClipping(true).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("valueClipping");
        assertThatThrownBy(() -> brax().batchSize(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batchSize");
    }

    @Test
    void tanhLogDetJacobian_isLogOfOneMinusTanhSquared() {
        float[] x = {-5f, -1f, 0f, 0.3f, 2f, 8f};
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] got = LatentGaussianPolicy.tanhLogDetJacobian(manager.create(x)).toFloatArray();
            for (int k = 0; k < x.length; k++) {
                double t = Math.tanh(x[k]);
                assertThat((double) got[k]).isCloseTo(Math.log(1 - t * t), within(1e-4));
            }
        }
    }

    @Test
    void tanhEntropyCorrection_learnsAndIsRecordedInTheConfig() {
        try (ScriptedVectorEnv env = env(4);
                PpoEngine ppo = (PpoEngine) brax().tanhEntropyCorrection(true).build()) {
            ppo.initialize(env.spec(), Device.cpu(), 1);
            ppo.learn(env, 40, TrainingListener.NONE);
            assertThat(ppo.config()).containsEntry("tanhEntropyCorrection", true).containsEntry("batchSize", 2);
        }
    }

    @Test
    void stageStarts_freshWarmAndPriorWithWarmValue() {
        try (ScriptedVectorEnv env = env(4); PpoEngine ppo = (PpoEngine) brax().build();
                NDManager manager = NDManager.newBaseManager()) {
            ppo.initialize(env.spec(), Device.cpu(), 1);
            ppo.learn(env, 120, TrainingListener.NONE);
            NDArray probes = manager.create(PROBES, new Shape(3, OBS));
            float[] actLearned = ppo.act(probes, true).toFloatArray();
            float[] valuesLearned = ppo.values(PROBES, 3);

            ppo.startStage(EncoderInit.WARM_START);
            assertThat(ppo.act(probes, true).toFloatArray()).containsExactly(actLearned);
            assertThat(ppo.values(PROBES, 3)).containsExactly(valuesLearned);

            ppo.startStage(EncoderInit.PRIOR_WARM_VALUE);
            for (float m : ppo.act(probes, true).toFloatArray()) {
                assertThat(m).isZero();
            }
            assertThat(ppo.values(PROBES, 3)).containsExactly(valuesLearned);

            ppo.learn(env, 40, TrainingListener.NONE);
            ppo.startStage(EncoderInit.FRESH);
            float[] fresh = ppo.act(probes, true).toFloatArray();
            // A freshly built actor has a random output layer: its mean is not the prior's 0 everywhere.
            assertThat(fresh).isNotEqualTo(new float[fresh.length]);
            assertThat(ppo.values(PROBES, 3)).isNotEqualTo(valuesLearned);
        }
    }

    @Test
    void aStage_setsLearningRateAndEntropyWhenGiven() {
        try (ScriptedVectorEnv env = env(4); PpoEngine ppo = (PpoEngine) brax().build()) {
            ppo.initialize(env.spec(), Device.cpu(), 1);
            Stage stage = new Stage(40, 0, 1e-3, 0.2, 0.5).withLearningRate(1e-5).withEntropyCoefficient(0.5);
            ppo.beginStage(stage);
            ppo.learn(env, 40, TrainingListener.NONE);
            assertThat(stage.toMap()).containsEntry("learningRate", 1e-5).containsEntry("entropyCoefficient", 0.5);
            assertThatThrownBy(() -> new Stage(1, 0, 0, 0.2, 0.5).withLearningRate(0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("learningRate");
        }
    }
}
