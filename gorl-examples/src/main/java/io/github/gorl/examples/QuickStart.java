package io.github.gorl.examples;

import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingResult;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.core.GoRL;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.core.train.Listeners;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.util.Arrays;

/**
 * The README's code example, kept here so that it always compiles: GoRL with latent PPO and a
 * flow-matching decoder on Pendulum. Run it with {@code ./gorl quickstart} or from an IDE.
 */
public final class QuickStart {

    private QuickStart() {}

    /**
     * Trains a small GoRL agent and prints its action for one observation.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        // README snippet begins
        try (VectorEnv train = Envs.threaded(i -> new Pendulum(), 16);
                VectorEnv eval = Envs.sync(i -> new Pendulum(), 8);
                GoRL agent = GoRL.builder()
                        .env(train)
                        .evalEnv(eval)
                        .optimizer(Ppo.latent().rewardScaling(0.1).build())
                        .decoder(FlowMatchingDecoder.builder().hiddenLayers(64, 64, 64, 64).steps(10).build())
                        .schedule(StageSchedule.scaled(200_000).decoderEpochs(20))
                        .seed(1)
                        .listener(Listeners.progressBar())
                        .build()) {
            TrainingResult result = agent.train();
            float[] action = agent.policy().act(new float[] {1f, 0f, 0f});
            System.out.println("final return " + result.finalEvalReturn() + ", action " + Arrays.toString(action));
        }
        // README snippet ends
    }
}
