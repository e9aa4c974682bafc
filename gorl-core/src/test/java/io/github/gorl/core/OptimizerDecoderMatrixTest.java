package io.github.gorl.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gorl.api.Evaluation;
import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.FixedSchedule;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingResult;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.core.optim.sac.Sac;
import io.github.gorl.decoders.IdentityDecoder;
import io.github.gorl.decoders.diffusion.DiffusionDecoder;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every optimizer x decoder pair of GoRL, {PPO, SAC} x {flow matching, diffusion, identity}, trained through the
 * real trainer on Pendulum with a small seeded budget, beats the random policy (the prior N(0, I) through the
 * identity decoder, about -1200) by a wide margin.
 *
 * <p>Budgets: PPO (the Pendulum preset: 64x64 critic, unroll 64, 8 minibatches x 8 epochs, reward scale 0.1,
 * gamma 0.99) on 16 envs for 40,960 steps, or 40,960 + 10,240 with a decoder refit (20,480 pairs); SAC (64x64
 * actor and critics, 500 warm-up steps) on 4 envs for 4,000 steps, or 4,000 + 1,000 with a refit (8,000 pairs).
 * Both generative decoders use 64x64 networks; refits use batch 256 and the trainer's default of at least 2,000
 * updates ({@code decoderMinUpdates}), which is what keeps the policy across the refit (docs/decoders.md).
 *
 * <p>Measured with seed 1 (1 PyTorch thread, 2-core CPU shared with other builds, load 4-6; the class took 294 s,
 * the pairs without a refit ran about 1x (PPO) to 2x (SAC) slower than in the earlier 168 s measurement):
 * <pre>
 * pair            before refit   right after refit   end of stage 1   seconds
 * PPO x flow          -124             -155               -144           40
 * PPO x diffusion     -124             -172               -216           35
 * PPO x identity      -124               -                  -            16
 * SAC x flow          -129             -277               -732           83
 * SAC x diffusion     -129             -183               -687           74
 * SAC x identity      -331               -                  -            45
 * </pre>
 * Before {@code decoderMinUpdates} (30-50 epochs at batch 1024: 350-540 updates) the evaluation right after the
 * refit was -809 (PPO x flow), -368 (PPO x diffusion) and -1139..-1323 (SAC): the policy was lost. Thresholds:
 * best evaluation after step 0 above -450 and at least 500 above the step-0 (random) return for every pair; for
 * the generative decoders, the evaluation right after the refit and encoder reset above -450.
 *
 * <p>Known limitation, not asserted: SAC's 1,000 stage-1 steps (500 of warm-up with the prior, then 500 updates)
 * lose ground again after the refit kept the policy; SAC now keeps its critics across the refit, which shortens
 * the dip but does not remove its first 1,000 updates; see docs/sac.md, "Critics across a refit".
 */
class OptimizerDecoderMatrixTest {

    enum Optimizer { PPO, SAC }

    enum Decoder { FLOW, DIFFUSION, IDENTITY }

    enum Pair {
        PPO_FLOW(Optimizer.PPO, Decoder.FLOW),
        PPO_DIFFUSION(Optimizer.PPO, Decoder.DIFFUSION),
        PPO_IDENTITY(Optimizer.PPO, Decoder.IDENTITY),
        SAC_FLOW(Optimizer.SAC, Decoder.FLOW),
        SAC_DIFFUSION(Optimizer.SAC, Decoder.DIFFUSION),
        SAC_IDENTITY(Optimizer.SAC, Decoder.IDENTITY);

        final Optimizer optimizer;
        final Decoder decoder;

        Pair(Optimizer optimizer, Decoder decoder) {
            this.optimizer = optimizer;
            this.decoder = decoder;
        }
    }

