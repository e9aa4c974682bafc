package io.github.gorl.core.optim.sac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.NonFiniteException;
import io.github.gorl.api.Phase;
import io.github.gorl.api.Stage;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.core.optim.GaussianHead;
import io.github.gorl.decoders.nn.Mlp;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SacTest {

    private static final EnvSpec PENDULUM_LATENT = new Pendulum().spec().latent(1);

    @TempDir
    Path temp;

    /** A small SAC for the unit tests: tiny networks and buffer, updates from the 32nd transition. */
    private static Sac.Builder small() {
        return Sac.latent().actorLayers(16, 16).criticLayers(16, 16).bufferCapacity(256).batchSize(16)
                .learningStarts(32);
    }

    private static LatentSac initialized(Sac.Builder builder, EnvSpec spec, long seed) {
        LatentSac sac = (LatentSac) builder.build();
        sac.initialize(spec, Device.cpu(), seed);
        sac.resetToPrior();
        return sac;
    }

    private static VectorEnv pendulums(int n) {
        return Envs.sync(i -> new Pendulum(), n);
    }

    private static double softplus(double x) {
        return Math.log1p(Math.exp(x));
    }

    // ------------------------------------------------------------------------------------------------
    // Critic targets

    @ParameterizedTest
    @EnumSource(Sac.Regularization.class)
    void qTargets_equalTheSoftBellmanBackupComputedByHand(Sac.Regularization mode) {
        double alpha = 0.5;
        double beta = 0.2;
        double gamma = 0.9;
        double scale = 2.0;
        try (LatentSac sac = initialized(small().regularization(mode).initialAlpha(alpha).gamma(gamma)
                .rewardScaling(scale).normalizeObservations(false), PENDULUM_LATENT, 3)) {
            sac.beginStage(new Stage(1000, 0, beta, 0.3, 1.0));
            // A state-independent actor N(m, std^2) and constant target critics c1, c2: every term is known.
            double m = 0.3;
            float raw = 0.25f;
            double std = softplus(raw) + GaussianHead.MIN_STD;
            sac.actor().mlp().zeroOutputLayer();
            sac.actor().mlp().setOutputBias(new float[] {(float) m, raw});
            setConstant(sac.q1Target(), -4f);
            setConstant(sac.q2Target(), -3f);
            double minQ = -4;

            // Row 0 terminated, row 1 truncated (bootstraps like row 2), row 2 an ordinary step.
            float[] rewards = {1f, -2f, 0.5f};
            float[] notTerminated = {0f, 1f, 1f};
            float[] noise = {0.5f, -1f, 2f};
            float[] next = {1, 0, 0, 0, 1, 2, -1, 0, -3};
            float[] y = sac.qTargets(next, rewards, notTerminated, noise);

            double kl = 0.5 * (m * m + std * std - 1 - 2 * Math.log(std));
            for (int j = 0; j < 3; j++) {
                // eps' = m + std z, so log pi(eps'|s') = -z^2/2 - log std - log(2 pi)/2.
                double logPi = -0.5 * noise[j] * noise[j] - Math.log(std) - 0.5 * Math.log(2 * Math.PI);
                double regularizer = (mode != Sac.Regularization.KL_TO_PRIOR ? alpha * logPi : 0)
                        + (mode != Sac.Regularization.ENTROPY ? beta * kl : 0);
                double expected = scale * rewards[j] + gamma * notTerminated[j] * (minQ - regularizer);
                assertThat((double) y[j]).as("row %d, %s", j, mode).isCloseTo(expected, within(1e-4));
            }
            assertThat(y[0]).as("a terminated transition does not bootstrap").isEqualTo(2f);
        }
    }

    @Test
    void transitions_storeTruncationApartFromTerminationWithTheFinalObservation() {
        ScriptedVectorEnv env = new ScriptedVectorEnv();
        try (LatentSac sac = initialized(small().learningStarts(100).bufferCapacity(100), ScriptedVectorEnv.SPEC,
                1)) {
            assertThat(sac.learn(env, 8, null)).isEqualTo(8);
            ReplayBuffer buffer = sac.buffer();
            assertThat(buffer.size()).isEqualTo(8);
            assertThat(buffer.chronological(buffer.observations, 1))
                    .containsExactly(0, 1, 2, 10, 11, 12, 20, 21);
            // s' of the last step of an episode is its final observation, not the next episode's first.
            assertThat(buffer.chronological(buffer.nextObservations, 1))
                    .containsExactly(1, 2, 3, 11, 12, 13, 21, 22);
            assertThat(buffer.chronological(buffer.truncated)).containsExactly(0, 0, 1, 0, 0, 0, 0, 0);
            assertThat(buffer.chronological(buffer.terminated)).containsExactly(0, 0, 0, 0, 0, 1, 0, 0);
            assertThat(buffer.chronological(buffer.rewards, 1)).containsExactly(1, 2, 3, 1, 2, 3, 1, 2);

            // The bootstrap mask: 1 for the truncated transition, 0 for the terminated one.
            ReplayBuffer.Batch batch = new ReplayBuffer.Batch(2, 1, 1);
            batch.copyFrom(buffer, buffer.row(2), 0);
            batch.copyFrom(buffer, buffer.row(5), 1);
            assertThat(batch.notTerminated).containsExactly(1f, 0f);
            assertThat(batch.nextObservations).containsExactly(3f, 13f);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Replay buffer

    @Test
    void replayBuffer_wrapsAroundOverwritingTheOldest() {
        ReplayBuffer buffer = new ReplayBuffer(5, 1, 1);
        for (int k = 0; k < 7; k++) {
            buffer.add(new float[] {k}, 0, new float[] {-k}, k, new float[] {k + 0.5f}, 0, k == 3, k == 6);
        }
        assertThat(buffer.size()).isEqualTo(5);
        // Transitions 0 and 1 were overwritten in place by 5 and 6.
        assertThat(buffer.observations).containsExactly(5, 6, 2, 3, 4);
        assertThat(buffer.chronological(buffer.observations, 1)).containsExactly(2, 3, 4, 5, 6);
        assertThat(buffer.chronological(buffer.latents, 1)).containsExactly(-2, -3, -4, -5, -6);
        assertThat(buffer.chronological(buffer.nextObservations, 1)).containsExactly(2.5f, 3.5f, 4.5f, 5.5f, 6.5f);
        assertThat(buffer.chronological(buffer.terminated)).containsExactly(0, 1, 0, 0, 0);
        assertThat(buffer.chronological(buffer.truncated)).containsExactly(0, 0, 0, 0, 1);
        assertThat(buffer.row(0)).isEqualTo(2);
        assertThat(buffer.row(4)).isEqualTo(1);

        ReplayBuffer.Batch batch = new ReplayBuffer.Batch(200, 1, 1);
        buffer.sample(new SplittableRandom(1), batch);
        for (int j = 0; j < batch.size; j++) {
            assertThat(batch.observations[j]).isBetween(2f, 6f);
            assertThat(batch.latents[j]).isEqualTo(-batch.observations[j]);
            assertThat(batch.notTerminated[j]).isEqualTo(batch.observations[j] == 3f ? 0f : 1f);
        }
        buffer.clear();
        assertThat(buffer.size()).isZero();
        assertThatThrownBy(() -> buffer.sample(new SplittableRandom(1), batch))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("empty");
    }

    // ------------------------------------------------------------------------------------------------
    // Target networks and temperature

    @Test
    void update_movesTargetNetworksTauTowardsTheOnlineCritics() {
        double tau = 0.1;
        try (VectorEnv env = pendulums(2);
                LatentSac sac = initialized(small().tau(tau).learningStarts(200), PENDULUM_LATENT, 5)) {
            sac.learn(env, 64, null);
            assertThat(sac.updates()).as("still warming up").isZero();
            List<float[]> before = values(sac.q1Target());
            assertThat(before.get(0)).as("targets start as copies").containsExactly(values(sac.q1()).get(0));
            sac.update(0);
            List<float[]> online = values(sac.q1());
            List<float[]> after = values(sac.q1Target());
            assertThat(online.get(0)).as("the critic moved").isNotEqualTo(before.get(0));
            for (int p = 0; p < before.size(); p++) {
                for (int k = 0; k < before.get(p).length; k++) {
                    double expected = (1 - tau) * before.get(p)[k] + tau * online.get(p)[k];
                    assertThat((double) after.get(p)[k]).isCloseTo(expected, within(1e-6));
                }
            }
        }
    }

    @Test
    void temperature_risesWhileEntropyIsBelowTargetAndFallsWhileAbove() {
        try (LatentSac sac = initialized(small().initialAlpha(0.2), PENDULUM_LATENT, 7)) {
            assertThat(sac.targetEntropy()).isEqualTo(-1.0);
            // mean log pi = 3: entropy about -3, below the target -1.
            sac.updateTemperature(3.0);
            assertThat(sac.alpha()).isGreaterThan(0.2);
            sac.resetToPrior();
            // mean log pi = -3: entropy about 3, above the target.
            sac.updateTemperature(-3.0);
            assertThat(sac.alpha()).isLessThan(0.2);
        }
    }

    @Test
    void update_withACollapsedPolicyRaisesAlpha() {
        try (VectorEnv env = pendulums(2);
                LatentSac sac = initialized(small().initialAlpha(0.2).learningStarts(200), PENDULUM_LATENT, 9)) {
            sac.learn(env, 64, null);
            // std = MIN_STD: entropy -5.5 per dimension, far below the target -1.
            sac.actor().mlp().setOutputBias(new float[] {0f, -30f});
            float[] stats = sac.update(0);
            assertThat(stats[3]).as("entropy").isLessThan(-5f);
            assertThat(sac.alpha()).isGreaterThan(0.2);
        }
    }

    @Test
    void klToPriorOnly_reportsNoTemperatureAndKeepsAlphaFixed() {
        try (VectorEnv env = pendulums(2);
                LatentSac sac = initialized(small().regularization(Sac.Regularization.KL_TO_PRIOR),
                        PENDULUM_LATENT, 9)) {
            List<Metrics> metrics = new ArrayList<>();
            sac.learn(env, 64, recorder(metrics));
            assertThat(sac.updates()).isPositive();
            assertThat(metrics.get(metrics.size() - 1).get("alpha")).isZero();
            assertThat(sac.alpha()).isEqualTo(1.0);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Stages

    @Test
    void resetToPrior_makesLatentPolicyStandardNormalAndEmptiesTheBuffer() {
        try (VectorEnv env = pendulums(2);
                LatentSac sac = initialized(small().updatesPerStep(0.25).resetCriticOnStage(true), PENDULUM_LATENT,
                        11);
                NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            sac.learn(env, 128, null);
            assertThat(sac.updates()).isPositive();
            NDArray obs = manager.randomNormal(new Shape(64, 3)).mul(3);
            float[] learned = sac.act(obs, true).toFloatArray();
            assertThat(learned).as("learning moved the mean").isNotEqualTo(new float[learned.length]);

            sac.resetToPrior();
            assertThat(sac.act(obs, true).toFloatArray()).containsOnly(0f);
            GaussianHead.Distribution head = sac.actor().forward(obs);
            assertThat(head.mean().toFloatArray()).containsOnly(0f);
            for (float s : head.std().toFloatArray()) {
                assertThat((double) s).isCloseTo(1.0, within(1e-6));
            }
            assertThat(sac.buffer().size()).isZero();
            assertThat(sac.alpha()).isEqualTo(1.0);
            assertThat(values(sac.q1Target()).get(0)).as("re-drawn critics copied into the targets")
                    .containsExactly(values(sac.q1()).get(0));
            float[] sampled = sac.act(manager.zeros(new Shape(4000, 3)), false).toFloatArray();
            double mean = 0;
            double square = 0;
            for (float e : sampled) {
                mean += e / sampled.length;
                square += e * e / sampled.length;
            }
            assertThat(mean).isCloseTo(0, within(0.1));
            assertThat(square).isCloseTo(1, within(0.1));
        }
    }

    @Test
    void resetCriticOnStageFalse_keepsTrainedCriticsAndDrawsTheFirstOnesLikeTrue() {
        try (VectorEnv env = pendulums(2);
                LatentSac keep = initialized(small().resetCriticOnStage(false), PENDULUM_LATENT, 13);
                LatentSac redraw = initialized(small().resetCriticOnStage(true), PENDULUM_LATENT, 13)) {
            // Before any update a reset draws the critics either way: the first stage is the same.
            assertThat(values(keep.q1()).get(0)).containsExactly(values(redraw.q1()).get(0));
            keep.learn(env, 64, null);
            assertThat(keep.updates()).isPositive();
            List<float[]> trained = values(keep.q1());
            List<float[]> trainedTarget = values(keep.q2Target());
            keep.resetToPrior();
            assertThat(values(keep.q1()).get(0)).containsExactly(trained.get(0));
            assertThat(values(keep.q2Target()).get(0)).containsExactly(trainedTarget.get(0));
        }
    }

    @Test
    void beginStage_appliesTheStagesKlWeight() {
        try (LatentSac sac = initialized(small(), PENDULUM_LATENT, 1)) {
            assertThat(sac.klWeight()).isEqualTo(1e-3);
            sac.beginStage(new Stage(10, 0, 5e-4, 0.15, 0.5));
            assertThat(sac.klWeight()).isEqualTo(5e-4);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // learn

    @Test
    void learn_continuesEpisodesOnTheSameEnvAndResetsANewOne() {
        ScriptedVectorEnv env = new ScriptedVectorEnv();
        try (LatentSac sac = initialized(small().learningStarts(100).bufferCapacity(100), ScriptedVectorEnv.SPEC,
                1)) {
            sac.learn(env, 2, null);
            sac.learn(env, 2, null);
            assertThat(env.resets).isEqualTo(1);
            // The second call continued the episode: s = 2 is followed by the final observation 3.
            assertThat(sac.buffer().chronological(sac.buffer().observations, 1)).containsExactly(0, 1, 2, 10);
            ScriptedVectorEnv other = new ScriptedVectorEnv();
            sac.learn(other, 1, null);
            assertThat(other.resets).isEqualTo(1);
        }
    }

    @Test
    void learn_reportsTheDocumentedMetricsWithStepsWithinTheCall() {
        ScriptedVectorEnv env = new ScriptedVectorEnv();
        try (LatentSac sac = initialized(small().learningStarts(2).logInterval(4), ScriptedVectorEnv.SPEC, 13)) {
            List<Metrics> metrics = new ArrayList<>();
            assertThat(sac.learn(env, 14, recorder(metrics))).isEqualTo(14);
            assertThat(metrics).extracting(Metrics::step).containsExactly(4L, 8L, 12L, 14L);
            Metrics m = metrics.get(1);
            assertThat(m.phase()).isEqualTo(Phase.ENCODER);
            assertThat(m.values().keySet()).containsExactly("q_loss", "actor_loss", "alpha", "entropy",
                    "kl_to_prior", "train_episode_return", "steps_per_second");
            assertThat(m.values().values()).allMatch(Double::isFinite);
            // The episode that ended at step 6 earned 1 + 2 + 3.
            assertThat(m.get("train_episode_return")).isEqualTo(6.0);
            assertThat(metrics.get(3).get("train_episode_return")).as("no episode ended in steps 13-14").isNaN();
        }
    }

    @Test
    void learn_withNonFiniteReward_failsNamingIt() {
        ScriptedVectorEnv env = new ScriptedVectorEnv();
        env.nanRewardAtStep = 4;
        try (LatentSac sac = initialized(small(), ScriptedVectorEnv.SPEC, 1)) {
            // Steps are counted from 1: the fifth step call (0-based index 4) is env step 5.
            assertThatThrownBy(() -> sac.learn(env, 10, null))
                    .isInstanceOf(NonFiniteException.class)
                    .hasMessageContaining("non-finite reward NaN").hasMessageContaining("env step 5");
        }
    }

    @Test
    void learn_onAnEnvOfOtherSizes_namesBoth() {
        try (VectorEnv env = pendulums(1); LatentSac sac = initialized(small(), ScriptedVectorEnv.SPEC, 1)) {
            assertThatThrownBy(() -> sac.learn(env, 10, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("observationDim 3").hasMessageContaining("observationDim 1");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Save and load

    @Test
    void saveLoad_roundTripRestoresNetworksTemperatureStatisticsAndBuffer() throws Exception {
        try (VectorEnv env = pendulums(2);
                LatentSac sac = initialized(saving(), PENDULUM_LATENT, 17);
                LatentSac copy = initialized(saving(), PENDULUM_LATENT, 99);
                NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            sac.beginStage(new Stage(100, 0, 2e-3, 0.3, 0.7));
            sac.learn(env, 200, null);
            sac.save(temp);
            copy.load(temp);

            NDArray obs = manager.randomNormal(new Shape(16, 3));
            assertThat(copy.act(obs, true).toFloatArray()).containsExactly(sac.act(obs, true).toFloatArray());
            for (int p = 0; p < values(sac.q2Target()).size(); p++) {
                assertThat(values(copy.q2Target()).get(p)).containsExactly(values(sac.q2Target()).get(p));
            }
            assertThat(copy.alpha()).isEqualTo(sac.alpha());
            assertThat(copy.klWeight()).isEqualTo(2e-3);
            assertThat(copy.updates()).isEqualTo(sac.updates());
            ReplayBuffer a = sac.buffer();
            ReplayBuffer b = copy.buffer();
            assertThat(b.size()).as("the ring wrapped").isEqualTo(128);
            assertThat(b.chronological(b.observations, 3)).containsExactly(a.chronological(a.observations, 3));
            assertThat(b.chronological(b.nextObservations, 3))
                    .containsExactly(a.chronological(a.nextObservations, 3));
            assertThat(b.chronological(b.truncated)).containsExactly(a.chronological(a.truncated));
            // Slot for slot: the same random indices draw the same transitions.
            ReplayBuffer.Batch fromA = new ReplayBuffer.Batch(32, 3, 1);
            ReplayBuffer.Batch fromB = new ReplayBuffer.Batch(32, 3, 1);
            a.sample(new java.util.SplittableRandom(9), fromA);
            b.sample(new java.util.SplittableRandom(9), fromB);
            assertThat(fromB.observations).containsExactly(fromA.observations);
            assertThat(fromB.rewards).containsExactly(fromA.rewards);
            // The restored optimizer trains on from the restored buffer.
            assertThat(copy.update(0)[0]).isFinite();
        }
    }

    private static Sac.Builder saving() {
        return small().saveReplayBuffer(true).bufferCapacity(128).updatesPerStep(0.25);
    }

    @Test
    void load_withoutSavedBuffer_startsWithAnEmptyBuffer() throws Exception {
        try (VectorEnv env = pendulums(2);
                LatentSac sac = initialized(small().updatesPerStep(0.25).saveReplayBuffer(false), PENDULUM_LATENT, 17);
                LatentSac copy = initialized(small().updatesPerStep(0.25).saveReplayBuffer(false), PENDULUM_LATENT,
                        18)) {
            sac.learn(env, 100, null);
            sac.save(temp);
            copy.learn(env, 40, null);
            copy.load(temp);
            assertThat(copy.buffer().size()).isZero();
        }
    }

    @Test
    void load_ofAnotherShape_namesBothValues() throws Exception {
        try (LatentSac sac = initialized(small(), PENDULUM_LATENT, 1);
                LatentSac wide = initialized(small().criticLayers(32), PENDULUM_LATENT, 1)) {
            sac.save(temp);
            assertThatThrownBy(() -> wide.load(temp))
                    .hasMessageContaining("critic layer sizes").hasMessageContaining("[4.0, 16.0, 16.0, 1.0]")
                    .hasMessageContaining("[4.0, 32.0, 1.0]");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Builder

    @Test
    void builder_rejectsInvalidOptionsNamingThem() {
        assertThatThrownBy(() -> Sac.latent().tau(0)).hasMessageContaining("tau");
        assertThatThrownBy(() -> Sac.latent().gamma(1.5)).hasMessageContaining("gamma");
        assertThatThrownBy(() -> Sac.latent().updatesPerStep(0)).hasMessageContaining("updatesPerStep");
        assertThatThrownBy(() -> Sac.latent().criticLayers()).hasMessageContaining("criticLayers");
        assertThatThrownBy(() -> Sac.latent().targetEntropy(Double.NaN)).hasMessageContaining("targetEntropy");
        assertThatThrownBy(() -> Sac.latent().bufferCapacity(100).batchSize(200).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batchSize").hasMessageContaining("200");
    }

    @Test
    void config_recordsEveryOptionAndTheDefaultRegularization() {
        var sac = Sac.latent().build();
        assertThat(sac.name()).isEqualTo("sac");
        assertThat(sac.config()).containsEntry("regularization", "ENTROPY_AND_KL")
                .containsEntry("targetEntropy", "-latentDim").containsEntry("updatesPerStep", 1.0)
                .containsEntry("batchSize", 256).containsEntry("tau", 0.005).containsEntry("gamma", 0.99);
    }

    // ------------------------------------------------------------------------------------------------

    private static void setConstant(Mlp mlp, float value) {
        mlp.zeroOutputLayer();
        mlp.setOutputBias(new float[] {value});
    }

    private static List<float[]> values(Mlp mlp) {
        List<float[]> out = new ArrayList<>();
        for (NDArray p : mlp.parameters()) {
            out.add(p.toFloatArray());
        }
        return out;
    }

    private static TrainingListener recorder(List<Metrics> sink) {
        return new TrainingListener() {
            @Override
            public void onMetrics(Metrics metrics) {
                sink.add(metrics);
            }
        };
    }
}
