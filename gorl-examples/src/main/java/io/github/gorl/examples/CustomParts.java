package io.github.gorl.examples;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.github.gorl.api.DecoderDataset;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.FitOptions;
import io.github.gorl.api.FitResult;
import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.Phase;
import io.github.gorl.api.Stage;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.TrainingProgress;
import io.github.gorl.api.TrainingResult;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;
import io.github.gorl.core.DecoderRefit;
import io.github.gorl.core.GoRL;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * User-written parts composed with built-in ones (see {@code docs/extending.md}): (a) a decoder written in a few
 * dozen lines on DJL's own blocks, {@link AffineDecoder}, trained with the built-in latent PPO; (b) an optimizer,
 * {@link CrossEntropyOptimizer}, trained with the built-in flow-matching decoder; (c) a schedule, {@link
 * DriftSchedule}, that refits the decoder when the latent policy drifts from the prior. Each trains briefly on
 * Pendulum (a random policy scores about -1060 on the evaluation seeds) and prints the evaluation return and where
 * its stages started. Only exported, stable types are used. Run it with {@code ./gorl example custom}.
 */
public final class CustomParts {

    private CustomParts() {}

    /**
     * Checks the env, then trains (a) and (b) and prints their returns.
     *
     * @param args optionally the seed (default 1)
     */
    public static void main(String[] args) {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : 1;
        // The env checker: a user's own Env is validated the same way before training on it.
        System.out.println("Env check: " + Envs.checkOrThrow(new Pendulum()));
        System.out.println("(a) user decoder AffineDecoder + built-in latent PPO");
        train(pendulumPpo(), new AffineDecoder(), 16, StageSchedule.of(60_000, 40_000).decoderEpochs(10), 100_000,
                seed);
        System.out.println("(b) user optimizer CrossEntropyOptimizer + built-in flow-matching decoder");
        train(new CrossEntropyOptimizer(), FlowMatchingDecoder.builder().hiddenLayers(64, 64).build(), 32,
                StageSchedule.of(409_600, 102_400).decoderEpochs(10), 512_000, seed);
        System.out.println("(c) user schedule DriftSchedule + built-in latent PPO and flow-matching decoder");
        train(pendulumPpo(), FlowMatchingDecoder.builder().hiddenLayers(64, 64).build(), 16,
                new DriftSchedule(3, 100_000, 30_000, DRIFT_KL, 10), 5_000, seed);
    }

    /** The KL to the prior, in nats per state, past which (c) refits the decoder. */
    static final double DRIFT_KL = 1.0;

    /** The built-in latent PPO with settings that learn Pendulum in about 100k steps on a CPU. */
    private static LatentPolicyOptimizer pendulumPpo() {
        return Ppo.latent().criticLayers(64, 64).unrollLength(64).minibatches(8).epochs(8).rewardScaling(0.1)
                .gamma(0.99).build();
    }

    /**
     * (c) A user schedule: refit the decoder once the latent policy has drifted from the prior, where the decoder
     * was trained. Stage {@code k} has the paper's knobs ({@link StageSchedule#paperStage}) and at most
     * {@code stageSteps} encoder steps; after each evaluation past its first {@code minStageSteps} steps, its encoder
     * phase ends if the optimizer's latest mean {@code KL(pi_theta(.|s) || N(0, I))} exceeds {@code maxKl}. It
     * decides from the {@link TrainingProgress} alone, so checkpoints resume it exactly.
     */
    static final class DriftSchedule implements StageSchedule {
        private final int stages;
        private final long stageSteps;
        private final long minStageSteps;
        private final double maxKl;
        private final int decoderEpochs;

        DriftSchedule(int stages, long stageSteps, long minStageSteps, double maxKl, int decoderEpochs) {
            this.stages = stages;
            this.stageSteps = stageSteps;
            this.minStageSteps = minStageSteps;
            this.maxKl = maxKl;
            this.decoderEpochs = decoderEpochs;
        }

