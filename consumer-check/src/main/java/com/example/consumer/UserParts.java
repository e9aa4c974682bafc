package com.example.consumer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.Stage;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.TrainingProgress;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.core.DecoderRefit;
import io.github.gorl.core.GoRL;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a user writes against gorl-java's exported API: a schedule, an optimizer (with nothing but gorl-api), and an
 * agent composed of them and built-in parts. Compiled, not run: the build checks that these types are exported and
 * that nothing but the declared dependencies is needed.
 */
public final class UserParts {

    private UserParts() {}

    /** Two stages; the first ends once an evaluation beats -200. */
    static final class UntilGoodEnough implements StageSchedule {
        @Override
        public Optional<Stage> next(TrainingProgress run) {
            return run.stage() < 2 ? Optional.of(StageSchedule.paperStage(run.stage(), 50_000)) : Optional.empty();
        }

        @Override
        public boolean endEncoderPhase(TrainingProgress run) {
            return run.lastEvaluation().map(e -> e.meanReturn() > -200).orElse(false);
        }

        @Override
        public long maxEncoderSteps() {
            return 100_000;
        }

        @Override
        public int maxStages() {
            return 2;
        }
    }

    /** An optimizer that always acts with the prior's mean: the smallest valid implementation. */
    static final class PriorMean implements LatentPolicyOptimizer {
        private EnvSpec spec;

        @Override
        public void initialize(EnvSpec latentSpec, Device device, long seed) {
            spec = latentSpec;
        }

        @Override
        public void resetToPrior() {}

        @Override
        public void beginStage(Stage stage) {}

        @Override
        public long learn(VectorEnv latentEnv, long envSteps, TrainingListener listener) {
            return envSteps;
        }

        @Override
        public NDArray act(NDArray observations, boolean deterministic) {
            return observations.getManager().zeros(new ai.djl.ndarray.types.Shape(
                    observations.getShape().get(0), spec.actionDim()));
        }

        @Override
        public double klWeight() {
            return 0;
        }

        @Override
        public String name() {
            return "prior-mean";
        }

        @Override
        public Map<String, Object> config() {
            return Map.of();
        }

        @Override
        public void save(Path directory) {}

        @Override
        public void load(Path directory) {}

        @Override
        public void close() {}
    }

    /**
     * Builds an agent from built-in and user parts.
     *
     * @param user whether to use the user optimizer instead of latent PPO
     * @return the agent; the caller closes it and the environments
     */
    static GoRL agent(boolean user) {
        VectorEnv train = Envs.sync(i -> new Pendulum(), 4);
        VectorEnv eval = Envs.sync(i -> new Pendulum(), 2);
        return GoRL.builder()
                .env(train)
                .evalEnv(eval)
                .optimizer(user ? new PriorMean() : Ppo.latent().criticLayers(64, 64).build())
                .decoder(FlowMatchingDecoder.builder().hiddenLayers(64, 64).build())
                .schedule(new UntilGoodEnough())
                .decoderRefit(DecoderRefit.builder().dataSize(20_000).batchSize(1024).build())
                .build();
    }
}
