package io.github.gorl.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.github.gorl.api.ActionSquashing;
import io.github.gorl.api.DecoderDataset;
import io.github.gorl.api.EncoderInit;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.Stage;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;
import io.github.gorl.decoders.IdentityDecoder;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.BimodalBandit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reference's action semantics and refit pipeline, checked on what the env and the decoder receive. */
class ReferenceFidelityTest {

    /** The latent whose tanh, 0.6, is a mode of the bandit: return 1. */
    private static final float BEST = (float) (0.5 * Math.log(1.6 / 0.4));

    /** A vector env that records every action batch it is stepped with. */
    static final class RecordingVectorEnv implements VectorEnv {
        final VectorEnv env;
        final List<float[]> actions = new ArrayList<>();

        RecordingVectorEnv(VectorEnv env) {
            this.env = env;
        }

        @Override
        public EnvSpec spec() {
            return env.spec();
        }

        @Override
        public int numEnvs() {
            return env.numEnvs();
        }

        @Override
        public void reset(long seed, float[] observations) {
            env.reset(seed, observations);
        }

        @Override
        public void step(float[] batch, VectorStep out) {
            actions.add(batch.clone());
            env.step(batch, out);
        }

        @Override
        public void close() {
            env.close();
        }

        boolean allEqual(float value) {
            return actions.stream().allMatch(a -> {
                for (float x : a) {
                    if (Math.abs(x - value) > 1e-6f) {
                        return false;
                    }
                }
                return true;
            });
        }
    }

    private static RecordingVectorEnv bandits(int n) {
        return new RecordingVectorEnv(Envs.sync(i -> new BimodalBandit(), n));
    }

    @Test
    void tanhSquashing_theEnvReceivesTanhOfTheDecodedAction_clipPassesItOn() {
        try (RecordingVectorEnv env = bandits(4); NDManager manager = NDManager.newBaseManager();
                IdentityDecoder identity = new IdentityDecoder()) {
            identity.initialize(env.spec(), Device.cpu(), 1);
            float[] latents = {0.5f, -2f, 3f, 0f}; // one action dimension per bandit
            float[] obs = new float[4 * env.spec().observationDim()];
            VectorStep out = new VectorStep(4, env.spec().observationDim());
            DecodedVectorEnv tanh = new DecodedVectorEnv(env, identity, manager, ActionSquashing.TANH);
            tanh.reset(1, obs);
            tanh.step(latents, out);
            float[] executed = env.actions.get(0);
            for (int k = 0; k < latents.length; k++) {
                assertThat(executed[k]).isCloseTo((float) Math.tanh(latents[k]), within(1e-6f));
            }
            assertThat(tanh.lastActions()).containsExactly(latents);
            DecodedVectorEnv clip = new DecodedVectorEnv(env, identity, manager, ActionSquashing.CLIP);
            clip.reset(1, obs);
            clip.step(latents, out);
            assertThat(env.actions.get(1)).containsExactly(latents);
        }
        assertThat(ActionSquashing.TANH.apply(0.3f, 0f, 2f)).isCloseTo((float) (1 + Math.tanh(0.3)), within(1e-6f));
        assertThat(ActionSquashing.TANH.apply(Float.NaN, -1, 1)).isNaN();
    }

    @Test
    void underTanh_trainingEvaluationAndDataSquash_andTheDecoderLearnsPreTanhTargetsClippedAt3() throws Exception {
        ScriptedOptimizer optimizer = new ScriptedOptimizer();
        optimizer.latent = 5f;
        CapturingDecoder decoder = new CapturingDecoder();
        try (RecordingVectorEnv train = bandits(2); RecordingVectorEnv eval = bandits(2);
                GoRL agent = GoRL.builder().env(train).evalEnv(eval).optimizer(optimizer).decoder(decoder)
                        .schedule(StageSchedule.of(List.of(new Stage(4, 0, 0, 0.2, 1), new Stage(2, 1, 0, 0.2, 1))))
                        .decoderRefit(DecoderRefit.builder().episodes(6).targetClip(3).build())
                        .actionSquashing(ActionSquashing.TANH).evalEvery(100).build()) {
            agent.train();
            float squashed = (float) Math.tanh(5);
            assertThat(train.actions).isNotEmpty();
            assertThat(train.allEqual(squashed)).as("training and collection actions").isTrue();
            assertThat(eval.allEqual(squashed)).as("evaluation actions").isTrue();
            DecoderDataset data = decoder.datasets.get(0);
            assertThat(data.size()).isEqualTo(6);
            assertThat(data.actions()).containsOnly(3f);
            assertThat(data.episodes()).containsExactly(0, 1, 2, 3, 4, 5);
            assertThat(data.encoderLatents()).containsOnly(5f);
            assertThat(agent.policy().actInBounds(new float[] {0f})).containsExactly(squashed);
        }
    }