        @Override
        public Optional<Stage> next(TrainingProgress run) {
            if (run.stage() >= stages) {
                return Optional.empty();
            }
            Stage paper = StageSchedule.paperStage(run.stage(), stageSteps);
            return Optional.of(run.stage() == 0 ? paper
                    : new Stage(stageSteps, decoderEpochs, paper.klBeta(), paper.clip(), paper.gradNormClip()));
        }

        @Override
        public boolean endEncoderPhase(TrainingProgress run) {
            return run.stageSteps() >= minStageSteps && run.klToPrior().orElse(0) > maxKl;
        }

        @Override
        public long maxEncoderSteps() {
            return stages * stageSteps;
        }

        @Override
        public int maxStages() {
            return stages;
        }

        @Override
        public Map<String, Object> config() {
            return Map.of("type", "drift", "stages", stages, "stageSteps", stageSteps, "minStageSteps", minStageSteps,
                    "maxKl", maxKl, "decoderEpochs", decoderEpochs);
        }
    }

    private static TrainingResult train(LatentPolicyOptimizer optimizer, GenerativeDecoder decoder, int envs,
            StageSchedule schedule, long evalEvery, long seed) {
        List<String> stages = new ArrayList<>();
        // GoRL.builder().build() checks the user parts' contracts (output shapes, exact identity) first.
        try (VectorEnv env = Envs.sync(i -> new Pendulum(), envs); VectorEnv eval = Envs.sync(i -> new Pendulum(), 8);
                GoRL agent = GoRL.builder().env(env).evalEnv(eval).optimizer(optimizer).decoder(decoder)
                        .schedule(schedule).decoderRefit(DecoderRefit.builder().dataSize(20_000).batchSize(1024)
                        .build())
                        .listener(new TrainingListener() {
                            @Override
                            public void onStageStart(int stageIndex, Stage stage, long step) {
                                stages.add(String.format(Locale.ROOT, "%d at %,d", stageIndex, step));
                            }
                        })
                        .evalEvery(evalEvery).seed(seed).build()) {
            TrainingResult result = agent.train();
            System.out.printf(Locale.ROOT, "    %s + %s: eval return %.1f -> %.1f after %,d env steps (%.0f s);"
                    + " stages started: %s%n", optimizer.name(), decoder.name(),
                    result.evaluations().get(0).meanReturn(), result.finalEvalReturn(), result.envSteps(),
                    result.wallSeconds(), String.join(", ", stages));
            return result;
        }
    }

    /**
     * (a) A user decoder: {@code a = exp(logScale(s)) * eps - offset(s)}, one MLP {@code s -> [offset, logScale]}
     * built from DJL's own blocks ({@link SequentialBlock}, {@link Linear}) and trained with DJL's {@link Optimizer}.
     * A zero output layer gives {@code exp(0) * eps - 0 = eps} bit for bit (subtracting {@code +0} keeps even a
     * {@code -0} latent): the exact identity. {@code fit} maximizes the likelihood of the data under
     * {@code eps = (a + offset) / scale ~ N(0, I)}, the fixed prior.
     */
    static final class AffineDecoder implements GenerativeDecoder {
        private NDManager manager;
        private SequentialBlock net;
        private Linear output;
        private int actionDim;
        private long seed;

