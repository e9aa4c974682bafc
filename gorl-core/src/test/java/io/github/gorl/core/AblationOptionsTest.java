package io.github.gorl.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
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
import io.github.gorl.decoders.IdentityDecoder;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The ablation options of the trainer, checked on what they change, not through returns. */
class AblationOptionsTest {

    private static VectorEnv pendulums(int n) {
        return Envs.sync(i -> new Pendulum(), n);
    }

    @Test
    void decoderSourceEncoder_fitsOnExactlyTheLatentsTheEncoderSampledForEachAction() {
        SamplingOptimizer optimizer = new SamplingOptimizer();
        CapturingDecoder decoder = new CapturingDecoder();
        try (VectorEnv env = pendulums(4); VectorEnv eval = pendulums(2);
                GoRL agent = GoRL.builder().env(env).evalEnv(eval).optimizer(optimizer).decoder(decoder)
                        .schedule(StageSchedule.of(200, 200).decoderEpochs(1)).decoderDataSize(300)
                        .evalEvery(10_000).decoderSource(DecoderSource.ENCODER).build()) {
            agent.train();
        }
        assertThat(decoder.datasets).hasSize(1);
        DecoderDataset data = decoder.datasets.get(0);
        assertThat(data.size()).isEqualTo(300);
        float[] latents = data.latents();
        assertThat(latents).isNotNull().hasSize(300);
        int clipped = 0;
        for (int i = 0; i < data.size(); i++) {
            float[] sampled = optimizer.sampledFor(Arrays.copyOfRange(data.observations(), 3 * i, 3 * i + 3));
            assertThat(sampled).as("the encoder sampled a latent for row %d's observation", i).isNotNull();
            assertThat(latents[i]).isEqualTo(sampled[0]);
            // The identity decoder makes the action the latent, clipped to Pendulum's [-2, 2]: the latent is kept
            // unclipped.
            assertThat(data.actions()[i]).isEqualTo(Math.max(-2f, Math.min(2f, sampled[0])));
            clipped += Math.abs(sampled[0]) > 2 ? 1 : 0;
        }
        assertThat(clipped).isPositive();
    }

