package io.github.gorl.examples;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.DecoderDataset;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.FitOptions;
import io.github.gorl.api.FitResult;
import io.github.gorl.api.Stage;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.TrainingProgress;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The user-written parts of {@link CustomParts} keep their contracts. */
class CustomPartsTest {

    private static final EnvSpec SPEC = new Pendulum().spec();

    @TempDir
    Path temp;

    @Test
    void affineDecoder_isTheExactIdentityAfterResetAndLearnsAShiftedGaussian() throws Exception {
        try (CustomParts.AffineDecoder decoder = new CustomParts.AffineDecoder();
                CustomParts.AffineDecoder copy = new CustomParts.AffineDecoder();
                NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            decoder.initialize(SPEC, Device.cpu(), 1);
            copy.initialize(SPEC, Device.cpu(), 9);
            decoder.resetToIdentity();
            NDArray obs = manager.randomNormal(new Shape(5, 3)).mul(5);
            float[] eps = {-0.0f, 0f, 1e-30f, -3.5f, 7f};
            NDArray decoded = decoder.decode(obs, manager.create(eps, new Shape(5, 1)));
            assertThat(decoded.getShape()).isEqualTo(new Shape(5, 1));
            for (int k = 0; k < eps.length; k++) {
                assertThat(Float.floatToIntBits(decoded.toFloatArray()[k])).isEqualTo(Float.floatToIntBits(eps[k]));
            }

            // Actions ~ N(1, 0.5^2) whatever the state: the fit maps eps = 0 near 1.
            SplittableRandom random = new SplittableRandom(2);
            int n = 2048;
            float[] observations = new float[n * 3];
            float[] actions = new float[n];
            for (int i = 0; i < n; i++) {
                observations[3 * i + 2] = (float) random.nextGaussian();
                actions[i] = (float) (1 + 0.5 * random.nextGaussian());
            }
            FitResult fit = decoder.fit(DecoderDataset.of(3, 1, observations, actions),
                    new FitOptions(30, 3e-3, 256, 1, 0, 1, 3), TrainingListener.NONE);
            assertThat(fit.trainLoss()).isFinite();
            NDArray seen = manager.create(java.util.Arrays.copyOf(observations, 300), new Shape(100, 3));
            float median = decoder.decode(seen, manager.zeros(new Shape(100, 1))).mean().getFloat();
            assertThat(median).isBetween(0.8f, 1.2f);
            assertThat(decoder.sample(obs, 7).getShape()).isEqualTo(new Shape(5, 7, 1));

            decoder.save(temp);
            copy.load(temp);
            NDArray latents = manager.randomNormal(new Shape(5, 1));
            assertThat(copy.decode(obs, latents).toFloatArray()).containsExactly(decoder.decode(obs, latents)
                    .toFloatArray());
        }
    }

    @Test
    void crossEntropyOptimizer_startsAtThePriorAndImprovesItsScores() throws Exception {
        EnvSpec latent = SPEC.latent(1);
        try (CustomParts.CrossEntropyOptimizer cem = new CustomParts.CrossEntropyOptimizer();
                CustomParts.CrossEntropyOptimizer copy = new CustomParts.CrossEntropyOptimizer();
                VectorEnv env = Envs.sync(i -> new Pendulum(), 16);
                NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            cem.initialize(latent, Device.cpu(), 1);
            cem.resetToPrior();
            cem.beginStage(new Stage(1000, 0, 1e-3, 0.3, 1.0));
            NDArray obs = manager.randomNormal(new Shape(4, 3));
            assertThat(cem.act(obs, true).toFloatArray()).containsOnly(0f);
            assertThat(cem.act(obs, false).getShape()).isEqualTo(new Shape(4, 1));
            java.util.List<Double> returns = new java.util.ArrayList<>();
            long taken = cem.learn(env, 16 * 200 * 12, new TrainingListener() {
                @Override
                public void onMetrics(io.github.gorl.api.Metrics m) {
                    returns.add(m.get("train_episode_return"));
                }
            });
            assertThat(taken).isEqualTo(16 * 200 * 12);
            assertThat(returns).hasSize(12);
            assertThat(returns.get(11)).isGreaterThan(returns.get(0));

            cem.save(temp);
            copy.initialize(latent, Device.cpu(), 5);
            copy.resetToPrior();
            copy.load(temp);
            assertThat(copy.act(obs, true).toFloatArray()).containsExactly(cem.act(obs, true).toFloatArray());
            cem.resetToPrior();
            assertThat(cem.act(obs, true).toFloatArray()).containsOnly(0f);
        }
    }

    @Test
    void driftSchedule_endsAPhaseOnceTheKlPassesItsBound_andGivesThePapersKnobs() {
        CustomParts.DriftSchedule schedule = new CustomParts.DriftSchedule(3, 100_000, 2_000, 1.0, 10);
        Stage first = schedule.next(view(0, OptionalDouble.empty())).orElseThrow();
        assertThat(first).isEqualTo(StageSchedule.paperStage(0, 100_000));
        Stage second = schedule.next(view(1, OptionalDouble.empty())).orElseThrow();
        assertThat(second.decoderEpochs()).isEqualTo(10);
        assertThat(second.klBeta()).isEqualTo(StageSchedule.LATER_STAGE_KL_BETA);
        assertThat(schedule.next(view(3, OptionalDouble.empty()))).isEmpty();
        assertThat(schedule.endEncoderPhase(view(1, OptionalDouble.of(0.4)))).isFalse();
        assertThat(schedule.endEncoderPhase(view(1, OptionalDouble.empty()))).isFalse();
        assertThat(schedule.endEncoderPhase(view(1, OptionalDouble.of(1.3)))).isTrue();
        // Not before minStageSteps steps of the stage.
        assertThat(schedule.endEncoderPhase(new TrainingProgress(1, 5_000, 4_000, List.of(), List.of(),
                Optional.empty(), OptionalDouble.of(1.3)))).isFalse();
        assertThat(schedule.maxEncoderSteps()).isEqualTo(300_000);
    }

    private static TrainingProgress view(int stage, OptionalDouble kl) {
        return new TrainingProgress(stage, 5_000, 2_000, List.of(), List.of(), Optional.empty(), kl);
    }
}
