package io.github.gorl.core;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.Phase;
import io.github.gorl.api.Stage;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A test optimizer that records the calls the trainer makes and acts with a fixed latent, so the stage loop
 * can be checked without learning.
 */
final class ScriptedOptimizer implements LatentPolicyOptimizer {

    final List<String> calls = new ArrayList<>();
    final List<Stage> stages = new ArrayList<>();
    float latent = 0.5f;
    private EnvSpec spec;
    private VectorEnv lastEnv;
    private float[] observations;
    private VectorStep step;

    @Override
    public void initialize(EnvSpec latentSpec, Device device, long seed) {
        calls.add("initialize");
        spec = latentSpec;
    }

    @Override
    public void resetToPrior() {
        calls.add("resetToPrior");
    }

    @Override
    public void beginStage(Stage stage) {
        calls.add("beginStage");
        stages.add(stage);
    }

    @Override
    public long learn(VectorEnv env, long envSteps, TrainingListener listener) {
        calls.add("learn");
        if (env != lastEnv) {
            lastEnv = env;
            observations = new float[env.numEnvs() * spec.observationDim()];
            step = new VectorStep(env.numEnvs(), spec.observationDim());
            env.reset(1, observations);
        }
        float[] latents = new float[env.numEnvs() * spec.actionDim()];
        java.util.Arrays.fill(latents, latent);
        long taken = 0;
        while (taken < envSteps) {
            env.step(latents, step);
            taken += env.numEnvs();
        }
        listener.onMetrics(Metrics.of(taken, Phase.ENCODER, Map.of("policy_loss", 1.0)));
        return taken;
    }

    @Override
    public NDArray act(NDArray observations, boolean deterministic) {
        long batch = observations.getShape().get(0);
        return observations.getManager().full(new Shape(batch, spec.actionDim()), latent);
    }

    @Override
    public double klToPrior() {
        return 0;
    }

    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("latent", (double) latent);
    }

    @Override
    public void save(Path directory) throws java.io.IOException {
        Files.writeString(directory.resolve("latent.txt"), Float.toString(latent));
    }

    @Override
    public void load(Path directory) throws java.io.IOException {
        latent = Float.parseFloat(Files.readString(directory.resolve("latent.txt")));
    }

    @Override
    public void close() {}
}