    @Test
    void decoderSourcePrior_fitsWithoutLatents_andIsTheDefault() {
        for (DecoderSource source : new DecoderSource[] {null, DecoderSource.PRIOR}) {
            CapturingDecoder decoder = new CapturingDecoder();
            try (VectorEnv env = pendulums(4); VectorEnv eval = pendulums(2)) {
                GoRL.Builder builder = GoRL.builder().env(env).evalEnv(eval).optimizer(new SamplingOptimizer())
                        .decoder(decoder).schedule(StageSchedule.of(200, 200).decoderEpochs(1))
                        .decoderDataSize(300).evalEvery(10_000);
                if (source != null) {
                    builder.decoderSource(source);
                }
                try (GoRL agent = builder.build()) {
                    agent.train();
                    assertThat(agent.describe().toString()).contains("decoderSource=prior");
                }
            }
            assertThat(decoder.datasets).hasSize(1);
            assertThat(decoder.datasets.get(0).latents()).isNull();
        }
        assertThatThrownBy(() -> GoRL.builder().decoderSource(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("decoderSource");
    }

    @Test
    void freezeDecoderAfter_stopsRefitsAndResetsAfterThatStage_whileTheEncoderKeepsLearning() {
        ScriptedOptimizer optimizer = new ScriptedOptimizer();
        CapturingDecoder decoder = new CapturingDecoder();
        StageSchedule schedule = StageSchedule.of(200, 200, 200, 200).decoderEpochs(3).freezeDecoderAfter(1);
        try (VectorEnv env = pendulums(4); VectorEnv eval = pendulums(2);
                GoRL agent = GoRL.builder().env(env).evalEnv(eval).optimizer(optimizer).decoder(decoder)
                        .schedule(schedule).decoderDataSize(100).evalEvery(10_000).build()) {
            agent.train();
        }
        // One refit, before stage 1; stages 2 and 3 learn on that decoder with no reset of the encoder.
        assertThat(decoder.datasets).hasSize(1);
        assertThat(String.join(",", optimizer.calls)).isEqualTo("initialize,resetToPrior,resetToPrior,beginStage,"
                + "learn,resetToPrior,beginStage,learn,beginStage,learn,beginStage,learn");
        assertThat(schedule.stages().stream().map(Stage::decoderEpochs).toList()).containsExactly(0, 3, 0, 0);
        assertThatThrownBy(() -> schedule.freezeDecoderAfter(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("freezeDecoderAfter").hasMessageContaining("-1");
    }

    /** Samples latents {@code 3 * N(0, 1)} per row and remembers which latent it sampled for which observation. */
    private static final class SamplingOptimizer implements LatentPolicyOptimizer {
        private final ScriptedOptimizer scripted = new ScriptedOptimizer();
        private final SplittableRandom random = new SplittableRandom(5);
        private final Map<ByteBuffer, float[]> sampled = new HashMap<>();
        private int latentDim;
        private int observationDim;

        float[] sampledFor(float[] observation) {
            return sampled.get(key(observation));
        }

        private static ByteBuffer key(float[] row) {
            ByteBuffer b = ByteBuffer.allocate(4 * row.length);
            for (float v : row) {
                b.putFloat(v);
            }
            return b.flip();
        }

        @Override
        public void initialize(EnvSpec latentSpec, Device device, long seed) {
            latentDim = latentSpec.actionDim();
            observationDim = latentSpec.observationDim();
            scripted.initialize(latentSpec, device, seed);
        }

        @Override
        public void resetToPrior() {
            scripted.resetToPrior();
        }

        @Override
        public void beginStage(Stage stage) {
            scripted.beginStage(stage);
        }

        @Override
        public long learn(VectorEnv latentEnv, long envSteps, TrainingListener listener) {
            return scripted.learn(latentEnv, envSteps, listener);
        }

        @Override
        public NDArray act(NDArray observations, boolean deterministic) {
            int rows = Math.toIntExact(observations.getShape().get(0));
            if (deterministic) {
                return observations.getManager().zeros(new Shape(rows, latentDim));
            }
            float[] obs = observations.toFloatArray();
            float[] latents = new float[rows * latentDim];
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < latentDim; j++) {
                    latents[r * latentDim + j] = (float) (3 * random.nextGaussian());
                }
                sampled.put(key(Arrays.copyOfRange(obs, r * observationDim, (r + 1) * observationDim)),
                        Arrays.copyOfRange(latents, r * latentDim, (r + 1) * latentDim));
            }
            return observations.getManager().create(latents, new Shape(rows, latentDim));
        }

        @Override
        public double klToPrior() {
            return 0;
        }

        @Override
        public String name() {
            return "sampling";
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

    /** The identity decoder, keeping every dataset the trainer fits it on. */
    private static final class CapturingDecoder implements GenerativeDecoder {
        final List<DecoderDataset> datasets = new ArrayList<>();
        private final IdentityDecoder identity = new IdentityDecoder();

        @Override
        public void initialize(EnvSpec spec, Device device, long seed) {
            identity.initialize(spec, device, seed);
        }

        @Override
        public void resetToIdentity() {
            identity.resetToIdentity();
        }

        @Override
        public NDArray decode(NDArray observations, NDArray latents) {
            return identity.decode(observations, latents);
        }

        @Override
        public NDArray sample(NDArray observations, int samplesPerObservation) {
            return identity.sample(observations, samplesPerObservation);
        }

        @Override
        public FitResult fit(DecoderDataset data, FitOptions options, TrainingListener listener) {
            datasets.add(data);
            return new FitResult(options.epochs(), 0, 0, 0, false);
        }

        @Override
        public String name() {
            return "capturing";
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
            identity.close();
        }
    }
}
