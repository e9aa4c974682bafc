package io.github.gorl.examples;

import io.github.gorl.core.optim.ppo.Ppo;
import java.util.Locale;

/**
 * Per-task defaults of the command line: budgets and PPO settings that fit a 2-core CPU. The library's own
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
            case "pendulum" -> ppo.rewardScaling(0.1).gamma(0.99);
            case "bimodalbandit" -> ppo.rewardScaling(1.0).unrollLength(4);
            default -> ppo.rewardScaling(10);
        };
    }
}
