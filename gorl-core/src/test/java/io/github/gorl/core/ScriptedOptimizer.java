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
import io.github.gorl.core.optim.ComputeThreads;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A test optimizer that records the calls the trainer makes and acts with a fixed latent, so the stage loop
 * can be checked without learning; with {@link #sampling} its stochastic actions are Gaussian draws it remembers.
 */
final class ScriptedOptimizer implements LatentPolicyOptimizer {
    /** PyTorch's intra-op threads during each learn call. */
    final java.util.List<Integer> learnThreads = new java.util.ArrayList<>();

    final List<String> calls = new ArrayList<>();
    final List<Stage> stages = new ArrayList<>();
    float latent = 0.5f;
    /** When set, learn call {@code i} first sets {@link #latent} to {@code script[i]} (while the script lasts). */
    float[] script;
    /** The learn call (0-based) that throws, simulating a crash; -1 for none. */
    int failOnLearnCall = -1;
    private int learnCalls;
    boolean closed;
    private EnvSpec spec;
    private VectorEnv lastEnv;
    private float[] observations;
    private VectorStep step;
    private SplittableRandom noise;
    private double noiseMean;
    private double noiseStd;
    private float deterministicLatent;
    private final Map<ByteBuffer, float[]> sampled = new HashMap<>();

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
        learnThreads.add(ComputeThreads.current());
        if (learnCalls == failOnLearnCall) {
            throw new IllegalStateException("scripted crash at learn call " + learnCalls);
        }
        if (script != null && learnCalls < script.length) {
            latent = script[learnCalls];
        }
        learnCalls++;
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

    /**
     * Makes {@code act(obs, false)} sample latents {@code mean + std * N(0, 1)}, remembered per observation row
     * ({@link #sampledFor}), and {@code act(obs, true)} return {@code deterministic}; learning is unchanged.
     *
     * @return this optimizer
     */
    ScriptedOptimizer sampling(double mean, double std, float deterministic, long seed) {
        noise = new SplittableRandom(seed);
        noiseMean = mean;
        noiseStd = std;
        deterministicLatent = deterministic;
        return this;
    }

    /** The latent that {@code act(obs, false)} last sampled for this observation row, or null. */
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
    public NDArray act(NDArray observations, boolean deterministic) {
        int rows = Math.toIntExact(observations.getShape().get(0));
        int latentDim = spec.actionDim();
        if (noise == null || deterministic) {
            float value = noise == null ? latent : deterministicLatent;
            return observations.getManager().full(new Shape(rows, latentDim), value);
        }
        int observationDim = spec.observationDim();
        float[] obs = observations.toFloatArray();
        float[] latents = new float[rows * latentDim];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < latentDim; j++) {
                latents[r * latentDim + j] = (float) (noiseMean + noiseStd * noise.nextGaussian());
            }
            sampled.put(key(Arrays.copyOfRange(obs, r * observationDim, (r + 1) * observationDim)),
                    Arrays.copyOfRange(latents, r * latentDim, (r + 1) * latentDim));
        }
        return observations.getManager().create(latents, new Shape(rows, latentDim));
    }

    @Override
    public double klWeight() {
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
    public void close() {
        closed = true;
    }
}