    @Test
    void stochasticEvaluation_evaluatesSampledLatents_theDefaultEvaluatesTheMean() {
        for (boolean stochastic : new boolean[] {false, true}) {
            ScriptedOptimizer optimizer = new ScriptedOptimizer().sampling(0.5, 0.1, 0.3f, 3);
            try (RecordingVectorEnv train = bandits(2); RecordingVectorEnv eval = bandits(2);
                    GoRL agent = GoRL.builder().env(train).evalEnv(eval).optimizer(optimizer)
                            .decoder(new IdentityDecoder()).schedule(StageSchedule.of(List.of(new Stage(4, 0, 0, 0.2, 1))))
                            .stochasticEvaluation(stochastic).evalEvery(100).build()) {
                agent.train();
                assertThat(eval.actions).isNotEmpty();
                assertThat(eval.allEqual(0.3f)).as("stochastic=%s: every evaluation action is the mean", stochastic)
                        .isEqualTo(!stochastic);
            }
        }
    }

    @Test
    void theRefitCollectsWithTheStagesBestEvaluatedEncoder_notTheLast_andStartsFromAFreshDecoder() {
        ScriptedOptimizer optimizer = new ScriptedOptimizer();
        optimizer.latent = 5f; // evaluated at step 0: far from both modes
        optimizer.script = new float[] {BEST, 3f, 3f, 3f}; // the best after the first chunk, worse afterwards
        CapturingDecoder decoder = new CapturingDecoder();
        List<io.github.gorl.api.Metrics> refits = new java.util.ArrayList<>();
        try (RecordingVectorEnv train = bandits(2); RecordingVectorEnv eval = bandits(2);
                GoRL agent = GoRL.builder().env(train).evalEnv(eval).optimizer(optimizer).decoder(decoder)
                        .schedule(StageSchedule.of(List.of(new Stage(8, 0, 0, 0.2, 1), new Stage(2, 1, 0, 0.2, 1))))
                        .decoderRefit(DecoderRefit.builder().episodes(4).collectFromBest(true).freshDecoder(true)
                                .targetClip(3).build())
                        .listener(new io.github.gorl.api.TrainingListener() {
                            @Override
                            public void onMetrics(io.github.gorl.api.Metrics m) {
                                if (!Double.isNaN(m.get("refit_prior_mean_shift"))) {
                                    refits.add(m);
                                }
                            }
                        })
                        .actionSquashing(ActionSquashing.TANH).evalEvery(2).build()) {
            var result = agent.train();
            assertThat(result.evaluations().get(1).meanReturn()).isCloseTo(1.0, within(1e-6));
            assertThat(result.evaluations().get(2).meanReturn()).isLessThan(0.9);
            // The last encoder of stage 0 acts with latent 3; the data holds the best one's.
            for (float a : decoder.datasets.get(0).actions()) {
                assertThat(a).isCloseTo(BEST, within(1e-6f));
            }
            assertThat(decoder.calls).containsExactly("reinitialize", "fit");
        }
        // The refit's probe: the best encoder acted tanh(BEST) = 0.6 deterministically; the (identity) decoder at the
        // prior's mean latent acts tanh(0) = 0, a policy that stands still, which the first evaluation then scores.
        assertThat(refits).hasSize(1);
        assertThat(refits.get(0).get("refit_data_action_abs")).isCloseTo(0.6, within(1e-6));
        assertThat(refits.get(0).get("refit_prior_mean_action_abs")).isCloseTo(0.0, within(1e-6));
        assertThat(refits.get(0).get("refit_prior_mean_shift")).isCloseTo(0.6, within(1e-6));
    }

