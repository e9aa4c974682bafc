package io.github.gorl.baselines;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.core.optim.ppo.engine.Minibatch;
import io.github.gorl.core.optim.ppo.engine.PpoEngine;
import io.github.gorl.core.optim.ppo.engine.PpoPolicy;
import io.github.gorl.decoders.nn.DoubleBits;
import io.github.gorl.decoders.nn.TensorFile;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.SplittableRandom;

/** Shared checks of the FPO and DPPO tests: small, seeded settings that run in about a second. */
final class BaselineTesting {

    static final int OBS = 3;
    static final int ACT = 2;

    private BaselineTesting() {}

    static <B extends BaselineBuilder<B>> B small(B builder) {
        return builder.hiddenLayers(16, 16).criticLayers(16).timeEmbeddingDim(4).steps(3)
                .unrollLength(8).minibatches(2).epochs(2).rewardScaling(0.1).learningRate(1e-3);
    }

    static PpoEngine initialized(LatentPolicyOptimizer optimizer, long seed) {
        optimizer.initialize(EnvSpec.symmetric("toy", OBS, ACT, 1, 100), Device.cpu(), seed);
        return (PpoEngine) optimizer;
    }

    /** The generative policy that the engine optimizes. */
    static GenerativePolicy policy(PpoEngine optimizer) {
        return (GenerativePolicy) optimizer.policy();
    }

    /** A batch of random rows whose extras come from the optimizer's own sampler. */
    static Minibatch sampledBatch(PpoEngine optimizer, int rows, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Minibatch batch = optimizer.newMinibatch(rows);
        for (int k = 0; k < rows * OBS; k++) {
            batch.observations[k] = (float) random.nextGaussian();
        }
        try (NDManager scope = optimizer.newScope()) {
            NDArray obs = scope.create(batch.observations, new Shape(rows, OBS));
            PpoPolicy.Sample sampled = optimizer.policy().sample(optimizer.normalize(obs), random, false);
            System.arraycopy(sampled.actions().toFloatArray(), 0, batch.actions, 0, rows * ACT);
            float[] extras = sampled.extras().toFloatArray();
            System.arraycopy(extras, 0, batch.extras, 0, extras.length);
        }
        batch.size = rows;
        float[] old = optimizer.statistics(batch.observations, batch.actions, batch.extras, rows);
        System.arraycopy(old, 0, batch.oldStatistics, 0, old.length); // rows * statisticWidth
        return batch;
    }

    /** One gradient step pushing up (advantage > 0) or down the likelihood of the batch's one action. */
    static float ratioAfterOneStep(PpoEngine optimizer, double advantage) {
        Minibatch batch = sampledBatch(optimizer, 1, 5);
        batch.advantages[0] = (float) advantage;
        optimizer.update(batch, 0, 0, 0);
        return optimizer.ratios(batch)[0];
    }

    /**
     * A short learn on Pendulum: every metric of every update is finite (NaN only for missing episodes).
     *
     * @return the metrics of the 3 updates
     */
    static List<Metrics> learnsOnPendulumWithFiniteMetrics(LatentPolicyOptimizer optimizer) {
        List<Metrics> seen = new ArrayList<>();
        try (VectorEnv env = Envs.sync(i -> new Pendulum(), 4)) {
            optimizer.initialize(env.spec(), Device.cpu(), 3);
            optimizer.resetToPrior();
            long taken = optimizer.learn(env, 3 * 4 * 8, new TrainingListener() {
                @Override
                public void onMetrics(Metrics metrics) {
                    seen.add(metrics);
                }
            });
            assertThat(taken).isEqualTo(96);
        }
        assertThat(seen).hasSize(3);
        for (Metrics m : seen) {
            m.values().forEach((name, value) -> {
                if (!name.equals("train_episode_return")) {
                    assertThat(value).as(name).isFinite();
                }
            });
            assertThat(m.values()).containsKeys("policy_loss", "value_loss", "approx_kl", "clip_fraction");
        }
        return seen;
    }

    /**
     * A file of format version 1, as the baselines wrote before the PPO engine (the stage knobs as the floats
     * {@code [clip, gradNormClip]}), loads: parameters and knobs come back.
     */
    static void loadsVersion1(PpoEngine trained, PpoEngine restored, Path dir, String kind) throws IOException {
        trained.save(dir);
        Path file = dir.resolve(trained.name() + ".tensors");
        Map<String, float[]> entries = new LinkedHashMap<>(TensorFile.read(file, kind, 2).entries());
        entries.put("stage", new float[] {0.3f, 1.5f});
        TensorFile.write(file, kind, 1, entries);
        restored.load(dir);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray obs = manager.create(new float[] {0, 1, 2, 3, 4, 5, -1, 0.5f, 9}, new Shape(3, OBS));
            assertThat(restored.act(obs, true).toFloatArray()).containsExactly(trained.act(obs, true).toFloatArray());
        }
        Path resaved = Files.createDirectories(dir.resolve("resaved"));
        restored.save(resaved);
        TensorFile.Content content = TensorFile.read(resaved.resolve(trained.name() + ".tensors"), kind, 2);
        assertThat(DoubleBits.decode(content.require("stage", 6), 3, "stage")).containsExactly(0, 0.3f, 1.5f);
        assertThat(restored.klWeight()).isZero();
    }

    /** Save, load into a differently seeded twin: deterministic actions agree exactly. */
    static void roundTrips(PpoEngine trained, PpoEngine restored, Path dir) throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            trained.save(dir);
            restored.load(dir);
            NDArray obs = manager.create(new float[] {0, 1, 2, 3, 4, 5, -1, 0.5f, 9}, new Shape(3, OBS));
            float[] expected = trained.act(obs, true).toFloatArray();
            assertThat(restored.act(obs, true).toFloatArray()).containsExactly(expected);
            Minibatch a = sampledBatch(trained, 4, 9);
            assertThat(restored.statistics(a.observations, a.actions, a.extras, 4)).containsExactly(a.oldStatistics);
        }
    }
}