        @Override
        public void initialize(EnvSpec spec, Device device, long initSeed) {
            manager = NDManager.newBaseManager(device);
            actionDim = spec.actionDim();
            seed = initSeed;
            output = Linear.builder().setUnits(2L * actionDim).build();
            net = new SequentialBlock()
                    .add(Linear.builder().setUnits(64).build()).add(Activation.swishBlock(1f))  // SiLU
                    .add(Linear.builder().setUnits(64).build()).add(Activation.swishBlock(1f))
                    .add(output);
            net.initialize(manager, DataType.FLOAT32, new Shape(1, spec.observationDim()));
            // DJL's initializers draw from the engine's global generator; redraw from this decoder's own seed (as
            // PyTorch initializes a linear layer: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for weights and biases), so that
            // a run is reproducible whatever else the JVM does.
            SplittableRandom random = new SplittableRandom(seed);
            long fanIn = spec.observationDim();
            for (Pair<String, Parameter> p : net.getParameters()) {
                NDArray w = p.getValue().getArray();
                if (w.getShape().dimension() > 1) {
                    fanIn = w.getShape().get(1);
                }
                float[] values = new float[Math.toIntExact(w.size())];
                for (int k = 0; k < values.length; k++) {
                    values[k] = (float) ((2 * random.nextDouble() - 1) / Math.sqrt(fanIn));
                }
                w.set(values);
            }
        }

        @Override
        public void resetToIdentity() {
            for (Pair<String, Parameter> p : output.getParameters()) {
                NDArray w = p.getValue().getArray();
                w.set(new float[Math.toIntExact(w.size())]);
            }
        }

        private NDArray forward(NDArray observations, boolean training) {
            return net.forward(new ParameterStore(manager, false), new NDList(observations), training)
                    .singletonOrThrow();
        }

        @Override
        public NDArray decode(NDArray observations, NDArray latents) {
            NDArray out = forward(observations, false);
            return out.get(":, " + actionDim + ":").exp().mul(latents).sub(out.get(":, 0:" + actionDim));
        }

        @Override
        public NDArray sample(NDArray observations, int n) {
            long rows = observations.getShape().get(0) * n;
            NDArray latents = observations.getManager().randomNormal(new Shape(rows, actionDim));
            return decode(observations.repeat(0, n), latents).reshape(rows / n, n, actionDim);
        }

