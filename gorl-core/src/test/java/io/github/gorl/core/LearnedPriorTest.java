package io.github.gorl.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.DecoderDataset;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.FitOptions;
import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.decoders.diffusion.DiffusionDecoder;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The learnable-prior ablation ({@link DecoderSource#LEARNED_PRIOR}): the prior, its fit and the decoder wrapper. */
class LearnedPriorTest {

    private static final Device CPU = Device.cpu();
    private static final EnvSpec SPEC = EnvSpec.symmetric("toy", 1, 1, 10f, 100);

    @TempDir
    Path temp;

    /** States on a grid of 4 values in [-0.75, 0.75], latents {@code 2 s + 0.5 z}. */
    private static DecoderDataset stateDependentLatents(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] obs = new float[n];
        float[] latents = new float[n];
        for (int i = 0; i < n; i++) {
            obs[i] = -0.75f + 0.5f * (i % 4);
            latents[i] = (float) (2 * obs[i] + 0.5 * random.nextGaussian());
        }
        // Actions are irrelevant to the prior; any finite values do.
        return DecoderDataset.of(1, 1, obs, latents.clone()).withLatents(latents);
    }

    private static FitOptions quickFit() {
        return new FitOptions(1, 1e-3, 1024, 1, 0.0, 1, 3);
    }

    @Test
    void freshWrapper_decodesAndSamplesExactlyLikeItsDecoder_andIsTheIdentityAfterReset() {
        List<Supplier<GenerativeDecoder>> kinds = List.of(
                () -> FlowMatchingDecoder.builder().hiddenLayers(16, 16).steps(4).build(),
                () -> DiffusionDecoder.builder().hiddenLayers(16, 16).steps(4).build());
        EnvSpec spec = EnvSpec.symmetric("toy", 3, 2, 1f, 100);
        for (Supplier<GenerativeDecoder> kind : kinds) {
            try (GenerativeDecoder plain = kind.get();
                    LearnedPriorDecoder wrapped = new LearnedPriorDecoder(kind.get());
                    NDManager m = NDManager.newBaseManager(CPU)) {
                plain.initialize(spec, CPU, 11);
                wrapped.initialize(spec, CPU, 11);
                NDArray s = m.create(new float[] {0.1f, -0.4f, 2f, 1f, 0f, -3f}, new Shape(2, 3));
                NDArray eps = m.create(new float[] {0.3f, -1.2f, 2.5f, 0.7f}, new Shape(2, 2));
                // Before any reset both output layers are random: a non-trivial map, and still identical.
                float[] expected = plain.decode(s, eps).toFloatArray();
                assertThat(expected).isNotEqualTo(eps.toFloatArray());
                assertThat(wrapped.decode(s, eps).toFloatArray()).containsExactly(expected);
                assertThat(wrapped.sample(s, 5).toFloatArray()).containsExactly(plain.sample(s, 5).toFloatArray());
                wrapped.resetToIdentity();
                assertThat(wrapped.decode(s, eps).toFloatArray()).containsExactly(eps.toFloatArray());
            }
        }
    }

    @Test
    void priorFit_recoversAKnownStateDependentGaussian() {
        int n = 8192;
        SplittableRandom random = new SplittableRandom(1);
        float[] obs = new float[n];
        float[] eps = new float[2 * n];
        for (int i = 0; i < n; i++) {
            float s = (float) (2 * random.nextDouble() - 1);
            obs[i] = s;
            eps[2 * i] = (float) (2 * s + 0.5 * random.nextGaussian());
            eps[2 * i + 1] = (float) (-1 + (0.2 + 0.3 * (s + 1)) * random.nextGaussian());
        }
        try (NDManager m = NDManager.newBaseManager(CPU); GaussianPrior prior = new GaussianPrior(m, 1, 2, 5)) {
            assertThat(prior.isStandard()).isTrue();
            double nll = prior.fit(obs, eps, n, 1024, 9);
            assertThat(prior.isStandard()).isFalse();
            float[] grid = {-0.75f, -0.25f, 0.25f, 0.75f};
            NDArray[] ms = prior.meanStd(m.create(grid, new Shape(4, 1)));
            float[] mean = ms[0].toFloatArray();
            float[] std = ms[1].toFloatArray();
            for (int k = 0; k < grid.length; k++) {
                assertThat(mean[2 * k]).as("mu_0 at s=%s", grid[k]).isCloseTo(2 * grid[k], within(0.1f));
                assertThat(std[2 * k]).as("sigma_0 at s=%s", grid[k]).isCloseTo(0.5f, within(0.05f));
                assertThat(mean[2 * k + 1]).as("mu_1 at s=%s", grid[k]).isCloseTo(-1f, within(0.1f));
                assertThat(std[2 * k + 1]).as("sigma_1 at s=%s", grid[k])
                        .isCloseTo(0.2f + 0.3f * (grid[k] + 1), within(0.06f));
            }
            // The true conditional's NLL per row: sum over dims of log(sigma) + log(2 pi e) / 2, averaged over s.
            double trueNll = Math.log(0.5) + 0.5 * Math.log(2 * Math.PI * Math.E)
                    + 0.5 * Math.log(2 * Math.PI * Math.E);
            double logSigma1 = 0;
            for (int k = 0; k < 1000; k++) {
                logSigma1 += Math.log(0.2 + 0.3 * ((k + 0.5) / 500.0)) / 1000;
            }
            assertThat(nll).isCloseTo(trueNll + logSigma1, within(0.1));
        }
    }

    @Test
    void logSigma_isClampedToTheDocumentedRange() throws IOException {
        try (NDManager m = NDManager.newBaseManager(CPU); GaussianPrior prior = new GaussianPrior(m, 1, 1, 5)) {
            NDArray s = m.create(new float[] {0.5f}, new Shape(1, 1));
            assertThat(prior.meanStd(s)[1].toFloatArray()).containsExactly(1f);
            Map<String, float[]> state = new java.util.LinkedHashMap<>(prior.state());
            // The output bias is the last parameter: [mu, log sigma].
            for (float raw : new float[] {-50f, 50f}) {
                state.put("network.5", new float[] {0f, raw});
                prior.restore(state, temp.resolve("x"));
                float clamped = (float) Math.exp(raw < 0 ? GaussianPrior.MIN_LOG_STD : GaussianPrior.MAX_LOG_STD);
                assertThat(prior.meanStd(s)[1].getFloat()).isCloseTo(clamped, within(1e-6f));
            }
        }
    }

    @Test
    void refit_fitsThePriorToTheEncoderLatents_andTrainsTheDecoderOnFreshSamplesOfIt() {
        CapturingDecoder recording = new CapturingDecoder();
        try (LearnedPriorDecoder wrapped = new LearnedPriorDecoder(recording); NDManager m = NDManager.newBaseManager(
                CPU)) {
            wrapped.initialize(SPEC, CPU, 3);
            wrapped.resetToIdentity();
            DecoderDataset data = stateDependentLatents(8000, 4);
            wrapped.fit(data, quickFit(), TrainingListener.NONE);

            assertThat(recording.datasets).hasSize(1);
            DecoderDataset seen = recording.datasets.get(0);
            assertThat(seen.actions()).isSameAs(data.actions());
            // The decoder gets no fixed latents (nothing ties a source point to an action) but a per-pair Gaussian
            // source, drawn afresh at every use, whose mean and std are the learned prior's at the pair's state.
            assertThat(seen.latents()).isNull();
            float[] sourceMean = seen.sourceMean();
            float[] sourceStd = seen.sourceStd();
            float[] grid = {-0.75f, -0.25f, 0.25f, 0.75f};
            NDArray[] ms = wrapped.prior().meanStd(m.create(grid, new Shape(4, 1)));
            float[] mu = ms[0].toFloatArray();
            float[] sigma = ms[1].toFloatArray();
            for (int k = 0; k < 4; k++) {
                assertThat(mu[k]).as("learned mu at s=%s", grid[k]).isCloseTo(2 * grid[k], within(0.1f));
                assertThat(sigma[k]).as("learned sigma at s=%s", grid[k]).isCloseTo(0.5f, within(0.05f));
                for (int i = k; i < data.size(); i += 4) {
                    assertThat(sourceMean[i]).as("source mean of pair %s", i).isCloseTo(mu[k], within(1e-4f));
                    assertThat(sourceStd[i]).as("source std of pair %s", i).isCloseTo(sigma[k], within(1e-4f));
                }
            }
            // The wrapper now decodes eps' through the prior: with g the identity, decode(s, eps') = mu + sigma eps'.
            NDArray s = m.create(grid, new Shape(4, 1));
            float[] decoded = wrapped.decode(s, m.ones(new Shape(4, 1))).toFloatArray();
            for (int k = 0; k < 4; k++) {
                assertThat(decoded[k]).isCloseTo(mu[k] + sigma[k], within(1e-5f));
            }

            // The next refit maps the encoder latents through the old prior: an encoder still at N(0, I) in eps'
            // means p_psi in eps, so the prior stays where it is.
            SplittableRandom random = new SplittableRandom(8);
            float[] standard = new float[data.size()];
            for (int i = 0; i < standard.length; i++) {
                standard[i] = (float) random.nextGaussian();
            }
            wrapped.fit(DecoderDataset.of(1, 1, data.observations(), data.actions()).withLatents(standard),
                    quickFit(), TrainingListener.NONE);
            NDArray[] again = wrapped.prior().meanStd(m.create(grid, new Shape(4, 1)));
            float[] mu2 = again[0].toFloatArray();
            float[] sigma2 = again[1].toFloatArray();
            for (int k = 0; k < 4; k++) {
                assertThat(mu2[k]).isCloseTo(2 * grid[k], within(0.1f));
                assertThat(sigma2[k]).isCloseTo(0.5f, within(0.05f));
            }
        }
    }

    @Test
    void refit_withoutLatents_isRejected_andAFailedDecoderFitRestoresThePrior() {
        CapturingDecoder recording = new CapturingDecoder();
        try (LearnedPriorDecoder wrapped = new LearnedPriorDecoder(recording)) {
            wrapped.initialize(SPEC, CPU, 3);
            wrapped.resetToIdentity();
            DecoderDataset data = stateDependentLatents(512, 4);
            assertThatThrownBy(() -> wrapped.fit(DecoderDataset.of(1, 1, data.observations(), data.actions()),
                    quickFit(), TrainingListener.NONE)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("latents");
            recording.failNextFit = true;
            assertThatThrownBy(() -> wrapped.fit(data, quickFit(), TrainingListener.NONE))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("scripted failure");
            assertThat(wrapped.prior().isStandard()).isTrue();
        }
    }

    @Test
    void saveAndLoad_roundTripThePriorAndTheDecoder_andRefuseACheckpointWithoutPrior() throws IOException {
        EnvSpec spec = EnvSpec.symmetric("toy", 1, 1, 10f, 100);
        Path dir = Files.createDirectories(temp.resolve("decoder"));
        float[] expected;
        try (LearnedPriorDecoder wrapped = new LearnedPriorDecoder(FlowMatchingDecoder.builder().hiddenLayers(16, 16)
                .steps(4).build()); NDManager m = NDManager.newBaseManager(CPU)) {
            wrapped.initialize(spec, CPU, 3);
            wrapped.resetToIdentity();
            wrapped.fit(stateDependentLatents(2048, 4), quickFit(), TrainingListener.NONE);
            expected = wrapped.decode(m.create(new float[] {-0.5f, 0.2f, 0.9f}, new Shape(3, 1)),
                    m.create(new float[] {1f, -0.3f, 0.4f}, new Shape(3, 1))).toFloatArray();
            wrapped.save(dir);
        }
        assertThat(dir.resolve(LearnedPriorDecoder.PRIOR_FILE)).exists();
        try (LearnedPriorDecoder loaded = new LearnedPriorDecoder(FlowMatchingDecoder.builder().hiddenLayers(16, 16)
                .steps(4).build()); NDManager m = NDManager.newBaseManager(CPU)) {
            loaded.initialize(spec, CPU, 99);
            loaded.resetToIdentity();
            loaded.load(dir);
            float[] actual = loaded.decode(m.create(new float[] {-0.5f, 0.2f, 0.9f}, new Shape(3, 1)),
                    m.create(new float[] {1f, -0.3f, 0.4f}, new Shape(3, 1))).toFloatArray();
            assertThat(actual).containsExactly(expected);
        }
        Files.delete(dir.resolve(LearnedPriorDecoder.PRIOR_FILE));
        try (LearnedPriorDecoder loaded = new LearnedPriorDecoder(FlowMatchingDecoder.builder().hiddenLayers(16, 16)
                .steps(4).build())) {
            loaded.initialize(spec, CPU, 99);
            assertThatThrownBy(() -> loaded.load(dir)).isInstanceOf(IOException.class)
                    .hasMessageContaining(LearnedPriorDecoder.PRIOR_FILE);
        }
    }

    /** Acts with {@code 1 + 0.5 N(0, 1)} latents when stochastic and {@code 0.7} when deterministic. */
    private static ScriptedOptimizer noisy() {
        return new ScriptedOptimizer().sampling(1, 0.5, 0.7f, 2);
    }

    @Test
    void trainer_withLearnedPrior_recordsLatents_wrapsTheDecoder_andCheckpointsThePrior() throws IOException {
        CapturingDecoder recording = new CapturingDecoder();
        float[] before;
        Path checkpoint = temp.resolve("checkpoint");
        float[] observation = {0.3f, -0.9f, 0.5f};
        try (VectorEnv env = Envs.sync(i -> new Pendulum(), 4); VectorEnv eval = Envs.sync(i -> new Pendulum(), 2);
                GoRL agent = GoRL.builder().env(env).evalEnv(eval).optimizer(noisy()).decoder(recording)
                        .schedule(StageSchedule.of(200, 200).decoderEpochs(1)).decoderRefit(DecoderRefit.builder()
                        .dataSize(2000).build())
                        .evalEvery(10_000).decoderSource(DecoderSource.LEARNED_PRIOR).build()) {
            Map<String, Object> described = agent.describe();
            assertThat(described.get("trainer").toString()).contains("decoderSource=learned-prior");
            assertThat(described.get("decoder").toString()).contains("learnedPrior=");
            agent.train();
            // One refit: the decoder got the learned prior as a per-pair Gaussian source, not the encoder's latents.
            assertThat(recording.datasets).hasSize(1);
            DecoderDataset data = recording.datasets.get(0);
            assertThat(data.latents()).isNull();
            assertThat(data.sourceMean()).hasSize(data.size());
            assertThat(data.sourceStd()).hasSize(data.size());
            before = agent.policy().act(observation);
            agent.save(checkpoint);
        }
        try (VectorEnv env = Envs.sync(i -> new Pendulum(), 4); VectorEnv eval = Envs.sync(i -> new Pendulum(), 2);
                GoRL agent = GoRL.builder().env(env).evalEnv(eval).optimizer(noisy())
                        .decoder(new CapturingDecoder()).schedule(StageSchedule.of(200, 200).decoderEpochs(1))
                        .decoderRefit(DecoderRefit.builder().dataSize(2000).build()).evalEvery(10_000)
                        .decoderSource(DecoderSource.LEARNED_PRIOR).build()) {
            assertThat(agent.policy().act(observation)).isNotEqualTo(before);
            agent.load(checkpoint);
            assertThat(agent.policy().act(observation)).containsExactly(before);
        }
        // A checkpoint saved with the learned prior does not load into an agent with the fixed prior.
        try (VectorEnv env = Envs.sync(i -> new Pendulum(), 4); VectorEnv eval = Envs.sync(i -> new Pendulum(), 2);
                GoRL agent = GoRL.builder().env(env).evalEnv(eval).optimizer(noisy())
                        .decoder(new CapturingDecoder()).schedule(StageSchedule.of(200, 200).decoderEpochs(1))
                        .decoderRefit(DecoderRefit.builder().dataSize(2000).build()).evalEvery(10_000).build()) {
            assertThatThrownBy(() -> agent.load(checkpoint)).isInstanceOf(IOException.class)
                    .hasMessageContaining("learnedPrior");
        }
    }
}