    @Test
    void theBestEncoderSnapshot_survivesACheckpointAndResume(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path run = dir.resolve("run");
        ScriptedOptimizer first = new ScriptedOptimizer();
        first.latent = 5f;
        first.script = new float[] {BEST, 3f, 3f, 3f};
        first.failOnLearnCall = 2; // crashes after the checkpoint at step 4 (evaluations at 2: best, 4: worse)
        try (RecordingVectorEnv train = bandits(2); RecordingVectorEnv eval = bandits(2);
                GoRL agent = resumable(train, eval, first, new CapturingDecoder(), run).build()) {
            assertThatThrownBy(agent::train).hasMessageContaining("scripted crash");
        }
        assertThat(run.resolve("checkpoint/" + EncoderSnapshot.FOLDER)).isDirectory();
        ScriptedOptimizer second = new ScriptedOptimizer();
        second.latent = 3f; // its config records the latent, which was 3 at the checkpoint
        second.script = new float[] {3f, 3f, 3f};
        CapturingDecoder decoder = new CapturingDecoder();
        try (RecordingVectorEnv train = bandits(2); RecordingVectorEnv eval = bandits(2);
                GoRL agent = resumable(train, eval, second, decoder, dir.resolve("resumed")).build()) {
            agent.load(run.resolve("checkpoint"));
            agent.train();
            for (float a : decoder.datasets.get(0).actions()) {
                assertThat(a).isCloseTo(BEST, within(1e-6f));
            }
        }
    }

    private static GoRL.Builder resumable(VectorEnv train, VectorEnv eval, ScriptedOptimizer optimizer,
            CapturingDecoder decoder, java.nio.file.Path run) {
        return GoRL.builder().env(train).evalEnv(eval).optimizer(optimizer).decoder(decoder)
                .schedule(StageSchedule.of(List.of(new Stage(8, 0, 0, 0.2, 1), new Stage(2, 1, 0, 0.2, 1))))
                .decoderRefit(DecoderRefit.builder().episodes(4).collectFromBest(true).targetClip(3).build())
                .actionSquashing(ActionSquashing.TANH).evalEvery(2).checkpointEvery(4).runDirectory(run);
    }

    @Test
    void anOptimizerWithoutAStageStart_isRefusedClearly() {
        ScriptedOptimizer optimizer = new ScriptedOptimizer();
        try (RecordingVectorEnv train = bandits(2); RecordingVectorEnv eval = bandits(2);
                GoRL agent = GoRL.builder().env(train).evalEnv(eval).optimizer(optimizer)
                        .decoder(new CapturingDecoder())
                        .schedule(StageSchedule.of(List.of(
                                new Stage(4, 0, 0, 0.2, 1).withEncoderInit(EncoderInit.FRESH))))
                        .build()) {
            assertThatThrownBy(agent::train).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("scripted").hasMessageContaining("FRESH");
        }
    }

    @Test
    void splittingByEpisode_withoutEpisodes_isRefusedAtBuild() {
        try (RecordingVectorEnv train = bandits(2); RecordingVectorEnv eval = bandits(2)) {
            assertThatThrownBy(() -> GoRL.builder().env(train).evalEnv(eval).optimizer(new ScriptedOptimizer())
                    .decoder(new CapturingDecoder()).decoderRefit(DecoderRefit.builder().splitByEpisode(true).build())
                    .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("episodes(N)");
        }
    }

    @Test
    void summaryJson_reportsTheTargetReturn(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        try (RecordingVectorEnv train = bandits(2); RecordingVectorEnv eval = bandits(2);
                GoRL agent = GoRL.builder().env(train).evalEnv(eval).optimizer(new ScriptedOptimizer())
                        .decoder(new CapturingDecoder()).schedule(StageSchedule.single(4, 0))
                        .runDirectory(dir.resolve("run")).targetReturn(0.5).build()) {
            double last = agent.train().finalEvalReturn();
            Map<?, ?> summary = Checkpoints.JSON.readValue(dir.resolve("run/summary.json").toFile(), Map.class);
            assertThat(summary.get("target_return")).isEqualTo(0.5);
            assertThat(summary.get("target_met")).isEqualTo(last >= 0.5);
        }
    }
}