        @Override
        public FitResult fit(DecoderDataset data, FitOptions options, TrainingListener listener) {
            int obsDim = data.observationDim();
            int batch = Math.min(options.batchSize(), data.size());
            float[] obs = new float[batch * obsDim];
            float[] act = new float[batch * actionDim];
            double loss = Double.NaN;
            int steps = Math.max(1, data.size() / batch);
            SplittableRandom random = new SplittableRandom(options.seed());
            Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) options.learningRate()))
                    .build();
            int epochs = options.epochBudget(data.size());
            for (int epoch = 0; epoch < epochs; epoch++) {
                double sum = 0;
                for (int b = 0; b < steps; b++) {
                    for (int j = 0; j < batch; j++) {
                        int row = random.nextInt(data.size());
                        System.arraycopy(data.observations(), row * obsDim, obs, j * obsDim, obsDim);
                        System.arraycopy(data.actions(), row * actionDim, act, j * actionDim, actionDim);
                    }
                    try (NDManager scope = manager.newSubManager()) {
                        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                            NDArray out = forward(scope.create(obs, new Shape(batch, obsDim)), true);
                            NDArray logScale = out.get(":, " + actionDim + ":");
                            NDArray eps = scope.create(act, new Shape(batch, actionDim))
                                    .add(out.get(":, 0:" + actionDim)).mul(logScale.neg().exp());
                            // -log p(a|s) = |eps|^2 / 2 + sum log scale + const (change of variables). The factor
                            // is a tensor of this scope: autograd keeps it until the step is done.
                            NDArray nll = eps.square().mul(scope.create(0.5f)).add(logScale).sum(new int[] {1})
                                    .mean();
                            collector.backward(nll);
                            sum += nll.getFloat();
                        }
                        // Clip the global gradient norm at 1, then one Adam step per parameter, and zero the
                        // gradients. getGradient() returns a new handle each call: close it, and every temporary.
                        double squares = 0;
                        for (Pair<String, Parameter> p : net.getParameters()) {
                            try (NDArray g = p.getValue().getArray().getGradient(); NDArray g2 = g.square();
                                    NDArray total = g2.sum()) {
                                squares += total.getFloat();
                            }
                        }
                        float scale = (float) Math.min(1, 1 / Math.sqrt(squares + 1e-12));
                        for (Pair<String, Parameter> p : net.getParameters()) {
                            NDArray w = p.getValue().getArray();
                            try (NDArray g = w.getGradient(); NDArray clipped = g.mul(scale)) {
                                adam.update(p.getValue().getId(), w, clipped);
                                g.muli(0);
                            }
                        }
                    }
                }
                loss = sum / steps;
                listener.onMetrics(Metrics.of(0, Phase.DECODER, Map.of("epoch", epoch + 1.0, "train_loss", loss)));
            }
            return new FitResult(epochs, loss, Double.NaN, Double.NaN, false);
        }

        @Override
        public String name() {
            return "affine";
        }

        @Override
        public Map<String, Object> config() {
            return Map.of("hiddenLayers", "64,64");
        }

        @Override
        public void save(Path directory) throws IOException {
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(directory.resolve("affine.params"))))) {
                net.saveParameters(out);
            }
        }

        @Override
        public void load(Path directory) throws IOException {
            Path file = directory.resolve("affine.params");
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                net.loadParameters(manager, in);
            } catch (MalformedModelException e) {
                throw new IOException(file + " does not hold this decoder's parameters: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    /**
     * (b) A user optimizer: the cross-entropy method over a Gaussian latent policy {@code eps ~ N(W phi(s), I)},
     * {@code phi(s)} = 1, the scaled observation {@code z} and its products {@code z_i z_j}. Each iteration
     * draws one {@code W} per sub-env from a diagonal Gaussian search distribution, scores it by the return of its
     * mean latent over one episode length (CEM explores in parameter space) minus {@code beta * KL(pi(.|s) ||
     * N(0, I)) = beta |W phi(s)|^2 / 2} per step, and refits the search distribution to the best quarter.
     * {@code W = 0} is exactly the prior {@code N(0, I)}. Pure Java: no tensors besides {@code act}'s.
     */
    static final class CrossEntropyOptimizer implements LatentPolicyOptimizer {
        private EnvSpec spec;
        private float[] mean;
        private float[] std;
        private float[] scale; // the root mean square of each observation, measured on the first iteration; 0 before
        private double beta;
        private SplittableRandom random;
        private VectorEnv env;
        private float[] observations;
        private VectorStep step;

        @Override
        public void initialize(EnvSpec latentSpec, Device device, long seed) {
            spec = latentSpec;
            int d = spec.observationDim();
            mean = new float[spec.actionDim() * (1 + d + d * (d + 1) / 2)];
            std = new float[mean.length];
            scale = new float[d];
            random = new SplittableRandom(seed);
        }

        @Override
        public void resetToPrior() {
            Arrays.fill(mean, 0);
            Arrays.fill(std, 0.5f);
        }

        @Override
        public void beginStage(Stage stage) {
            beta = stage.klBeta();
        }

        @Override
        public long learn(VectorEnv latentEnv, long envSteps, TrainingListener listener) {
            int n = latentEnv.numEnvs();
            int obsDim = spec.observationDim();
            if (latentEnv != env) {
                env = latentEnv;
                observations = new float[n * obsDim];
                step = new VectorStep(n, obsDim);
                env.reset(random.nextLong(), observations);
            }
            long taken = 0;
            while (taken < envSteps) {
                float[][] candidates = new float[n][mean.length];
                for (float[] c : candidates) {
                    for (int k = 0; k < c.length; k++) {
                        c[k] = (float) (mean[k] + std[k] * random.nextGaussian());
                    }
                }
                double[] scores = new double[n];
                double[] squares = new double[obsDim];
                float[] latents = new float[n * spec.actionDim()];
                for (int t = 0; t < spec.maxEpisodeSteps(); t++) {
                    for (int i = 0; i < n; i++) {
                        scores[i] -= beta * act(candidates[i], observations, i, latents, true);
                    }
                    for (int k = 0; k < observations.length; k++) {
                        squares[k % obsDim] += observations[k] * observations[k];
                    }
                    env.step(latents, step);
                    for (int i = 0; i < n; i++) {
                        scores[i] += step.rewards()[i];
                    }
                    System.arraycopy(step.observations(), 0, observations, 0, observations.length);
                }
                taken += (long) n * spec.maxEpisodeSteps();
                if (scale[0] == 0) {
                    for (int j = 0; j < obsDim; j++) {
                        scale[j] = (float) Math.sqrt(Math.max(1e-6, squares[j] / n / spec.maxEpisodeSteps()));
                    }
                }
                int[] elites = IntStream.range(0, n).boxed().sorted((x, y) -> Double.compare(scores[y], scores[x]))
                        .limit(Math.max(2, n / 4)).mapToInt(i -> i).toArray();
                IntStream.range(0, mean.length).forEach(k -> {
                    double[] v = Arrays.stream(elites).mapToDouble(e -> candidates[e][k]).toArray();
                    mean[k] = (float) Arrays.stream(v).average().orElse(0);
                    double variance = Arrays.stream(v).map(x -> Math.pow(x - mean[k], 2)).average().orElse(0);
                    std[k] = (float) Math.max(0.05, Math.sqrt(variance));
                });
                listener.onMetrics(Metrics.of(taken, Phase.ENCODER,
                        Map.of("train_episode_return", Arrays.stream(scores).average().orElse(Double.NaN))));
            }
            return taken;
        }

        /** Writes {@code eps} of row {@code i} under parameters {@code p}; returns {@code KL(pi(.|s) || N(0, I))}. */
        private double act(float[] p, float[] obs, int i, float[] out, boolean deterministic) {
            int obsDim = spec.observationDim();
            double[] z = new double[obsDim];
            Arrays.setAll(z, j -> scale[j] == 0 ? obs[i * obsDim + j] : obs[i * obsDim + j] / scale[j]);
            double kl = 0;
            for (int d = 0; d < spec.actionDim(); d++) {
                int w = d * mean.length / spec.actionDim();
                double m = p[w++]; // the bias
                for (int j = 0; j < obsDim; j++) {
                    m += p[w++] * z[j];
                    for (int k = j; k < obsDim; k++) {
                        m += p[w++] * z[j] * z[k];
                    }
                }
                out[i * spec.actionDim() + d] = (float) (deterministic ? m : m + random.nextGaussian());
                kl += 0.5 * m * m;
            }
            return kl;
        }

        @Override
        public NDArray act(NDArray observations, boolean deterministic) {
            int rows = (int) observations.getShape().get(0);
            float[] obs = observations.toFloatArray();
            float[] out = new float[rows * spec.actionDim()];
            IntStream.range(0, rows).forEach(i -> act(mean, obs, i, out, deterministic));
            return observations.getManager().create(out, new Shape(rows, spec.actionDim()));
        }

        @Override
        public double klWeight() {
            return beta;
        }

        @Override
        public String name() {
            return "cem";
        }

        @Override
        public Map<String, Object> config() {
            return Map.of("initialStd", 0.5, "minStd", 0.05, "eliteFraction", 0.25);
        }

        @Override
        public void save(Path directory) throws IOException {
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(directory.resolve("cem.bin"))))) {
                for (float[] values : new float[][] {mean, std, scale}) {
                    out.writeInt(values.length);
                    for (float v : values) {
                        out.writeFloat(v);
                    }
                }
            }
        }

        @Override
        public void load(Path directory) throws IOException {
            Path file = directory.resolve("cem.bin");
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                for (float[] values : new float[][] {mean, std, scale}) {
                    int length = in.readInt();
                    if (length != values.length) {
                        throw new IOException(file + " holds " + length + " values where this optimizer has "
                                + values.length + "; was it saved for another task?");
                    }
                    for (int k = 0; k < length; k++) {
                        values[k] = in.readFloat();
                    }
                }
            }
        }

        @Override
        public void close() {}
    }
}
