package io.github.gorl.core;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.DecoderDataset;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.FitOptions;
import io.github.gorl.api.FitResult;
import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.Stage;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.decoders.diffusion.DiffusionDecoder;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BinaryOperator;
import org.junit.jupiter.api.Test;

/** The trainer rejects a user decoder or optimizer that breaks its contract when the agent is built. */
class ContractCheckTest {

    private static GoRL.Builder agent(VectorEnv env, VectorEnv eval) {
        return GoRL.builder().env(env).evalEnv(eval).optimizer(new ScriptedOptimizer())
                .schedule(StageSchedule.of(100, 100).decoderEpochs(1));
    }

    private static VectorEnv pendulums() {
        return Envs.sync(i -> new Pendulum(), 2);
    }

    @Test
    void build_decoderWithWrongOutputShape_isRejectedNamingExpectedAndActualShape() {
        UserDecoder decoder = new UserDecoder((s, eps) -> NDArrays.concat(new NDList(eps, eps), 1));
        try (VectorEnv env = pendulums(); VectorEnv eval = pendulums()) {
            assertThatThrownBy(() -> agent(env, eval).decoder(decoder).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("decoder 'user'")
                    .hasMessageContaining("must return shape (3, 1)")
                    .hasMessageContaining("got (3, 2)");
        }
    }

    @Test
    void build_decoderThatIsNotTheIdentityAfterReset_isRejected() {
        // The reference code's stage-0 diffusion decoder scales eps by about 1.05 instead of copying it.
        UserDecoder decoder = new UserDecoder((s, eps) -> eps.mul(1.05f));
        try (VectorEnv env = pendulums(); VectorEnv eval = pendulums()) {
            assertThatThrownBy(() -> agent(env, eval).decoder(decoder).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("decoder 'user'")
                    .hasMessageContaining("after resetToIdentity(), decode(s, eps) must equal eps exactly");
        }
    }

    @Test
    void build_decoderThatThrows_isRejectedWithTheCause() {
        UserDecoder decoder = new UserDecoder((s, eps) -> {
            throw new IllegalStateException("forgot to initialize the network");
        });
        try (VectorEnv env = pendulums(); VectorEnv eval = pendulums()) {
            assertThatThrownBy(() -> agent(env, eval).decoder(decoder).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("failed to decode a dummy batch")
                    .hasMessageContaining("forgot to initialize the network");
        }
    }

    @Test
    void build_optimizerWithWrongActShape_isRejectedNamingExpectedAndActualShape() {
        FlatActOptimizer optimizer = new FlatActOptimizer();
        try (VectorEnv env = pendulums(); VectorEnv eval = pendulums()) {
            assertThatThrownBy(() -> agent(env, eval).optimizer(optimizer).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("optimizer 'flat'")
                    .hasMessageContaining("must return shape (3, 1)")
                    .hasMessageContaining("got (3)");
        }
    }

    @Test
    void build_withTheBuiltInDecoders_passesTheCheck() {
        for (GenerativeDecoder decoder : new GenerativeDecoder[] {
            FlowMatchingDecoder.builder().hiddenLayers(8).build(), DiffusionDecoder.builder().hiddenLayers(8).build(),
            new UserDecoder((s, eps) -> eps.duplicate())}) {
            try (VectorEnv env = pendulums(); VectorEnv eval = pendulums()) {
                assertThatCode(() -> agent(env, eval).decoder(decoder).build().close()).doesNotThrowAnyException();
            }
        }
    }

    /** A user-written optimizer whose act forgets the latent axis: {@code [batch]} instead of {@code [batch, 1]}. */
    private static final class FlatActOptimizer implements LatentPolicyOptimizer {
        private final ScriptedOptimizer delegate = new ScriptedOptimizer();

        @Override
        public void initialize(EnvSpec latentSpec, Device device, long seed) {
            delegate.initialize(latentSpec, device, seed);
        }

        @Override
        public void resetToPrior() {}

        @Override
        public void beginStage(Stage stage) {}

        @Override
        public long learn(VectorEnv latentEnv, long envSteps, TrainingListener listener) {
            return delegate.learn(latentEnv, envSteps, listener);
        }

        @Override
        public NDArray act(NDArray observations, boolean deterministic) {
            return observations.getManager().zeros(new Shape(observations.getShape().get(0)));
        }

        @Override
        public double klWeight() {
            return 0;
        }

        @Override
        public String name() {
            return "flat";
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

    /** A user-written decoder whose decode is given as a function; otherwise it does nothing. */
    static final class UserDecoder implements GenerativeDecoder {
        private final BinaryOperator<NDArray> decode;
        boolean closed;

        UserDecoder(BinaryOperator<NDArray> decode) {
            this.decode = decode;
        }

        @Override
        public void initialize(EnvSpec spec, Device device, long seed) {}

        @Override
        public void resetToIdentity() {}

        @Override
        public NDArray decode(NDArray observations, NDArray latents) {
            return decode.apply(observations, latents);
        }

        @Override
        public NDArray sample(NDArray observations, int samplesPerObservation) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FitResult fit(DecoderDataset data, FitOptions options, TrainingListener listener) {
            return new FitResult(0, 0, 0, 0, false);
        }

        @Override
        public String name() {
            return "user";
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
        public void close() {
            closed = true;
        }
    }
}
