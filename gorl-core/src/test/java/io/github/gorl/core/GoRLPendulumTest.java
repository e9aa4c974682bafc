package io.github.gorl.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gorl.api.Evaluation;
import io.github.gorl.api.FixedSchedule;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingResult;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GoRL end to end on Pendulum: latent PPO with a flow-matching decoder learns the swing-up, and the policy
 * survives the stage boundary (decoder refit on the fixed prior, encoder reset to N(0, I)).
 *
 * <p>Measured with this configuration and seed (1 PyTorch thread): stage 0 reaches about -110 at 60k steps,
 * the first evaluation after the refit and reset about -125, and the run about -120; a random policy scores
 * about -1200. Thresholds leave wide margins.
 */
class GoRLPendulumTest {

    @Test
    void gorlFlow_learnsPendulumAndKeepsThePolicyAcrossTheStageBoundary() {
        FixedSchedule schedule = StageSchedule.of(61_440, 20_480).decoderEpochs(30);
        try (VectorEnv train = Envs.sync(i -> new Pendulum(), 16);
                VectorEnv eval = Envs.sync(i -> new Pendulum(), 8);
                GoRL agent = GoRL.builder()
                        .env(train)
                        .evalEnv(eval)
                        .optimizer(Ppo.latent().criticLayers(64, 64).unrollLength(64).minibatches(8).epochs(8)
                                .rewardScaling(0.1).gamma(0.99).build())
                        .decoder(FlowMatchingDecoder.builder().build())
                        .schedule(schedule)
                        .decoderRefit(DecoderRefit.builder().dataSize(40_000).batchSize(1024).build())
                        .evalEvery(20_480)
                        .seed(1)
                        .build()) {
            TrainingResult result = agent.train();
            List<Evaluation> curve = result.evaluations();
            assertThat(curve.get(0).meanReturn()).as("random policy").isLessThan(-700);

            Evaluation endOfStage0 = lastOfStage(curve, 0);
            Evaluation afterRefit = firstOfStage(curve, 1);
            assertThat(endOfStage0.meanReturn()).as("stage 0 (Gaussian latent PPO on the identity decoder)")
                    .isGreaterThan(-400);
            // Continuity: N(0, I) through the refitted decoder reproduces the previous composed policy.
            assertThat(afterRefit.step()).isEqualTo(endOfStage0.step());
            assertThat(afterRefit.meanReturn()).as("right after the decoder refit and encoder reset")
                    .isGreaterThan(-400)
                    .isCloseTo(endOfStage0.meanReturn(), org.assertj.core.data.Offset.offset(200.0));
            assertThat(result.finalEvalReturn()).as("final").isGreaterThan(-400);
            assertThat(result.envSteps()).isGreaterThanOrEqualTo(schedule.totalEncoderSteps());
        }
    }

    private static Evaluation lastOfStage(List<Evaluation> curve, int stage) {
        return curve.stream().filter(e -> e.stage() == stage).reduce((a, b) -> b).orElseThrow();
    }

    private static Evaluation firstOfStage(List<Evaluation> curve, int stage) {
        return curve.stream().filter(e -> e.stage() == stage).findFirst().orElseThrow();
    }
}
