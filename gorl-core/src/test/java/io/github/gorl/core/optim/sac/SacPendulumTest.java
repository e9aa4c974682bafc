package io.github.gorl.core.optim.sac;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gorl.api.Evaluation;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.Phase;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.TrainingResult;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.core.DecoderRefit;
import io.github.gorl.core.GoRL;
import io.github.gorl.decoders.IdentityDecoder;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Latent SAC learning through the GoRL trainer, on Pendulum. */
class SacPendulumTest {

    private static VectorEnv pendulums(int n) {
        return Envs.sync(i -> new Pendulum(), n);
    }

    @Test
    void gaussianSac_swingsUpPendulumWithinFiveThousandSteps() {
        // Identity decoder, beta 0, one stage: plain SAC on Pendulum. A random policy scores about -1200; seeds
        // 1-5 of this configuration end between -110 and -380 (they cross -700 between 3,000 and 4,500 steps).
        long start = System.nanoTime();
        try (VectorEnv env = pendulums(4); VectorEnv eval = pendulums(8);
                GoRL agent = GoRL.builder().env(env).evalEnv(eval)
                        .optimizer(Sac.latent().actorLayers(64, 64).criticLayers(64, 64).learningStarts(500).build())
                        .decoder(new IdentityDecoder())
                        .schedule(StageSchedule.single(5_000, 0))
                        .evalEvery(5_000)
                        .seed(1)
                        .build()) {
            TrainingResult result = agent.train();
            System.out.printf("SAC on Pendulum: %d steps in %.1f s, eval return %.1f -> %.1f%n", result.envSteps(),
                    (System.nanoTime() - start) / 1e9, result.evaluations().get(0).meanReturn(),
                    result.finalEvalReturn());
            assertThat(result.evaluations().get(0).meanReturn()).as("the prior N(0, I) acts at random")
                    .isLessThan(-900);
            assertThat(result.finalEvalReturn()).isGreaterThan(-700);
        }
    }

    @Test
    void gorlWithSacAndFlowDecoder_clearsTheBufferAndRestartsEachStage() {
        List<Metrics> encoder = new ArrayList<>();
        List<Evaluation> evaluations = new ArrayList<>();
        try (VectorEnv env = pendulums(2); VectorEnv eval = pendulums(2);
                GoRL agent = GoRL.builder().env(env).evalEnv(eval)
                        .optimizer(Sac.latent().actorLayers(16, 16).criticLayers(16, 16).batchSize(32)
                                .learningStarts(100).updatesPerStep(0.25).logInterval(100).build())
                        .decoder(FlowMatchingDecoder.builder().hiddenLayers(16, 16).build())
                        .schedule(StageSchedule.of(200, 200).decoderEpochs(1))
                        .decoderRefit(DecoderRefit.builder().dataSize(400).batchSize(128).build())
                        .evalEvery(10_000)
                        .seed(2)
                        .listener(new TrainingListener() {
                            @Override
                            public void onMetrics(Metrics m) {
                                if (m.phase() == Phase.ENCODER) {
                                    encoder.add(m);
                                }
                            }

                            @Override
                            public void onEvaluation(Evaluation e) {
                                evaluations.add(e);
                            }
                        })
                        .build()) {
            TrainingResult result = agent.train();
            assertThat(result.envSteps()).isEqualTo(400);
            // Each stage warms up again: no update before its 100th transition, since the buffer was cleared.
            assertThat(encoder).extracting(m -> m.stage() + "@" + m.step() + ":" + Double.isNaN(m.get("q_loss")))
                    .containsExactly("0@100:true", "0@200:false", "1@300:true", "1@400:false");
            assertThat(evaluations).allMatch(e -> Double.isFinite(e.meanReturn()));
        }
    }
}
