package io.github.gorl.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gorl.api.Env;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.NonFiniteException;
import io.github.gorl.api.NonFinitePolicy;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.StepResult;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.TrainingResult;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.core.baselines.Dppo;
import io.github.gorl.core.baselines.Fpo;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.core.optim.sac.Sac;
import io.github.gorl.decoders.IdentityDecoder;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A NaN from an env stops training with the global env step, the sub-env and the last good checkpoint named, in
 * training and in evaluation; {@code onNonFinite(SKIP_BATCH)} drops the data instead and trains to the end. The
 * baselines share latent PPO's engine and so its handling.
 *
 * <p>The poisoned env is sub-env 1 of 2, so its {@code n}-th step is vector step {@code n} and, counting
 * transitions from 1 in sub-env order, global env step {@code 2 (n - 1) + 2 = 2n}.
 */
class NonFiniteTest {

    private static final long STEPS = 2048;

    @TempDir
    Path temp;

    private static LatentPolicyOptimizer ppo() {
        return Ppo.latent().actorLayers(16).criticLayers(16).unrollLength(32).minibatches(2).epochs(2).build();
    }

    /** FPO or DPPO with batches of 64 steps, as {@link #ppo()}. */
    private static LatentPolicyOptimizer baseline(String name) {
        return name.equals("fpo")
                ? Fpo.builder().hiddenLayers(16).criticLayers(16).steps(2).mcSamples(4).unrollLength(32)
                        .minibatches(2).epochs(2).build()
                : Dppo.builder().hiddenLayers(16).criticLayers(16).steps(2).unrollLength(32).minibatches(2)
                        .epochs(2).build();
    }

    private static LatentPolicyOptimizer sac() {
        return Sac.latent().actorLayers(16).criticLayers(16).bufferCapacity(1000).batchSize(32).learningStarts(64)
                .updatesPerStep(0.1).logInterval(200).build();
    }

    /** Pendulums, sub-env 1 of the training or the evaluation env returning a NaN reward where {@code nan} says. */
    private TrainingResult train(LatentPolicyOptimizer optimizer, LongPredicate trainNan, LongPredicate evalNan,
            long checkpointEvery, NonFinitePolicy policy, List<Metrics> metrics) {
        try (VectorEnv env = Envs.sync(i -> i == 1 ? new Poisoned(trainNan) : new Pendulum(), 2);
                VectorEnv eval = Envs.sync(i -> i == 1 ? new Poisoned(evalNan) : new Pendulum(), 2);
                GoRL agent = GoRL.builder().env(env).evalEnv(eval).optimizer(optimizer)
                        .decoder(new IdentityDecoder()).schedule(StageSchedule.single(STEPS, 0)).evalEvery(512)
                        .seed(3).runDirectory(temp.resolve("run")).checkpointEvery(checkpointEvery)
                        .onNonFinite(policy)
                        .listener(new TrainingListener() {
                            @Override
                            public void onMetrics(Metrics m) {
                                metrics.add(m);
                            }
                        }).build()) {
            return agent.train();
        }
    }

    private String checkpoint() {
        return temp.resolve("run/checkpoint").toAbsolutePath().toString();
    }

    @Test
    void ppo_nanRewardInTraining_namesTheGlobalStepSubEnvAndLastCheckpoint() {
        stopsNamingTheGlobalStepSubEnvAndLastCheckpoint(ppo());
    }

    /** {@code optimizer} learns in batches of 64 steps; sub-env 1 returns NaN rewards from its 701st step on. */
    private void stopsNamingTheGlobalStepSubEnvAndLastCheckpoint(LatentPolicyOptimizer optimizer) {
        // Checkpoints at 512 and 1024, the NaN from step 701 of sub-env 1 on.
        assertThatThrownBy(() -> train(optimizer, n -> n > 700, n -> false, 500, NonFinitePolicy.STOP,
                new ArrayList<>()))
                .isInstanceOfSatisfying(NonFiniteException.class, e -> {
                    assertThat(e.envStep()).isEqualTo(1402);
                    assertThat(e.subEnv()).isEqualTo(1);
                })
                .hasMessageContaining("training stopped at env step 1402 (sub-env 1)")
                .hasMessageContaining("non-finite reward NaN")
                .hasMessageContaining("last good checkpoint: " + checkpoint());
    }

    @Test
    void sac_nanRewardInTraining_namesTheGlobalStepSubEnvAndLastCheckpoint() {
        assertThatThrownBy(() -> train(sac(), n -> n > 300, n -> false, 500, NonFinitePolicy.STOP,
                new ArrayList<>()))
                .isInstanceOfSatisfying(NonFiniteException.class, e -> assertThat(e.envStep()).isEqualTo(602))
                .hasMessageContaining("training stopped at env step 602 (sub-env 1)")
                .hasMessageContaining("last good checkpoint: " + checkpoint());
    }

    @Test
    void nanBeforeTheFirstCheckpoint_saysNoneWasWrittenYet() {
        assertThatThrownBy(() -> train(ppo(), n -> n > 100, n -> false, 500, NonFinitePolicy.STOP,
                new ArrayList<>()))
                .hasMessageContaining("training stopped at env step 202 (sub-env 1)")
                .hasMessageContaining("no checkpoint was written yet");
    }

