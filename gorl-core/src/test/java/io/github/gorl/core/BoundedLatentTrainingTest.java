package io.github.gorl.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gorl.api.Evaluation;
import io.github.gorl.api.Stage;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingResult;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.BimodalBandit;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GoRL end to end with the bounded latent on a task with bounds [-1, 1] (the bimodal bandit: modes at +-0.6): latent
 * PPO with the tanh entropy correction learns on {@code g(s, tanh(u))}, a flow-matching refit carries the run into
 * stage 1, and a checkpoint resumes exactly.
 *
 * <p>Measured (seed 3, 1 PyTorch thread, 8,192 steps in stage 0): 0.000 until 6,144 steps, 0.880 at 7,168, 0.996 at
 * 8,192; 1.000 right after the refit and encoder reset and at the end of stage 1. Stage 0 runs 10,240 steps for margin.
 */
class BoundedLatentTrainingTest {

    @TempDir
    Path temp;

    private static GoRL.Builder gorl(VectorEnv train, VectorEnv eval, long stage0, long stage1, long evalEvery) {
        return GoRL.builder().env(train).evalEnv(eval)
                .optimizer(Ppo.latent().actorLayers(16).criticLayers(16).unrollLength(8).minibatches(2).epochs(4)
                        .rewardScaling(1).gamma(0.9).tanhEntropyCorrection(true).build())
                .decoder(FlowMatchingDecoder.builder().hiddenLayers(32, 32).build())
                .schedule(StageSchedule.of(List.of(new Stage(stage0, 0, 0, 0.2, 1), new Stage(stage1, 10, 1e-3, 0.2, 1))))
                .decoderRefit(DecoderRefit.builder().dataSize(2048).batchSize(256).build())
                .boundedLatent(true).evalEvery(evalEvery).seed(3);
    }

    private static VectorEnv bandits(int n) {
        return Envs.sync(i -> new BimodalBandit(), n);
    }

    @Test
    void latentPpo_onTheBoundedLatent_learnsTheBandit_acrossARefit() {
        try (VectorEnv train = bandits(16); VectorEnv eval = bandits(8);
                GoRL agent = gorl(train, eval, 10_240, 2048, 1024).build()) {
            TrainingResult result = agent.train();
            List<Evaluation> curve = result.evaluations();
            assertThat(curve.get(0).meanReturn()).as("the prior's mean latent decodes tanh(0) = 0").isLessThan(0.01);
            Evaluation endOfStage0 = curve.stream().filter(e -> e.stage() == 0).reduce((a, b) -> b).orElseThrow();
            assertThat(endOfStage0.meanReturn()).as("stage 0 on g(s, tanh(u)) = tanh(u)").isGreaterThan(0.8);
            assertThat(result.finalEvalReturn()).isFinite();
        }
    }

    private TrainingResult train(Path run, long stopAfter, boolean resume) throws Exception {
        try (VectorEnv env = bandits(4); VectorEnv eval = bandits(2)) {
            return InterruptibleRun.train(gorl(env, eval, 1024, 1024, 256).runDirectory(run).checkpointEvery(500),
                    run, stopAfter, resume);
        }
    }

    @Test
    void resume_withTheBoundedLatent_afterTheRefit_continuesExactlyAsTheUninterruptedRun() throws Exception {
        TrainingResult whole = train(temp.resolve("whole"), 0, false);
        Path run = temp.resolve("cut");
        assertThatThrownBy(() -> train(run, 1600, false)).isInstanceOf(InterruptibleRun.Interrupted.class);
        assertThat(Checkpoints.JSON.readTree(run.resolve("checkpoint/checkpoint.json").toFile())
                .path("envSteps").asLong()).as("a checkpoint inside stage 1, after the refit").isBetween(1025L, 1600L);

        TrainingResult resumed = train(run, 0, true);

        assertThat(resumed.envSteps()).isEqualTo(whole.envSteps());
        assertThat(resumed.evaluations()).isEqualTo(whole.evaluations());
        assertThat(resumed.finalEvalReturn()).isEqualTo(whole.finalEvalReturn());
    }
}
