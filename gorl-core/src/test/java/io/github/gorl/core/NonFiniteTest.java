package io.github.gorl.core;

import static io.github.gorl.core.NonFiniteScenarios.train;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.NonFiniteException;
import io.github.gorl.api.NonFinitePolicy;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingResult;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.core.optim.sac.Sac;
import io.github.gorl.decoders.IdentityDecoder;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A NaN from an env stops training with the global env step, the sub-env and the last good checkpoint named, in
 * training and in evaluation; {@code onNonFinite(SKIP_BATCH)} drops the data instead and trains to the end. The
 * baselines share latent PPO's engine and so its handling (their tests in gorl-baselines run the same
 * {@link NonFiniteScenarios}).
 */
class NonFiniteTest {

    @TempDir
    Path temp;

    private Path run() {
        return temp.resolve("run");
    }

    private static LatentPolicyOptimizer ppo() {
        return Ppo.latent().actorLayers(16).criticLayers(16).unrollLength(32).minibatches(2).epochs(2).build();
    }

    private static LatentPolicyOptimizer sac() {
        return Sac.latent().actorLayers(16).criticLayers(16).bufferCapacity(1000).batchSize(32).learningStarts(64)
                .updatesPerStep(0.1).logInterval(200).build();
    }

    @Test
    void ppo_nanRewardInTraining_namesTheGlobalStepSubEnvAndLastCheckpoint() {
        NonFiniteScenarios.stopsNamingTheGlobalStepSubEnvAndLastCheckpoint(run(), ppo());
    }

    @Test
    void sac_nanRewardInTraining_namesTheGlobalStepSubEnvAndLastCheckpoint() {
        assertThatThrownBy(() -> train(run(), sac(), n -> n > 300, n -> false, 500, NonFinitePolicy.STOP,
                new ArrayList<>()))
                .isInstanceOfSatisfying(NonFiniteException.class, e -> assertThat(e.envStep()).isEqualTo(602))
                .hasMessageContaining("training stopped at env step 602 (sub-env 1)")
                .hasMessageContaining("last good checkpoint: " + NonFiniteScenarios.checkpoint(run()));
    }

    @Test
    void nanBeforeTheFirstCheckpoint_saysNoneWasWrittenYet() {
        assertThatThrownBy(() -> train(run(), ppo(), n -> n > 100, n -> false, 500, NonFinitePolicy.STOP,
                new ArrayList<>()))
                .hasMessageContaining("training stopped at env step 202 (sub-env 1)")
                .hasMessageContaining("no checkpoint was written yet");
    }

    @Test
    void nanInAnEvaluationEpisode_namesTheStepEpisodeStepSubEnvAndCheckpoint() {
        // Evaluation episodes are 200 steps: the one at step 0 is clean, the one at step 512 meets the NaN at its
        // 51st step. It stops training in both modes.
        for (NonFinitePolicy policy : NonFinitePolicy.values()) {
            assertThatThrownBy(() -> train(run(), ppo(), n -> false, n -> n > 250, 256, policy, new ArrayList<>()))
                    .as(policy.name())
                    .isInstanceOfSatisfying(NonFiniteException.class, e -> assertThat(e.subEnv()).isEqualTo(1))
                    .hasMessageContaining("training stopped at env step 512 (sub-env 1) in the evaluation")
                    .hasMessageContaining("evaluation episode step 51")
                    .hasMessageContaining("last good checkpoint: " + NonFiniteScenarios.checkpoint(run()));
        }
    }

    @Test
    void ppo_skip_dropsTheBatchAndTrainsToTheEnd() throws Exception {
        NonFiniteScenarios.dropsTheBatchAndTrainsToTheEnd(run(), ppo());
    }

    @Test
    void sac_skip_dropsTheTransitionsAndTrainsToTheEnd() {
        List<Metrics> metrics = new ArrayList<>();
        TrainingResult result = train(run(), sac(), n -> n == 300, n -> false, 500, NonFinitePolicy.SKIP_BATCH,
                metrics);

        assertThat(result.envSteps()).isEqualTo(NonFiniteScenarios.STEPS);
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

}