    @Test
    void nanInAnEvaluationEpisode_namesTheStepEpisodeStepSubEnvAndCheckpoint() {
        // Evaluation episodes are 200 steps: the one at step 0 is clean, the one at step 512 meets the NaN at its
        // 51st step. It stops training in both modes.
        for (NonFinitePolicy policy : NonFinitePolicy.values()) {
            assertThatThrownBy(() -> train(ppo(), n -> false, n -> n > 250, 256, policy, new ArrayList<>()))
                    .as(policy.name())
                    .isInstanceOfSatisfying(NonFiniteException.class, e -> assertThat(e.subEnv()).isEqualTo(1))
                    .hasMessageContaining("training stopped at env step 512 (sub-env 1) in the evaluation")
                    .hasMessageContaining("evaluation episode step 51")
                    .hasMessageContaining("last good checkpoint: " + checkpoint());
        }
    }

    @Test
    void ppo_skip_dropsTheBatchAndTrainsToTheEnd() throws Exception {
        dropsTheBatchAndTrainsToTheEnd(ppo());
    }

    /** {@code optimizer} learns in batches of 64 steps; sub-env 1 returns a NaN reward at its 700th step only. */
    private void dropsTheBatchAndTrainsToTheEnd(LatentPolicyOptimizer optimizer) throws Exception {
        List<Metrics> metrics = new ArrayList<>();
        TrainingResult result = train(optimizer, n -> n == 700, n -> false, 500, NonFinitePolicy.SKIP_BATCH, metrics);

        assertThat(result.envSteps()).isGreaterThanOrEqualTo(STEPS);
        assertThat(result.finalEvalReturn()).isFinite();
        List<Metrics> skipped = metrics.stream()
                .filter(m -> m.values().getOrDefault("skipped_batches", 0.0) > 0).toList();
        assertThat(skipped).hasSize(1);
        // The dropped rollout was collected up to the NaN's vector step (700 steps into its 32-step unroll).
        assertThat(skipped.get(0).step()).isEqualTo(1400);
        assertThat(skipped.get(0).values()).doesNotContainKey("policy_loss");
        assertThat(Files.readString(temp.resolve("run/metrics.csv"))).contains("skipped_batches");
    }

    @ParameterizedTest
    @ValueSource(strings = {"fpo", "dppo"})
    void baseline_skip_dropsTheBatchAndTrainsToTheEnd(String name) throws Exception {
        dropsTheBatchAndTrainsToTheEnd(baseline(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fpo", "dppo"})
    void baseline_nanRewardInTraining_namesTheGlobalStepSubEnvAndLastCheckpoint(String name) {
        stopsNamingTheGlobalStepSubEnvAndLastCheckpoint(baseline(name));
    }

    @Test
    void sac_skip_dropsTheTransitionsAndTrainsToTheEnd() {
        List<Metrics> metrics = new ArrayList<>();
        TrainingResult result = train(sac(), n -> n == 300, n -> false, 500, NonFinitePolicy.SKIP_BATCH, metrics);

        assertThat(result.envSteps()).isEqualTo(STEPS);
        // The vector env rejected the step, so neither sub-env's transition of that step is known.
        assertThat(metrics.stream().mapToDouble(m -> m.values().getOrDefault("skipped_transitions", 0.0)).sum())
                .isEqualTo(2.0);
        assertThat(metrics.stream().filter(m -> m.values().containsKey("q_loss"))
                .allMatch(m -> m.values().containsKey("skipped_transitions"))).isTrue();
    }

    @Test
    void skip_withAnOptimizerThatCannotDropData_isRejectedAtBuild() {
        try (VectorEnv env = Envs.sync(i -> new Pendulum(), 2); VectorEnv eval = Envs.sync(i -> new Pendulum(), 2)) {
            assertThatThrownBy(() -> GoRL.builder().env(env).evalEnv(eval).optimizer(new ScriptedOptimizer())
                    .decoder(new IdentityDecoder()).schedule(StageSchedule.single(100, 0))
                    .onNonFinite(NonFinitePolicy.SKIP_BATCH).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("onNonFinite SKIP_BATCH");
            assertThatThrownBy(() -> GoRL.builder().onNonFinite(null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("onNonFinite");
        }
    }

    /** A pendulum whose reward is NaN on the step calls (counted from 1, over all episodes) that {@code nan} picks. */
    private static final class Poisoned implements Env {
        private final Env inner = new Pendulum();
        private final LongPredicate nan;
        private long steps;

        Poisoned(LongPredicate nan) {
            this.nan = nan;
        }

        @Override
        public EnvSpec spec() {
            return inner.spec();
        }

        @Override
        public void reset(long seed, float[] observation) {
            inner.reset(seed, observation);
        }

        @Override
        public StepResult step(float[] action, float[] observation) {
            StepResult r = inner.step(action, observation);
            return nan.test(++steps) ? new StepResult(Double.NaN, r.terminated(), r.truncated()) : r;
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