    @ParameterizedTest
    @EnumSource(Pair.class)
    void everyPair_improvesPendulumOverTheRandomPolicy(Pair pair) {
        boolean ppo = pair.optimizer == Optimizer.PPO;
        // PPO: 16 envs, ~40k steps; SAC: 4 envs, ~5k steps (one update per step). Two-stage runs split the budget
        // so the decoder refit and the encoder reset happen inside it.
        FixedSchedule schedule = switch (pair.decoder) {
            case IDENTITY -> StageSchedule.single(ppo ? 40_960 : 4_000, 0);
            case FLOW, DIFFUSION -> (ppo ? StageSchedule.of(40_960, 10_240) : StageSchedule.of(4_000, 1_000))
                    .decoderEpochs(ppo ? 30 : 50);
        };
        LatentPolicyOptimizer optimizer = ppo
                ? Ppo.latent().criticLayers(64, 64).unrollLength(64).minibatches(8).epochs(8).rewardScaling(0.1)
                        .gamma(0.99).build()
                : Sac.latent().actorLayers(64, 64).criticLayers(64, 64).learningStarts(500)
                        .bufferCapacity(100_000).build();
        Supplier<GenerativeDecoder> decoder = switch (pair.decoder) {
            case FLOW -> () -> FlowMatchingDecoder.builder().hiddenLayers(64, 64).build();
            case DIFFUSION -> () -> DiffusionDecoder.builder().hiddenLayers(64, 64).build();
            case IDENTITY -> IdentityDecoder::new;
        };
        long start = System.nanoTime();
        try (VectorEnv train = Envs.sync(i -> new Pendulum(), ppo ? 16 : 4);
                VectorEnv eval = Envs.sync(i -> new Pendulum(), 8);
                GoRL agent = GoRL.builder()
                        .env(train)
                        .evalEnv(eval)
                        .optimizer(optimizer)
                        .decoder(decoder.get())
                        .schedule(schedule)
                        .decoderRefit(DecoderRefit.builder().dataSize(ppo ? 20_480 : 8_000).batchSize(256).build())
                        .evalEvery(ppo ? 10_240 : 1_000)
                        .seed(1)
                        .build()) {
            TrainingResult result = agent.train();
            List<Evaluation> curve = result.evaluations();
            double random = curve.get(0).meanReturn();
            double bestAfterStart = curve.stream().filter(e -> e.step() > 0).mapToDouble(Evaluation::meanReturn)
                    .max().orElseThrow();
            System.out.printf("MATRIX %s: random %.1f best %.1f final %.1f, %d steps in %.1f s; curve %s%n", pair,
                    random, bestAfterStart, result.finalEvalReturn(), result.envSteps(),
                    (System.nanoTime() - start) / 1e9,
                    curve.stream().map(e -> String.format("%d/%d:%.0f", e.step(), e.stage(), e.meanReturn())).toList());

            assertThat(curve).allSatisfy(e -> assertThat(e.meanReturn()).isFinite());
            assertThat(random).as("step 0: the prior N(0, I) acts at random").isLessThan(-900);
            assertThat(bestAfterStart).as("%s: best evaluation after step 0", pair)
                    .isGreaterThan(-450)
                    .isGreaterThan(random + 500);
            assertThat(result.envSteps()).isGreaterThanOrEqualTo(schedule.totalEncoderSteps());
            if (pair.decoder != Decoder.IDENTITY) {
                assertThat(curve).as("evaluations after the refit").anyMatch(e -> e.stage() == 1);
                double beforeRefit = curve.stream().filter(e -> e.stage() == 0).reduce((x, y) -> y).orElseThrow()
                        .meanReturn();
                double atRefit = curve.stream().filter(e -> e.stage() == 1).findFirst().orElseThrow().meanReturn();
                System.out.printf("MATRIX %s: before refit %.1f, right after it %.1f%n", pair, beforeRefit, atRefit);
                assertThat(atRefit).as("%s: evaluation right after the refit and encoder reset", pair)
                        .isGreaterThan(-450);
            }
        }
    }
}
