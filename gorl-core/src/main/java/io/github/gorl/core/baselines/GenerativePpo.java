package io.github.gorl.core.baselines;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.NonFiniteException;
import io.github.gorl.api.Phase;
import io.github.gorl.api.Stage;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.Validate;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;
import io.github.gorl.core.optim.ppo.Gae;
import io.github.gorl.core.optim.ppo.PpoLoss;
import io.github.gorl.decoders.nn.Scalars;
import io.github.gorl.decoders.nn.Adam;
import io.github.gorl.decoders.nn.Mlp;
import io.github.gorl.decoders.nn.RunningNormalizer;
import io.github.gorl.decoders.nn.Shuffle;
import io.github.gorl.decoders.nn.TensorFile;
import io.github.gorl.decoders.nn.TimeEmbedding;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * PPO around a generative policy whose likelihood is not a closed-form Gaussian: collect a rollout (storing
 * the sampled actions and, per row, the {@link #extraWidth} floats the ratio needs), update the observation
 * statistics, compute values and GAE advantages, compute each row's old policy statistic {@code l_old(s, a)}
 * once, then run epochs of minibatch updates of
 *
 * <pre>
 * L = -mean(min(r A, clip(r, 1 - eps, 1 + eps) A)) + c_v * mean(0.5 (V(s) - R)^2),
 * r = exp(l_theta(s, a) - l_old(s, a))
 * </pre>
 *
 * <p>The subclass defines {@code l}: FPO's negated conditional-flow-matching loss, DPPO's log-likelihood of
 * the denoising chain. Both use one network {@code f(normalize(s), x, embed(t))} of output {@code [actionDim]}.
 * Seeding, metrics and NaN guards follow {@code LatentPpo}. Not thread-safe.
 */
abstract class GenerativePpo implements LatentPolicyOptimizer {

    static final int FILE_VERSION = 1;
    private static final int CHUNK_ROWS = 4096;

    final BaselineConfig config;
    /** The clamp of the log-ratio under dual clipping ({@link BaselineBuilder#dualClip}). */
    static final float LOG_RATIO_BOUND = 20f;

    private double clip;
    private double gradNormClip;

    EnvSpec spec;
    NDManager manager;
    Mlp policy;
    private Mlp critic;
    private Adam adam;
    private RunningNormalizer normalizer;
    private TimeEmbedding timeEmbedding;
    private SplittableRandom reinitRandom;
    private SplittableRandom envSeedRandom;
    private SplittableRandom noiseRandom;
    private SplittableRandom shuffleRandom;
    private SplittableRandom actRandom;

    private VectorEnv env;
    private VectorStep envStep;
    private float[] observations;
    private double[] episodeReturns;
    private int numEnvs;
    // Rollout buffers, time-major: row j = t * numEnvs + i.
    private float[] obsBuf;
    private float[] actBuf;
    private float[] extraBuf;
    private float[] rewards;
    private boolean[] terminated;
    private boolean[] truncated;
    private float[] finalObs;
    private float[] values;
    private float[] nextValues;
    private float[] scaledRewards;
    private float[] advantages;
    private float[] returns;
    private float[] oldStatistics;
    private long updates;

    GenerativePpo(BaselineConfig config) {
        this.config = config;
        this.clip = config.clip();
        this.gradNormClip = config.gradNormClip();
    }

    /** Floats stored per rollout row besides the action (fixed noise or the chain). */
    abstract int extraWidth();

    /**
     * Samples actions.
     *
     * @param normalizedObservations {@code [n, observationDim]}
     * @param random the noise source
     * @param deterministic whether to run the sampler without noise (evaluation)
     * @return {@code [actions [n, actionDim], extras [n, extraWidth]]}; extras may be null when deterministic
     */
    abstract NDArray[] sample(NDArray normalizedObservations, SplittableRandom random, boolean deterministic);

    /**
     * The policy statistic {@code l_theta(s, a)} whose difference is the log-ratio.
     *
     * @param normalizedObservations {@code [n, observationDim]}
     * @param actions {@code [n, actionDim]}
     * @param extras {@code [n, extraWidth]}
     * @return {@code [n]}
     */
    abstract NDArray statistic(NDArray normalizedObservations, NDArray actions, NDArray extras);

    /** The file kind of saved parameters. */
    abstract String fileKind();

    /**
     * The policy network {@code f(normalize(s), x, embed(t))}.
     *
     * @param normalizedObservations {@code [n, observationDim]}
     * @param x {@code [n, actionDim]}
     * @param t {@code [n, 1]}
     * @return {@code [n, actionDim]}
     */
    NDArray network(NDArray normalizedObservations, NDArray x, NDArray t) {
        return policy.forward(NDArrays.concat(new NDList(normalizedObservations, x, timeEmbedding.embed(t)), 1));
    }

    /** {@code rows * cols} standard normal draws as a tensor. */
    static NDArray normal(NDManager scope, SplittableRandom random, int rows, int cols) {
        float[] z = new float[rows * cols];
        for (int k = 0; k < z.length; k++) {
            z[k] = (float) random.nextGaussian();
        }
        return scope.create(z, new Shape(rows, cols));
    }

    @Override
    public void initialize(EnvSpec latentSpec, Device device, long seed) {
        Validate.notNull("latentSpec", latentSpec);
        Validate.notNull("device", device);
        if (spec != null) {
            throw new IllegalStateException("initialize must be called once; " + name()
                    + " is already initialized for " + spec);
        }
        spec = latentSpec;
        SplittableRandom root = new SplittableRandom(seed);
        long policySeed = root.nextLong();
        long criticSeed = root.nextLong();
        reinitRandom = root.split();
        envSeedRandom = root.split();
        noiseRandom = root.split();
        shuffleRandom = root.split();
        actRandom = root.split();
        manager = NDManager.newBaseManager(device);
        int obsDim = spec.observationDim();
        int actionDim = spec.actionDim();
        timeEmbedding = new TimeEmbedding(config.timeEmbeddingDim());
        policy = new Mlp(manager, obsDim + actionDim + timeEmbedding.dim(), config.policyLayers(), actionDim,
                policySeed);
        critic = new Mlp(manager, obsDim, config.criticLayers(), 1, criticSeed);
        List<NDArray> parameters = new ArrayList<>(policy.parameters());
        parameters.addAll(critic.parameters());
        adam = new Adam(parameters, config.learningRate());
        normalizer = new RunningNormalizer(manager, obsDim, config.observationClip());
    }

    /**
     * Re-draws both networks and zeroes the policy's output layer, so the policy network outputs 0: FPO then
     * samples {@code a = eps ~ N(0, I)} and DPPO a random walk from {@code N(0, I)}. Clears Adam's moments.
     */
    @Override
    public void resetToPrior() {
        requireInitialized();
        policy.reinitialize(reinitRandom.nextLong());
        policy.zeroOutputLayer();
        critic.reinitialize(reinitRandom.nextLong());
        adam.reset();
    }

    @Override
    public boolean reseed(long seed) {
        requireInitialized();
        SplittableRandom root = new SplittableRandom(seed);
        reinitRandom = root.split();
        envSeedRandom = root.split();
        noiseRandom = root.split();
        shuffleRandom = root.split();
        actRandom = root.split();
        env = null; // the next learn call starts new episodes
        return true;
    }

    @Override
    public void beginStage(Stage stage) {
        Validate.notNull("stage", stage);
        clip = stage.clip();
        gradNormClip = stage.gradNormClip();
    }

    @Override
    public long learn(VectorEnv latentEnv, long envSteps, TrainingListener listener) {
        requireInitialized();
        Validate.notNull("latentEnv", latentEnv);
        Validate.positive("envSteps", envSteps);
        TrainingListener events = listener == null ? TrainingListener.NONE : listener;
        Validate.sameDimensions(latentEnv.spec(), name(), spec);
        int batch = Math.multiplyExact(latentEnv.numEnvs(), config.unrollLength());
        if (batch < config.minibatches()) {
            throw new IllegalArgumentException("minibatches must be <= numEnvs * unrollLength = " + batch
                    + ", got " + config.minibatches());
        }
        attach(latentEnv);
        long rollouts = (envSteps + batch - 1) / batch;
        long taken = 0;
        for (long r = 0; r < rollouts; r++) {
            long start = System.nanoTime();
            // 1. Collect with a ~ pi_theta(.|s), storing the per-row extras.
            double[] finished = collectRollout(taken);
            // 2. Observation statistics, before the update.
            if (config.normalizeObservations()) {
                normalizer.update(obsBuf, batch);
            }
            // 3. Values, GAE, and the old statistic l_old(s, a) with the statistics the update uses, so r = 1
            //    exactly before the first gradient step.
            computeAdvantages();
            computeOldStatistics();
            double ev = Gae.explainedVariance(values, returns, batch);
            // 4. Epochs x minibatches of the clipped surrogate + value loss.
            Map<String, Double> metrics = optimize(taken);
            taken += batch;
            metrics.put("explained_variance", ev);
            metrics.put("train_episode_return", finished[1] > 0 ? finished[0] / finished[1] : Double.NaN);
            metrics.put("steps_per_second", batch / ((System.nanoTime() - start) * 1e-9));
            events.onMetrics(Metrics.of(taken, Phase.ENCODER, metrics));
        }
        return taken;
    }

    private void attach(VectorEnv latentEnv) {
        if (latentEnv == env) {
            return;
        }
        int n = latentEnv.numEnvs();
        int obsDim = spec.observationDim();
        int actionDim = spec.actionDim();
        if (obsBuf == null || numEnvs != n) {
            numEnvs = n;
            int size = n * config.unrollLength();
            envStep = new VectorStep(n, obsDim);
            observations = new float[n * obsDim];
            episodeReturns = new double[n];
            obsBuf = new float[size * obsDim];
            actBuf = new float[size * actionDim];
            extraBuf = new float[size * extraWidth()];
            rewards = new float[size];
            terminated = new boolean[size];
            truncated = new boolean[size];
            finalObs = new float[size * obsDim];
            values = new float[size];
            nextValues = new float[size];
            scaledRewards = new float[size];
            advantages = new float[size];
            returns = new float[size];
            oldStatistics = new float[size];
        }
        Arrays.fill(episodeReturns, 0);
        latentEnv.reset(envSeedRandom.nextLong(), observations);
        env = latentEnv;
    }

    private double[] collectRollout(long stepsBefore) {
        int obsDim = spec.observationDim();
        int actionDim = spec.actionDim();
        int width = extraWidth();
        double returnSum = 0;
        int finishedEpisodes = 0;
        float[] stepActions = new float[numEnvs * actionDim];
        for (int t = 0; t < config.unrollLength(); t++) {
            int row = t * numEnvs;
            System.arraycopy(observations, 0, obsBuf, row * obsDim, numEnvs * obsDim);
            try (NDManager scope = manager.newSubManager()) {
                NDArray obs = scope.create(observations, new Shape(numEnvs, obsDim));
                NDArray[] sampled = sample(normalize(obs), noiseRandom, false);
                float[] a = sampled[0].toFloatArray();
                System.arraycopy(a, 0, stepActions, 0, a.length);
                System.arraycopy(a, 0, actBuf, row * actionDim, a.length);
                float[] e = sampled[1].toFloatArray();
                System.arraycopy(e, 0, extraBuf, row * width, e.length);
            }
            for (int k = 0; k < stepActions.length; k++) {
                if (!Float.isFinite(stepActions[k])) {
                    throw new IllegalStateException(name() + " sampled a non-finite action " + stepActions[k]
                            + " at rollout step " + t + " (env step " + (stepsBefore + (long) row)
                            + " of this learn call); lower the learning rate");
                }
            }
            try {
                env.step(stepActions, envStep);
            } catch (NonFiniteException e) {
                throw new NonFiniteException(e.getMessage(), e.subEnv(), stepsBefore + row + Math.max(0, e.subEnv())
                        + 1, e);
            }
            for (int i = 0; i < numEnvs; i++) {
                int j = row + i;
                float reward = envStep.rewards()[i];
                if (!Float.isFinite(reward) || !Float.isFinite((float) (reward * config.rewardScaling()))) {
                    throw new NonFiniteException("non-finite reward " + reward + " from sub-env " + i
                            + " at rollout step " + t + " (env step " + (stepsBefore + j + 1) + " of this learn call)",
                            i, stepsBefore + j + 1);
                }
                rewards[j] = reward;
                terminated[j] = envStep.terminated()[i];
                truncated[j] = envStep.truncated()[i];
                episodeReturns[i] += reward;
                if (terminated[j] || truncated[j]) {
                    System.arraycopy(envStep.finalObservations(), i * obsDim, finalObs, j * obsDim, obsDim);
                    returnSum += episodeReturns[i];
                    finishedEpisodes++;
                    episodeReturns[i] = 0;
                }
            }
            System.arraycopy(envStep.observations(), 0, observations, 0, numEnvs * obsDim);
        }
        for (int k = 0; k < obsBuf.length; k++) {
            if (!Float.isFinite(obsBuf[k])) {
                int j = k / obsDim;
                throw new NonFiniteException("non-finite observation[" + k % obsDim + "] " + obsBuf[k]
                        + " from sub-env " + j % numEnvs + " at rollout step " + j / numEnvs + " (env step "
                        + (stepsBefore + j + 1) + " of this learn call)", j % numEnvs, stepsBefore + j + 1);
            }
        }
        return new double[] {returnSum, finishedEpisodes};
    }

    private void computeAdvantages() {
        int size = numEnvs * config.unrollLength();
        int obsDim = spec.observationDim();
        float[] input = new float[(2 * size + numEnvs) * obsDim];
        System.arraycopy(obsBuf, 0, input, 0, size * obsDim);
        System.arraycopy(observations, 0, input, size * obsDim, numEnvs * obsDim);
        int rows = size + numEnvs;
        int[] finalRow = new int[size];
        for (int j = 0; j < size; j++) {
            if (truncated[j] && !terminated[j]) {
                System.arraycopy(finalObs, j * obsDim, input, rows * obsDim, obsDim);
                finalRow[j] = rows++;
            } else {
                finalRow[j] = -1;
            }
        }
        float[] all = criticValues(input, rows);
        System.arraycopy(all, 0, values, 0, size);
        for (int j = 0; j < size; j++) {
            // Truncated: bootstrap from V(final obs); otherwise the next row (ignored on termination).
            nextValues[j] = finalRow[j] >= 0 ? all[finalRow[j]] : all[j + numEnvs];
            scaledRewards[j] = (float) (rewards[j] * config.rewardScaling());
        }
        Gae.compute(scaledRewards, values, nextValues, terminated, truncated, config.unrollLength(), numEnvs,
                config.gamma(), config.gaeLambda(), advantages, returns);
    }

    private float[] criticValues(float[] input, int rows) {
        int obsDim = spec.observationDim();
        float[] out = new float[rows];
        for (int from = 0; from < rows; from += CHUNK_ROWS) {
            int n = Math.min(CHUNK_ROWS, rows - from);
            try (NDManager scope = manager.newSubManager()) {
                NDArray obs = scope.create(FloatBuffer.wrap(input, from * obsDim, n * obsDim), new Shape(n, obsDim),
                        DataType.FLOAT32);
                System.arraycopy(critic.forward(normalize(obs)).toFloatArray(), 0, out, from, n);
            }
        }
        return out;
    }

    private void computeOldStatistics() {
        float[] old = statistics(obsBuf, actBuf, extraBuf, numEnvs * config.unrollLength());
        System.arraycopy(old, 0, oldStatistics, 0, old.length);
    }

    /**
     * {@code l_theta(s, a)} for raw rows, in chunks, without gradients.
     *
     * @param rawObservations {@code [rows, observationDim]}
     * @param actions {@code [rows, actionDim]}
     * @param extras {@code [rows, extraWidth]}
     * @param rows the number of rows
     * @return {@code [rows]}
     */
    float[] statistics(float[] rawObservations, float[] actions, float[] extras, int rows) {
        int obsDim = spec.observationDim();
        int actionDim = spec.actionDim();
        int width = extraWidth();
        float[] out = new float[rows];
        for (int from = 0; from < rows; from += CHUNK_ROWS) {
            int n = Math.min(CHUNK_ROWS, rows - from);
            try (NDManager scope = manager.newSubManager()) {
                NDArray obs = scope.create(FloatBuffer.wrap(rawObservations, from * obsDim, n * obsDim),
                        new Shape(n, obsDim), DataType.FLOAT32);
                NDArray a = scope.create(FloatBuffer.wrap(actions, from * actionDim, n * actionDim),
                        new Shape(n, actionDim), DataType.FLOAT32);
                NDArray e = scope.create(FloatBuffer.wrap(extras, from * width, n * width), new Shape(n, width),
                        DataType.FLOAT32);
                System.arraycopy(statistic(normalize(obs), a, e).toFloatArray(), 0, out, from, n);
            }
        }
        return out;
    }

    /** The names and order of the per-minibatch statistics that {@link #update} returns. */
    static final String[] STATS = {"loss", "policy_loss", "value_loss", "approx_kl", "clip_fraction",
        "policy_statistic", "grad_norm"};
    private static final int APPROX_KL = 3;

    private Map<String, Double> optimize(long stepsBefore) {
        int size = numEnvs * config.unrollLength();
        int minibatches = config.minibatches();
        int[] order = new int[size];
        for (int j = 0; j < size; j++) {
            order[j] = j;
        }
        Batch mb = new Batch((size + minibatches - 1) / minibatches, spec.observationDim(), spec.actionDim(),
                extraWidth());
        double[] sums = new double[STATS.length];
        int count = 0;
        int epochs = 0;
        while (epochs < config.epochs()) {
            Shuffle.inPlace(order, shuffleRandom);
            double epochKl = 0;
            for (int m = 0; m < minibatches; m++) {
                int from = (int) ((long) m * size / minibatches);
                int to = (int) ((long) (m + 1) * size / minibatches);
                mb.gather(order, from, to);
                float[] stats = update(mb, stepsBefore, epochs, m);
                for (int k = 0; k < sums.length; k++) {
                    sums[k] += stats[k];
                }
                epochKl += stats[APPROX_KL];
                count++;
            }
            epochs++;
            // Early stop once an epoch's mean approx_kl leaves the trust region (BaselineBuilder.targetKl).
            if (epochKl / minibatches > config.targetKl()) {
                break;
            }
        }
        updates++;
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (int k = 0; k < STATS.length; k++) {
            metrics.put(STATS[k], sums[k] / count);
        }
        metrics.put("update_epochs", (double) epochs);
        return metrics;
    }

    /** Preallocated minibatch rows; also built by hand in tests. */
    final class Batch {
        final float[] observations;
        final float[] actions;
        final float[] extras;
        final float[] oldStatistics;
        final float[] advantages;
        final float[] returns;
        final float[] values;
        int size;

        Batch(int capacity, int obsDim, int actionDim, int width) {
            observations = new float[capacity * obsDim];
            actions = new float[capacity * actionDim];
            extras = new float[capacity * width];
            oldStatistics = new float[capacity];
            advantages = new float[capacity];
            returns = new float[capacity];
            values = new float[capacity];
        }

        void gather(int[] order, int from, int to) {
            int obsDim = spec.observationDim();
            int actionDim = spec.actionDim();
            int width = extraWidth();
            size = to - from;
            for (int k = 0; k < size; k++) {
                int j = order[from + k];
                System.arraycopy(obsBuf, j * obsDim, observations, k * obsDim, obsDim);
                System.arraycopy(actBuf, j * actionDim, actions, k * actionDim, actionDim);
                System.arraycopy(extraBuf, j * width, extras, k * width, width);
                oldStatistics[k] = GenerativePpo.this.oldStatistics[j];
                advantages[k] = GenerativePpo.this.advantages[j];
                returns[k] = GenerativePpo.this.returns[j];
                values[k] = GenerativePpo.this.values[j];
            }
            if (config.normalizeAdvantages() && size > 1) {
                double mean = 0;
                for (int k = 0; k < size; k++) {
                    mean += advantages[k];
                }
                mean /= size;
                double squares = 0;
                for (int k = 0; k < size; k++) {
                    squares += (advantages[k] - mean) * (advantages[k] - mean);
                }
                double std = Math.sqrt(squares / (size - 1));
                for (int k = 0; k < size; k++) {
                    advantages[k] = (float) ((advantages[k] - mean) / (std + 1e-8));
                }
            }
        }
    }

    /** A batch of {@code capacity} rows for tests. */
    Batch newBatch(int capacity) {
        requireInitialized();
        return new Batch(capacity, spec.observationDim(), spec.actionDim(), extraWidth());
    }

    /**
     * The ratios {@code r = exp(l_theta - l_old)} of a batch, without gradients.
     *
     * @param mb the rows
     * @return {@code [mb.size]}
     */
    float[] ratios(Batch mb) {
        float[] current = statistics(mb.observations, mb.actions, mb.extras, mb.size);
        float[] r = new float[mb.size];
        for (int k = 0; k < mb.size; k++) {
            r[k] = (float) Math.exp(current[k] - mb.oldStatistics[k]);
        }
        return r;
    }

    /** One gradient step on one minibatch; returns {@link #STATS} in order. */
    float[] update(Batch mb, long stepsBefore, int epoch, int index) {
        int n = mb.size;
        int obsDim = spec.observationDim();
        int actionDim = spec.actionDim();
        float[] stats = new float[STATS.length];
        try (NDManager scope = manager.newSubManager()) {
            NDArray obs = scope.create(FloatBuffer.wrap(mb.observations, 0, n * obsDim), new Shape(n, obsDim),
                    DataType.FLOAT32);
            NDArray actions = scope.create(FloatBuffer.wrap(mb.actions, 0, n * actionDim),
                    new Shape(n, actionDim), DataType.FLOAT32);
            NDArray extras = scope.create(FloatBuffer.wrap(mb.extras, 0, n * extraWidth()),
                    new Shape(n, extraWidth()), DataType.FLOAT32);
            NDArray old = vector(scope, mb.oldStatistics, n);
            NDArray adv = vector(scope, mb.advantages, n);
            NDArray ret = vector(scope, mb.returns, n);
            NDArray oldValues = vector(scope, mb.values, n);
            NDArray x = normalize(obs);
            NDArray loss;
            NDArray policyLoss;
            NDArray valueLoss;
            NDArray current;
            NDArray logRatio;
            NDArray ratio;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                current = statistic(x, actions, extras);
                logRatio = current.sub(old);
                if (Double.isNaN(config.dualClip())) {
                    ratio = logRatio.exp();
                    policyLoss = PpoLoss.clippedSurrogate(ratio, adv, clip);
                } else {
                    logRatio = logRatio.clip(-LOG_RATIO_BOUND, LOG_RATIO_BOUND);
                    ratio = logRatio.exp();
                    policyLoss = PpoLoss.dualClippedSurrogate(ratio, adv, clip, config.dualClip());
                }
                NDArray v = critic.forward(x).reshape(n);
                valueLoss = PpoLoss.valueLoss(v, ret, oldValues, Double.NaN);
                loss = policyLoss.add(Scalars.times(valueLoss, config.valueLossCoefficient()));
                collector.backward(loss);
            }
            NDArray approxKl = ratio.sub(1).sub(logRatio).mean();
            NDArray clipFraction = ratio.sub(1).abs().gt((float) clip).toType(DataType.FLOAT32, false).mean();
            float[] v = NDArrays.stack(new NDList(loss, policyLoss, valueLoss, approxKl, clipFraction,
                    current.mean())).toFloatArray();
            System.arraycopy(v, 0, stats, 0, v.length);
        }
        for (int k = 0; k < STATS.length - 1; k++) {
            if (!Float.isFinite(stats[k])) {
                adam.zeroGradients();
                throw nonFinite(STATS[k], stats[k], stepsBefore, epoch, index);
            }
        }
        double gradNorm = adam.clipGradientNorm(gradNormClip);
        if (!Double.isFinite(gradNorm)) {
            adam.zeroGradients();
            throw nonFinite("grad_norm", gradNorm, stepsBefore, epoch, index);
        }
        adam.step();
        stats[STATS.length - 1] = (float) gradNorm;
        return stats;
    }

    private IllegalStateException nonFinite(String quantity, double value, long stepsBefore, int epoch, int index) {
        return new IllegalStateException(name() + " " + quantity + " is " + value + " in the update after env step "
                + stepsBefore + " of this learn call (update " + (updates + 1) + ", epoch " + epoch + ", minibatch "
                + index + "); lower the learning rate or the reward scaling, or check the env");
    }

    private static NDArray vector(NDManager scope, float[] v, int n) {
        return scope.create(FloatBuffer.wrap(v, 0, n), new Shape(n), DataType.FLOAT32);
    }

    NDArray normalize(NDArray rawObservations) {
        return config.normalizeObservations() ? normalizer.normalize(rawObservations) : rawObservations;
    }

    /**
     * Runs the sampler: stochastic, or from zero noise when {@code deterministic}.
     *
     * @param observations {@code [batch, observationDim]}
     * @return actions {@code [batch, actionDim]} on the input's manager and device
     */
    @Override
    public NDArray act(NDArray observations, boolean deterministic) {
        requireInitialized();
        Validate.rows("observations", observations, spec.observationDim());
        NDManager caller = observations.getManager();
        try (NDManager scope = manager.newSubManager()) {
            NDArray obs = observations.toDevice(manager.getDevice(), true);
            obs.attach(scope);
            NDArray actions = sample(normalize(obs), actRandom, deterministic)[0];
            NDArray result = actions.toDevice(observations.getDevice(), true);
            result.attach(caller);
            return result;
        }
    }

    /**
     * No KL to a prior: the baselines act in the real action space.
     *
     * @return 0
     */
    @Override
    public double klWeight() {
        return 0;
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public Map<String, Object> config() {
        return config.toMap();
    }

    private String fileName() {
        return name() + ".tensors";
    }

    @Override
    public void save(Path directory) throws IOException {
        requireInitialized();
        Map<String, float[]> entries = new LinkedHashMap<>();
        entries.put("dims", new float[] {spec.observationDim(), spec.actionDim()});
        entries.put("steps", new float[] {config.steps()});
        policy.writeTo(entries, "policy");
        critic.writeTo(entries, "critic");
        for (Map.Entry<String, float[]> e : adam.state().entrySet()) {
            entries.put("adam." + e.getKey(), e.getValue());
        }
        entries.putAll(normalizer.state("normalizer"));
        entries.put("stage", new float[] {(float) clip, (float) gradNormClip});
        TensorFile.write(directory.resolve(fileName()), fileKind(), FILE_VERSION, entries);
    }

    @Override
    public void load(Path directory) throws IOException {
        requireInitialized();
        Path file = directory.resolve(fileName());
        TensorFile.Content content = TensorFile.read(file, fileKind(), FILE_VERSION);
        float[] dims = content.require("dims", 2);
        if ((int) dims[0] != spec.observationDim() || (int) dims[1] != spec.actionDim()) {
            throw new IOException(file + " was saved with observationDim " + (int) dims[0] + " and actionDim "
                    + (int) dims[1] + ", but this " + name() + " has " + spec.observationDim() + " and "
                    + spec.actionDim());
        }
        // The network is trained for one chain length: other step counts would sample another policy.
        int steps = (int) content.require("steps", 1)[0];
        if (steps != config.steps()) {
            throw new IOException(file + " was saved with steps " + steps + ", but this " + name() + " has steps "
                    + config.steps());
        }
        policy.readFrom(content, "policy", file);
        critic.readFrom(content, "critic", file);
        try {
            Map<String, float[]> adamState = new LinkedHashMap<>();
            for (Map.Entry<String, float[]> e : content.entries().entrySet()) {
                if (e.getKey().startsWith("adam.")) {
                    adamState.put(e.getKey().substring("adam.".length()), e.getValue());
                }
            }
            adam.loadState(adamState);
            normalizer.loadState(content.entries(), "normalizer");
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " does not match this " + name() + ": " + e.getMessage(), e);
        }
        float[] stage = content.require("stage", 2);
        clip = stage[0];
        gradNormClip = stage[1];
    }

    void requireInitialized() {
        if (spec == null) {
            throw new IllegalStateException("call initialize(latentSpec, device, seed) first");
        }
        if (manager == null) {
            throw new IllegalStateException(name() + " is closed");
        }
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
            manager = null;
        }
    }

    @Override
    public String toString() {
        return name() + config.toMap();
    }
}
