package io.github.gorl.core.optim.ppo;

import io.github.gorl.core.optim.ppo.engine.Rollout;
import io.github.gorl.core.optim.ppo.engine.PpoEngine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.Phase;
import io.github.gorl.api.Stage;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.core.optim.GaussianHead;
import io.github.gorl.decoders.nn.DoubleBits;
import io.github.gorl.decoders.nn.TensorFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatentPpoTest {

    private static final int OBS = 3;
    private static final int LATENT = 2;
    private static final int ENVS = 4;
    private static final int UNROLL = 8;

    /** Rewards latents near (1, 1): the policy mean must move away from the prior to earn them. */
    private static final ScriptedVectorEnv.Reward TOWARDS_ONE = (env, step, a) -> {
        float d0 = a[0] - 1;
        float d1 = a[1] - 1;
        return -(d0 * d0 + d1 * d1);
    };

    private static Ppo.Builder small() {
        return Ppo.latent().actorLayers(16, 16).criticLayers(16).unrollLength(UNROLL).minibatches(2).epochs(2)
                .rewardScaling(1).gamma(0.9);
    }

    private static ScriptedVectorEnv env(int episodeLength, boolean terminate, ScriptedVectorEnv.Reward reward) {
        return new ScriptedVectorEnv(ENVS, OBS, LATENT, episodeLength, terminate, reward);
    }

    private static PpoEngine initialized(Ppo.Builder builder, long seed) {
        PpoEngine ppo = (PpoEngine) builder.build();
        ppo.initialize(env(5, false, TOWARDS_ONE).spec(), Device.cpu(), seed);
        return ppo;
    }

    /** The latent policy's distribution at raw observations. */
    private static GaussianHead.Distribution policy(PpoEngine ppo, NDArray rawObservations) {
        return ((LatentGaussianPolicy) ppo.policy()).distribution(ppo.normalize(rawObservations));
    }

    /** Ordinary, large and huge observations, normalized or not. */
    private static final float[] PROBES = {
        0, 0, 0,
        1, -2, 3,
        1e6f, -1e6f, 1e6f,
        1e30f, -1e30f, 3e38f,
        -3e38f, 1e-30f, 0,
    };

    private static void assertStandardNormal(PpoEngine ppo, float[] probes) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray obs = manager.create(probes, new Shape(probes.length / OBS, OBS));
            GaussianHead.Distribution head = policy(ppo, obs);
            for (float m : head.mean().toFloatArray()) {
                assertThat(m).isCloseTo(0f, within(1e-6f));
            }
            for (float s : head.std().toFloatArray()) {
                assertThat(s).isCloseTo(1f, within(1e-6f));
            }
            assertThat(ppo.act(obs, true).toFloatArray()).containsOnly(0f);
        }
    }

    @Test
    void resetToPrior_makesLatentPolicyStandardNormal() {
        try (PpoEngine ppo = initialized(small(), 1)) {
            ppo.resetToPrior();
            assertStandardNormal(ppo, PROBES);
            // Sampling draws from N(0, I): 20000 draws have mean ~0 and variance ~1.
            try (NDManager manager = NDManager.newBaseManager()) {
                NDArray obs = manager.create(new float[10_000 * OBS], new Shape(10_000, OBS));
                float[] eps = ppo.act(obs, false).toFloatArray();
                double sum = 0;
                double squares = 0;
                for (float e : eps) {
                    sum += e;
                    squares += e * e;
                }
                assertThat(sum / eps.length).isCloseTo(0, within(0.03));
                assertThat(squares / eps.length).isCloseTo(1, within(0.05));
            }
        }
    }

    @Test
    void resetToPrior_withoutObservationNormalization_isExactForLargeObservations() {
        try (PpoEngine ppo = initialized(small().normalizeObservations(false), 2)) {
            ppo.resetToPrior();
            // Without the normalizer's clip the hidden layers see raw values; up to 1e6 they stay finite.
            assertStandardNormal(ppo, new float[] {0, 0, 0, 1e6f, -1e6f, 1e6f, -5, 7, 0.5f});
        }
    }

    @Test
    void resetToPrior_afterTraining_isExactAgain() {
        try (PpoEngine ppo = initialized(small().learningRate(1e-2).epochs(4), 3);
                ScriptedVectorEnv env = env(5, false, TOWARDS_ONE)) {
            ppo.learn(env, 20L * ENVS * UNROLL, TrainingListener.NONE);
            try (NDManager manager = NDManager.newBaseManager()) {
                NDArray obs = manager.create(new float[] {1, 1.1f, 1.2f}, new Shape(1, OBS));
                float[] mean = ppo.act(obs, true).toFloatArray();
                assertThat(mean[0]).as("training moved the mean towards 1").isGreaterThan(0.3f);
            }
            ppo.resetToPrior();
            assertStandardNormal(ppo, PROBES);
        }
    }

    @Test
    void learn_rejectsAnEnvWhoseDimensionsDifferFromTheSpec() {
        try (PpoEngine ppo = initialized(small(), 4);
                ScriptedVectorEnv wrongObs = new ScriptedVectorEnv(ENVS, 5, LATENT, 5, false, TOWARDS_ONE);
                ScriptedVectorEnv wrongLatent = new ScriptedVectorEnv(ENVS, OBS, 3, 5, false, TOWARDS_ONE)) {
            assertThatThrownBy(() -> ppo.learn(wrongObs, 10, TrainingListener.NONE))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("observationDim 5").hasMessageContaining("observationDim 3");
            assertThatThrownBy(() -> ppo.learn(wrongLatent, 10, TrainingListener.NONE))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("actionDim 3").hasMessageContaining("latentDim 2");
        }
    }

    @Test
    void learn_rejectsNonPositiveSteps() {
        try (PpoEngine ppo = initialized(small(), 5); ScriptedVectorEnv env = env(5, false, TOWARDS_ONE)) {
            assertThatThrownBy(() -> ppo.learn(env, -1, TrainingListener.NONE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("envSteps must be > 0, got -1");
            assertThatThrownBy(() -> ppo.learn(env, 0, TrainingListener.NONE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("envSteps");
        }
    }

    @Test
    void learn_whenTheLossBecomesNaN_throwsIllegalStateNamingTheQuantity() {
        // A step of 1e30 per parameter overflows the next forward pass: the loss turns NaN.
        try (PpoEngine ppo = initialized(small().learningRate(1e30), 6); ScriptedVectorEnv env = env(5, false, TOWARDS_ONE)) {
            assertThatThrownBy(() -> ppo.learn(env, 10L * ENVS * UNROLL, TrainingListener.NONE))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageMatching("(?s)PPO (loss|policy_loss|value_loss|entropy|kl_to_prior|grad_norm) is "
                            + "(NaN|Infinity|-Infinity) in the update after env step \\d+.*");
        }
    }

    @Test
    void learn_withANaNReward_throwsNamingTheSubEnvAndStep() {
        ScriptedVectorEnv.Reward nanAtStep3 = (env, step, a) -> env == 1 && step == 3 ? Float.NaN : 0f;
        try (PpoEngine ppo = initialized(small(), 7); ScriptedVectorEnv env = env(5, false, nanAtStep3)) {
            assertThatThrownBy(() -> ppo.learn(env, 10, TrainingListener.NONE))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("reward NaN").hasMessageContaining("sub-env 1")
                    .hasMessageContaining("rollout step 3");
        }
    }

    @Test
    void learn_roundsUpToWholeRolloutsAndReportsEveryMetric() {
        List<Metrics> reported = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onMetrics(Metrics metrics) {
                reported.add(metrics);
            }
        };
        try (PpoEngine ppo = initialized(small(), 8); ScriptedVectorEnv env = env(5, false, TOWARDS_ONE)) {
            long taken = ppo.learn(env, ENVS * UNROLL + 1, listener);
            assertThat(taken).isEqualTo(2L * ENVS * UNROLL);
            assertThat(reported).extracting(Metrics::step).containsExactly((long) ENVS * UNROLL, 2L * ENVS * UNROLL);
            Metrics last = reported.get(1);
            assertThat(last.phase()).isEqualTo(Phase.ENCODER);
            assertThat(last.values()).containsKeys("policy_loss", "value_loss", "entropy", "kl_to_prior", "approx_kl",
                    "clip_fraction", "grad_norm", "explained_variance", "train_episode_return", "steps_per_second");
            for (String finite : List.of("policy_loss", "value_loss", "entropy", "kl_to_prior", "approx_kl",
                    "clip_fraction", "grad_norm", "steps_per_second")) {
                assertThat(last.get(finite)).as(finite).isFinite();
            }
            // Episodes of 5 steps finish in every 8-step rollout; rewards are <= 0.
            assertThat(last.get("train_episode_return")).isLessThanOrEqualTo(0);
            assertThat(reported.get(0).get("entropy")).as("entropy of N(0, I) in 2 dimensions")
                    .isCloseTo(Math.log(2 * Math.PI * Math.E), within(0.1));
        }
    }

    @Test
    void learn_continuesTheSameEnvAndResetsANewOne() {
        try (PpoEngine ppo = initialized(small(), 9);
                ScriptedVectorEnv first = env(5, false, TOWARDS_ONE);
                ScriptedVectorEnv second = env(5, false, TOWARDS_ONE)) {
            ppo.learn(first, 1, TrainingListener.NONE);
            ppo.learn(first, 1, TrainingListener.NONE);
            assertThat(first.resets).isEqualTo(1);
            ppo.learn(second, 1, TrainingListener.NONE);
            assertThat(second.resets).isEqualTo(1);
            assertThat(second.lastResetSeed).isNotEqualTo(first.lastResetSeed);
            ppo.learn(first, 1, TrainingListener.NONE);
            assertThat(first.resets).as("coming back to an env after another one restarts it").isEqualTo(2);
        }
    }

    @Test
    void learn_bootstrapsTruncationFromTheFinalObservationAndNotTermination() {
        for (boolean terminate : new boolean[] {false, true}) {
            // A learning rate of 1e-12 leaves the critic as it was when the rollout was valued.
            try (PpoEngine ppo = initialized(small().learningRate(1e-12), 10);
                    ScriptedVectorEnv env = env(3, terminate, (e, step, a) -> 1f)) {
                ppo.learn(env, 1, TrainingListener.NONE);
                Rollout r = ppo.lastRollout();
                float[] finalObs = new float[OBS];
                for (int k = 0; k < OBS; k++) {
                    finalObs[k] = ScriptedVectorEnv.observation(0, 3, k); // sub-env 0 after its 3rd step
                }
                float finalValue = ppo.values(finalObs, 1)[0];
                int ended = 2 * ENVS; // step t = 2 of sub-env 0 ends the first episode
                assertThat(r.terminated[ended] || r.truncated[ended]).isTrue();
                assertThat(r.values[ended + ENVS]).as("the next row is a new episode's first state")
                        .isNotCloseTo(finalValue, within(1e-4f));
                if (terminate) {
                    // A terminal state has no future: A = r - V(s) + 0 (no trace past the end).
                    assertThat(r.advantages[ended]).isCloseTo(1 - r.values[ended], within(1e-5f));
                } else {
                    assertThat(r.nextValues[ended]).isCloseTo(finalValue, within(1e-5f));
                    assertThat(r.advantages[ended]).isCloseTo(1 + 0.9f * finalValue - r.values[ended], within(1e-5f));
                }
                int running = ENVS; // step t = 1 of sub-env 0 continues into t = 2
                assertThat(r.nextValues[running]).isEqualTo(r.values[running + ENVS]);
            }
        }
    }

    @Test
    void saveAndLoad_roundTripGivesIdenticalDeterministicActions(@TempDir Path dir) throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
                PpoEngine trained = initialized(small().learningRate(1e-2), 11);
                PpoEngine restored = initialized(small().learningRate(1e-2), 12);
                ScriptedVectorEnv env = env(5, false, TOWARDS_ONE)) {
            trained.learn(env, 5L * ENVS * UNROLL, TrainingListener.NONE);
            trained.beginStage(new Stage(100, 0, 5e-4, 0.15, 0.5));
            trained.save(dir);
            restored.load(dir);
            NDArray obs = manager.create(new float[] {0, 1, 2, 3, 4, 5, -1, 0.5f, 9}, new Shape(3, OBS));
            assertThat(restored.act(obs, true).toFloatArray()).containsExactly(trained.act(obs, true).toFloatArray());
            assertThat(restored.klWeight()).isEqualTo(5e-4);
            // Training continues from the same parameters, moments and statistics.
            try (ScriptedVectorEnv a = env(5, false, TOWARDS_ONE); ScriptedVectorEnv b = env(5, false, TOWARDS_ONE)) {
                trained.learn(a, 1, TrainingListener.NONE);
                restored.learn(b, 1, TrainingListener.NONE);
            }
        }
    }

    @Test
    void save_keepsTheLatentPpoFormatVersion1(@TempDir Path dir) throws IOException {
        try (PpoEngine ppo = initialized(small().klToPrior(0.25), 20)) {
            ppo.beginStage(new Stage(10, 0, 1e-3, 0.3, 1.0));
            ppo.save(dir);
        }
        TensorFile.Content content = TensorFile.read(dir.resolve("latent-ppo.tensors"), "latent-ppo", 1);
        assertThat(content.entries().keySet()).startsWith("dims", "actor.sizes").contains("critic.sizes", "stage");
        assertThat(DoubleBits.decode(content.require("stage", 6), 3, "stage")).containsExactly(1e-3, 0.3, 1.0);
    }

    @Test
    void load_withOtherDimensions_throwsIOExceptionNamingBoth(@TempDir Path dir) throws IOException {
        try (PpoEngine saved = initialized(small(), 13)) {
            saved.save(dir);
        }
        try (PpoEngine other = (PpoEngine) small().build()) {
            other.initialize(new ScriptedVectorEnv(1, OBS + 1, LATENT, 5, false, TOWARDS_ONE).spec(), Device.cpu(), 1);
            assertThatThrownBy(() -> other.load(dir)).isInstanceOf(IOException.class)
                    .hasMessageContaining("observationDim 3").hasMessageContaining("observationDim 4");
        }
        try (PpoEngine other = initialized(small().actorLayers(8), 14)) {
            assertThatThrownBy(() -> other.load(dir)).isInstanceOf(IOException.class)
                    .hasMessageContaining("actor layer sizes [3.0, 16.0, 16.0, 4.0]")
                    .hasMessageContaining("[3.0, 8.0, 4.0]");
        }
    }

    @Test
    void sameSeed_reproducesTheRun() {
        List<List<Metrics>> runs = new ArrayList<>();
        List<float[]> actions = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            List<Metrics> metrics = new ArrayList<>();
            try (NDManager manager = NDManager.newBaseManager();
                    PpoEngine ppo = initialized(small(), 15);
                    ScriptedVectorEnv env = env(5, false, TOWARDS_ONE)) {
                ppo.resetToPrior();
                ppo.learn(env, 3L * ENVS * UNROLL, new TrainingListener() {
                    @Override
                    public void onMetrics(Metrics m) {
                        metrics.add(m);
                    }
                });
                actions.add(ppo.act(manager.create(new float[] {0.3f, -1, 2}, new Shape(1, OBS)), false).toFloatArray());
            }
            runs.add(metrics);
        }
        assertThat(actions.get(1)).containsExactly(actions.get(0));
        for (int k = 0; k < runs.get(0).size(); k++) {
            Metrics a = runs.get(0).get(k);
            Metrics b = runs.get(1).get(k);
            for (String key : a.values().keySet()) {
                if (!key.equals("steps_per_second")) {
                    assertThat(b.get(key)).as(key).isEqualTo(a.get(key));
                }
            }
        }
    }

    @Test
    void beginStage_appliesTheStageKnobs() {
        try (PpoEngine ppo = initialized(small().klToPrior(0.25), 16)) {
            assertThat(ppo.klWeight()).isEqualTo(0.25);
            ppo.beginStage(new Stage(10, 0, 1e-3, 0.3, 1.0));
            assertThat(ppo.klWeight()).isEqualTo(1e-3);
        }
    }

    @Test
    void act_rejectsObservationsOfTheWrongShape() {
        try (NDManager manager = NDManager.newBaseManager(); PpoEngine ppo = initialized(small(), 17)) {
            assertThatThrownBy(() -> ppo.act(manager.create(new float[4], new Shape(2, 2)), true))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[batch, 3]");
        }
    }

    @Test
    void beforeInitialize_everyOperationThrowsIllegalState() {
        LatentPolicyOptimizer ppo = small().build();
        assertThatThrownBy(ppo::resetToPrior).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("initialize");
        try (ScriptedVectorEnv env = env(5, false, TOWARDS_ONE)) {
            assertThatThrownBy(() -> ppo.learn(env, 10, TrainingListener.NONE))
                    .isInstanceOf(IllegalStateException.class);
        }
        ppo.close();
    }

    @Test
    void builder_rejectsInvalidOptionsNamingFieldAndValue() {
        assertThatThrownBy(() -> Ppo.latent().minibatches(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("minibatches must be > 0, got 0");
        assertThatThrownBy(() -> Ppo.latent().epochs(-2)).hasMessage("epochs must be > 0, got -2");
        assertThatThrownBy(() -> Ppo.latent().learningRate(Double.NaN)).hasMessageContaining("learningRate")
                .hasMessageContaining("NaN");
        assertThatThrownBy(() -> Ppo.latent().gamma(1.5)).hasMessageContaining("gamma").hasMessageContaining("1.5");
        assertThatThrownBy(() -> Ppo.latent().clip(1.0)).hasMessageContaining("clip").hasMessageContaining("1.0");
        assertThatThrownBy(() -> Ppo.latent().actorLayers()).hasMessageContaining("actorLayers");
        assertThatThrownBy(() -> Ppo.latent().criticLayers(64, 0)).hasMessageContaining("criticLayers[1]")
                .hasMessageContaining("got 0");
        assertThatThrownBy(() -> Ppo.latent().klToPrior(-1e-3)).hasMessageContaining("klToPrior");
        assertThatThrownBy(() -> Ppo.latent().klMode(null)).hasMessageContaining("klMode");
        assertThatThrownBy(() -> Ppo.latent().observationClip(0)).hasMessageContaining("observationClip");
        try (PpoEngine ppo = initialized(small().minibatches(64), 18); ScriptedVectorEnv env = env(5, false, TOWARDS_ONE)) {
            assertThatThrownBy(() -> ppo.learn(env, 10, TrainingListener.NONE))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("minibatches must be <= numEnvs * unrollLength = 4 * 8 = 32, got 64");
        }
    }

    @Test
    void configAndName_recordEveryOption() {
        LatentPolicyOptimizer ppo = Ppo.latent().build();
        assertThat(ppo.name()).isEqualTo("ppo");
        assertThat(ppo.config()).containsEntry("actorLayers", "32,32,32,32")
                .containsEntry("criticLayers", "256,256,256,256,256")
                .containsEntry("unrollLength", 30).containsEntry("minibatches", 32).containsEntry("epochs", 16)
                .containsEntry("learningRate", 1e-3).containsEntry("gamma", 0.995).containsEntry("gaeLambda", 0.95)
                .containsEntry("rewardScaling", 10.0).containsEntry("entropyCoefficient", 1e-2)
                .containsEntry("valueLossCoefficient", 0.25).containsEntry("valueClipping", false)
                .containsEntry("normalizeAdvantages", true).containsEntry("normalizeObservations", true)
                .containsEntry("klMode", "ANALYTIC").containsEntry("resetCriticOnStage", true)
                .containsEntry("resetNormalizerOnStage", false);
        ppo.close();
    }

    @Test
    void latentSpecOfARealEnv_isAccepted() {
        EnvSpec real = EnvSpec.symmetric("Real", OBS, LATENT, 2f, 5);
        try (PpoEngine ppo = (PpoEngine) small().build(); ScriptedVectorEnv env = env(5, false, TOWARDS_ONE)) {
            ppo.initialize(real.latent(LATENT), Device.cpu(), 19);
            assertThat(ppo.learn(env, 1, TrainingListener.NONE)).isEqualTo((long) ENVS * UNROLL);
        }
    }
}
