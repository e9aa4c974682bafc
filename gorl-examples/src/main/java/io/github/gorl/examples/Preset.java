package io.github.gorl.examples;

import io.github.gorl.core.baselines.BaselineBuilder;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.core.optim.sac.Sac;
import java.util.Locale;

/**
 * Per-task defaults of the command line: budgets and PPO and SAC settings that fit a 2-core CPU. The library's own
 * builder defaults stay the paper's; these scale them down where the paper's (2048 envs, 5x256 critic,
 * 16 epochs of 32 minibatches) would take days on a CPU.
 *
 * @param steps total encoder environment steps
 * @param envs parallel training environments
 * @param decoderEpochs epochs per decoder refit
 * @param decoderData {@code (s, a)} pairs per decoder refit
 * @param decoderBatch decoder minibatch size
 */
record Preset(long steps, int envs, int decoderEpochs, int decoderData, int decoderBatch) {

    static Preset forTask(String task) {
        return switch (task.toLowerCase(Locale.ROOT)) {
            case "pendulum" -> new Preset(300_000, 16, 30, 40_000, 1024);
            case "bimodalbandit" -> new Preset(60_000, 64, 30, 20_000, 1024);
            default -> new Preset(1_000_000, 16, 20, 100_000, 4096);
        };
    }

    /** The PPO builder for this preset; the task decides the reward scale (Pendulum's rewards are ~-16 per step). */
    Ppo.Builder ppo(String task) {
        Ppo.Builder ppo = Ppo.latent().criticLayers(64, 64).unrollLength(64).minibatches(8).epochs(8);
        return switch (task.toLowerCase(Locale.ROOT)) {
            // Pendulum keeps the critic across stages: the refit decoder keeps the composed policy, so its value
            // function stays valid, and a fresh critic destabilized the short later stages (seed 1, 300k steps:
            // stages 1-3 between -107 and -225 and final -230 with the critic kept, versus -150 to -543 and
            // final -389 with the paper's reset).
            case "pendulum" -> ppo.rewardScaling(0.1).gamma(0.99).resetCriticOnStage(false);
            case "bimodalbandit" -> ppo.rewardScaling(1.0).unrollLength(4);
            default -> ppo.rewardScaling(10);
        };
    }

    /**
     * An FPO or DPPO builder with this preset's PPO settings (critic, unroll, minibatches, epochs, reward scale).
     *
     * @param builder {@code Fpo.builder()} or {@code Dppo.builder()}
     * @param task the task name
     * @param <B> the builder type
     * @return the builder
     */
    <B extends BaselineBuilder<B>> B baseline(B builder, String task) {
        B b = builder.criticLayers(64, 64).unrollLength(64).minibatches(8).epochs(8);
        return switch (task.toLowerCase(Locale.ROOT)) {
            case "pendulum" -> b.rewardScaling(0.1).gamma(0.99);
            case "bimodalbandit" -> b.rewardScaling(1.0).unrollLength(4);
            default -> b.rewardScaling(10);
        };
    }

    /**
     * This preset with SAC's budget: SAC takes one gradient update per environment step, so it needs far fewer
     * steps than PPO (Pendulum: about 5k steps of plain SAC reach -200) but each costs more on a CPU.
     */
    Preset sacBudget(String task) {
        return switch (task.toLowerCase(Locale.ROOT)) {
            case "pendulum" -> new Preset(20_000, 4, decoderEpochs, 20_000, decoderBatch);
            case "bimodalbandit" -> new Preset(5_000, 4, decoderEpochs, 5_000, decoderBatch);
            default -> new Preset(200_000, 4, decoderEpochs, decoderData, decoderBatch);
        };
    }

    /**
     * The SAC builder for this preset: small networks and a short warm-up on the pure-Java tasks (the buffer is
     * cleared each stage, so each stage warms up again), SAC's usual 256 x 2 networks on the DMControl tasks.
     */
    Sac.Builder sac(String task) {
        return switch (task.toLowerCase(Locale.ROOT)) {
            case "pendulum", "bimodalbandit" -> Sac.latent().actorLayers(64, 64).criticLayers(64, 64)
                    .learningStarts(1_000).bufferCapacity(100_000);
            default -> Sac.latent().learningStarts(5_000).bufferCapacity(1_000_000);
        };
    }
}
