package io.github.gorl.core.optim.ppo;

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
import io.github.gorl.api.NonFinitePolicy;
import io.github.gorl.decoders.nn.Adam;
import io.github.gorl.decoders.nn.DoubleBits;
import io.github.gorl.decoders.nn.Gaussian;
import io.github.gorl.decoders.nn.Mlp;
import io.github.gorl.decoders.nn.RunningNormalizer;
import io.github.gorl.decoders.nn.Shuffle;
import io.github.gorl.decoders.nn.TensorFile;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Latent PPO, read top to bottom like CleanRL's {@code ppo_continuous_action.py}: collect a rollout of
 * {@code unrollLength} steps on every sub-environment, update the observation statistics, compute values
 * and GAE advantages, then run {@code epochs} passes of {@code minibatches} clipped-surrogate updates with
 * the KL penalty to the prior. Built by {@link Ppo#latent()}.
 *
 * <p>Per minibatch the loss is (all means over the minibatch):
 *
 * <pre>
 * L = -mean(min(r A, clip(r, 1 - eps, 1 + eps) A))       r = pi_theta(eps|s) / pi_old(eps|s)
 *   + c_v * mean(0.5 (V(s) - R)^2)
 *   - c_e * mean(H[pi_theta(.|s)])
 *   + beta * mean(KL(pi_theta(.|s) || N(0, I)))
 * </pre>
 *
 * <p>Randomness (initialization, sampling noise, minibatch order, env reset seeds) comes from Java
 * {@link SplittableRandom}s split from the seed given to {@link #initialize}, so a run with the same seed
 * and the same calls is reproducible on the CPU. Not thread-safe.
 */
final class LatentPpo implements LatentPolicyOptimizer {

    private static final Logger LOG = LoggerFactory.getLogger(LatentPpo.class);

    static final String FILE_NAME = "latent-ppo.tensors";
    static final String FILE_KIND = "latent-ppo";
    static final int FILE_VERSION = 1;
    /** Rows per critic forward pass when computing rollout values, to bound memory on large rollouts. */
    private static final int VALUE_CHUNK_ROWS = 8192;

    private final PpoConfig config;
    // The per-stage knobs: the builder's values until beginStage applies a stage's.
    private double klBeta;
    private double clip;
    private double gradNormClip;

    private EnvSpec spec;
    private NDManager manager;
    private GaussianActor actor;
    private Mlp critic;
    private Adam adam;
    private RunningNormalizer normalizer;
    private SplittableRandom reinitRandom;
    private SplittableRandom envSeedRandom;
    private SplittableRandom noiseRandom;
    private SplittableRandom shuffleRandom;
    private SplittableRandom actRandom;

    // The env being learned on: its episodes continue across learn calls with the same instance.
    private VectorEnv env;
    private VectorStep envStep;
    private float[] observations;
    private float[] actions;
    private float[] noise;
    private double[] episodeReturns;
    private Rollout rollout;
    private float[] criticInput;
    private long updates;
    private boolean skipNonFinite;
    /** The env steps the current (or an aborted) rollout took, so a dropped batch still counts them. */
    private int collectedSteps;

    LatentPpo(PpoConfig config) {
        this.config = config;
        this.klBeta = config.klToPrior();
        this.clip = config.clip();
        this.gradNormClip = config.gradNormClip();
    }

    @Override
    public void initialize(EnvSpec latentSpec, Device device, long seed) {
        Validate.notNull("latentSpec", latentSpec);
        Validate.notNull("device", device);
        if (spec != null) {
            throw new IllegalStateException("initialize must be called once; this PPO is already initialized for "
                    + spec);
        }
        spec = latentSpec;
        SplittableRandom root = new SplittableRandom(seed);
        long actorSeed = root.nextLong();
        long criticSeed = root.nextLong();
        reinitRandom = root.split();
        envSeedRandom = root.split();
        noiseRandom = root.split();
        shuffleRandom = root.split();
        actRandom = root.split();
        manager = NDManager.newBaseManager(device);
        int obsDim = spec.observationDim();
        actor = new GaussianActor(manager, obsDim, config.actorLayers(), spec.actionDim(), actorSeed);
        critic = new Mlp(manager, obsDim, config.criticLayers(), 1, criticSeed);
        List<NDArray> parameters = new ArrayList<>(actor.mlp().parameters());
        parameters.addAll(critic.parameters());
        // One Adam over actor and critic, so the gradient-norm clip is global, as in CleanRL and Brax.
        adam = new Adam(parameters, config.learningRate());
        normalizer = new RunningNormalizer(manager, obsDim, config.observationClip());
    }

    /**
     * Afterwards {@code pi_theta(eps | s) = N(0, I)} exactly for every {@code s}: the actor's output layer
     * is zeroed with biases giving mean 0 and std 1, its hidden layers are re-drawn, and Adam's moments are
     * cleared. The critic is re-drawn too unless {@code resetCriticOnStage(false)}; the observation
     * statistics are kept unless {@code resetNormalizerOnStage(true)}.
     */
    @Override
    public void resetToPrior() {
        requireInitialized();
        actor.resetToPrior(reinitRandom.nextLong());
        long criticSeed = reinitRandom.nextLong();
        if (config.resetCriticOnStage()) {
            critic.reinitialize(criticSeed);
        }
        if (config.resetNormalizerOnStage()) {
            normalizer.reset();
        }
        adam.reset();
    }

    /** Restarts the random streams from {@code seed} and detaches the env, so that the next learn call resets it. */
    @Override
    public boolean reseed(long seed) {
        requireInitialized();
        SplittableRandom root = new SplittableRandom(seed);
        reinitRandom = root.split();
        envSeedRandom = root.split();
        noiseRandom = root.split();
        shuffleRandom = root.split();
        actRandom = root.split();
        env = null;
        return true;
    }

    @Override
    public void onNonFinite(NonFinitePolicy policy) {
        skipNonFinite = Validate.notNull("policy", policy) == NonFinitePolicy.SKIP_BATCH;
    }

    @Override
    public void beginStage(Stage stage) {
        Validate.notNull("stage", stage);
        klBeta = stage.klBeta();
        clip = stage.clip();
        gradNormClip = stage.gradNormClip();
    }

    @Override
    public long learn(VectorEnv latentEnv, long envSteps, TrainingListener listener) {
        requireInitialized();
        Validate.notNull("latentEnv", latentEnv);
        Validate.positive("envSteps", envSteps);
        TrainingListener events = listener == null ? TrainingListener.NONE : listener;
        Validate.sameDimensions(latentEnv.spec(), "this PPO", spec);
        int numEnvs = latentEnv.numEnvs();
        int batch = Math.multiplyExact(numEnvs, config.unrollLength());
        if (batch < config.minibatches()) {
            throw new IllegalArgumentException("minibatches must be <= numEnvs * unrollLength = " + numEnvs + " * "
                    + config.unrollLength() + " = " + batch + ", got " + config.minibatches());
        }
        attach(latentEnv);

        long taken = 0;
        while (taken < envSteps) {
            long start = System.nanoTime();
            // 1. Collect: unrollLength steps of every sub-env with eps ~ pi_theta(.|s).
            double[] finished;
            try {
                finished = collectRollout(taken);
                rollout.requireFinite(config.rewardScaling(), taken);
            } catch (NonFiniteException e) {
                if (!skipNonFinite) {
                    throw e;
                }
                // SKIP_BATCH: learn nothing from this rollout; every episode restarts (the vector env cannot reset
                // one sub-env alone), and the steps taken still count.
                taken += collectedSteps;
                LOG.warn("{}; dropped this rollout batch and reset the env (onNonFinite SKIP_BATCH)", e.getMessage());
                Arrays.fill(episodeReturns, 0);
                env.reset(envSeedRandom.nextLong(), observations);
                Map<String, Double> skipped = new LinkedHashMap<>();
                skipped.put("skipped_batches", 1.0);
                events.onMetrics(Metrics.of(taken, Phase.ENCODER, skipped));
                continue;
            }
            // 2. Observation normalization: merge this rollout's observations into the running statistics
            //    before the update (networks see roughly zero-mean, unit-variance inputs whatever the task).
            if (config.normalizeObservations()) {
                normalizer.update(rollout.observations, rollout.size);
            }
            // 3. Values and GAE advantages, with the rewards scaled.
            computeAdvantages();
            double explainedVariance = Gae.explainedVariance(rollout.values, rollout.returns, rollout.size);
            // 4. Optimize: epochs x minibatches of the clipped surrogate + value loss + entropy + KL to prior.
            Map<String, Double> metrics = optimize(taken);
            taken += batch;
            double seconds = (System.nanoTime() - start) * 1e-9;
            metrics.put("explained_variance", explainedVariance);
            metrics.put("train_episode_return", finished[1] > 0 ? finished[0] / finished[1] : Double.NaN);
            metrics.put("steps_per_second", batch / seconds);
            if (skipNonFinite) {
                metrics.put("skipped_batches", 0.0);
            }
            events.onMetrics(Metrics.of(taken, Phase.ENCODER, metrics));
        }
        return taken;
    }

    /** Continues the current env's episodes, or resets a new env instance with a fresh seed. */
    private void attach(VectorEnv latentEnv) {
        if (latentEnv == env) {
            return;
        }
        int numEnvs = latentEnv.numEnvs();
        int obsDim = spec.observationDim();
        int latentDim = spec.actionDim();
        if (rollout == null || rollout.numEnvs != numEnvs) {
            rollout = new Rollout(config.unrollLength(), numEnvs, obsDim, latentDim);
            envStep = new VectorStep(numEnvs, obsDim);
            observations = new float[numEnvs * obsDim];
            actions = new float[numEnvs * latentDim];
            noise = new float[numEnvs * latentDim];
            episodeReturns = new double[numEnvs];
            // Rollout rows, the bootstrap rows, and at most one final observation per rollout row.
            criticInput = new float[(2 * rollout.size + numEnvs) * obsDim];
        }
        Arrays.fill(episodeReturns, 0);
        latentEnv.reset(envSeedRandom.nextLong(), observations);
        env = latentEnv;
    }

    /**
     * Steps every sub-env {@code unrollLength} times, one batched actor forward per step.
     *
     * @return {@code [sum, count]} of the raw returns of episodes that finished in this rollout
     */
    private double[] collectRollout(long stepsBefore) {
        int numEnvs = rollout.numEnvs;
        int obsDim = rollout.observationDim;
        int latentDim = rollout.latentDim;
        double returnSum = 0;
        int finishedEpisodes = 0;
        for (int t = 0; t < rollout.steps; t++) {
            int row = t * numEnvs;
            System.arraycopy(observations, 0, rollout.observations, row * obsDim, numEnvs * obsDim);
            sampleLatents(row);
            collectedSteps = row + numEnvs;
            try {
                env.step(actions, envStep);
            } catch (NonFiniteException e) {
                long step = stepsBefore + row + Math.max(0, e.subEnv()) + 1;
                throw new NonFiniteException(e.getMessage(), e.subEnv(), step, e);
            }
            float[] rewards = envStep.rewards();
            boolean[] terminated = envStep.terminated();
            boolean[] truncated = envStep.truncated();
            for (int i = 0; i < numEnvs; i++) {
                int j = row + i;
                // Checked as it arrives: a NaN observation would otherwise be acted on in the next step.
                requireFinite(envStep, i, t, stepsBefore + row + i + 1);
                rollout.rewards[j] = rewards[i];
                rollout.terminated[j] = terminated[i];
                rollout.truncated[j] = truncated[i];
                episodeReturns[i] += rewards[i];
                if (terminated[i] || truncated[i]) {
                    System.arraycopy(envStep.finalObservations(), i * obsDim, rollout.finalObservations,
                            j * obsDim, obsDim);
                    returnSum += episodeReturns[i];
                    finishedEpisodes++;
                    episodeReturns[i] = 0;
                }
            }
            System.arraycopy(envStep.observations(), 0, observations, 0, numEnvs * obsDim);
        }
        System.arraycopy(observations, 0, rollout.bootstrapObservations, 0, numEnvs * obsDim);
        return new double[] {returnSum, finishedEpisodes};
    }

    /** Throws for a non-finite reward, observation or final observation of sub-env {@code i} in {@code step}. */
    private static void requireFinite(VectorStep step, int i, int t, long envStep) {
        String what = null;
        if (!Float.isFinite(step.rewards()[i])) {
            what = "reward " + step.rewards()[i];
        }
        int obsDim = step.observationDim();
        boolean done = step.terminated()[i] || step.truncated()[i];
        for (int k = i * obsDim; what == null && k < (i + 1) * obsDim; k++) {
            if (!Float.isFinite(step.observations()[k])) {
                what = "observation[" + (k - i * obsDim) + "] " + step.observations()[k];
            } else if (done && !Float.isFinite(step.finalObservations()[k])) {
                what = "final observation[" + (k - i * obsDim) + "] " + step.finalObservations()[k];
            }
        }
        if (what != null) {
            throw new NonFiniteException("non-finite " + what + " from sub-env " + i + " at rollout step " + t
                    + " (env step " + envStep + " of this learn call)", i, envStep);
        }
    }

    /** Samples {@code eps = mean + std * z} for the current observations into {@link #actions} and the rollout. */
    private void sampleLatents(int row) {
        int numEnvs = rollout.numEnvs;
        int latentDim = rollout.latentDim;
        for (int k = 0; k < noise.length; k++) {
            noise[k] = (float) noiseRandom.nextGaussian();
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray obs = scope.create(observations, new Shape(numEnvs, spec.observationDim()));
            GaussianActor.Head head = policy(obs);
            NDArray z = scope.create(noise, new Shape(numEnvs, latentDim));
            NDArray latent = head.mean().add(head.std().mul(z));
            NDArray logProbability = Gaussian.logProbability(latent, head.mean(), head.std()).reshape(numEnvs, 1);
            // One copy back per step: [latent | log pi] row by row.
            float[] out = latent.concat(logProbability, 1).toFloatArray();
            for (int i = 0; i < numEnvs; i++) {
                int src = i * (latentDim + 1);
                System.arraycopy(out, src, actions, i * latentDim, latentDim);
                System.arraycopy(out, src, rollout.latents, (row + i) * latentDim, latentDim);
                rollout.logProbabilities[row + i] = out[src + latentDim];
            }
        }
    }

    /**
     * Fills values, next values (bootstrapping from the final observation on truncation), advantages and
     * returns. The critic sees the observation statistics that the update will use.
     */
    private void computeAdvantages() {
        int size = rollout.size;
        int numEnvs = rollout.numEnvs;
        int obsDim = rollout.observationDim;
        // One critic pass over [rollout rows | rows after the rollout | final rows of truncated episodes].
        System.arraycopy(rollout.observations, 0, criticInput, 0, size * obsDim);
        System.arraycopy(rollout.bootstrapObservations, 0, criticInput, size * obsDim, numEnvs * obsDim);
        int rows = size + numEnvs;
        int[] finalRow = new int[size];
        for (int j = 0; j < size; j++) {
            if (rollout.truncated[j] && !rollout.terminated[j]) {
                System.arraycopy(rollout.finalObservations, j * obsDim, criticInput, rows * obsDim, obsDim);
                finalRow[j] = rows++;
            } else {
                finalRow[j] = -1;
            }
        }
        float[] allValues = criticValues(criticInput, rows);
        System.arraycopy(allValues, 0, rollout.values, 0, size);
        for (int j = 0; j < size; j++) {
            if (finalRow[j] >= 0) {
                rollout.nextValues[j] = allValues[finalRow[j]]; // truncated: bootstrap from V(final obs)
            } else {
                // The next row of the same sub-env, or the row after the rollout; ignored on termination.
                rollout.nextValues[j] = allValues[j + numEnvs];
            }
            rollout.scaledRewards[j] = (float) (rollout.rewards[j] * config.rewardScaling());
        }
        Gae.compute(rollout.scaledRewards, rollout.values, rollout.nextValues, rollout.terminated,
                rollout.truncated, rollout.steps, numEnvs, config.gamma(), config.gaeLambda(),
                rollout.advantages, rollout.returns);
    }

    private float[] criticValues(float[] input, int rows) {
        int obsDim = spec.observationDim();
        float[] values = new float[rows];
        for (int from = 0; from < rows; from += VALUE_CHUNK_ROWS) {
            int n = Math.min(VALUE_CHUNK_ROWS, rows - from);
            try (NDManager scope = manager.newSubManager()) {
                NDArray obs = scope.create(FloatBuffer.wrap(input, from * obsDim, n * obsDim), new Shape(n, obsDim),
                        DataType.FLOAT32);
                System.arraycopy(critic.forward(normalize(obs)).toFloatArray(), 0, values, from, n);
            }
        }
        return values;
    }

    /** Runs the epochs of minibatch updates and returns the averaged losses and statistics. */
    private Map<String, Double> optimize(long stepsBefore) {
        int size = rollout.size;
        int minibatches = config.minibatches();
        int[] order = new int[size];
        for (int j = 0; j < size; j++) {
            order[j] = j;
        }
        Minibatch minibatch = new Minibatch((size + minibatches - 1) / minibatches, spec.observationDim(),
                spec.actionDim());
        double[] sums = new double[UpdateStats.COUNT];
        int count = 0;
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            Shuffle.inPlace(order, shuffleRandom);
            for (int m = 0; m < minibatches; m++) {
                int from = (int) ((long) m * size / minibatches);
                int to = (int) ((long) (m + 1) * size / minibatches);
                minibatch.gather(rollout, order, from, to, config.normalizeAdvantages());
                float[] stats = update(minibatch, stepsBefore, epoch, m);
                for (int k = 0; k < sums.length; k++) {
                    sums[k] += stats[k];
                }
                count++;
            }
        }
        updates++;
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (int k = 0; k < UpdateStats.COUNT; k++) {
            metrics.put(UpdateStats.NAMES[k], sums[k] / count);
        }
        return metrics;
    }

    /** The names and order of the per-minibatch statistics that {@link #update} returns. */
    private static final class UpdateStats {
        static final String[] NAMES = {"loss", "policy_loss", "value_loss", "entropy", "kl_to_prior", "approx_kl",
            "clip_fraction", "policy_std", "grad_norm"};
        static final int COUNT = NAMES.length;
    }

    /** One gradient step on one minibatch; returns {@link UpdateStats} in order. */
    private float[] update(Minibatch mb, long stepsBefore, int epoch, int index) {
        int n = mb.size;
        int obsDim = spec.observationDim();
        int latentDim = spec.actionDim();
        float[] stats = new float[UpdateStats.COUNT];
        try (NDManager scope = manager.newSubManager()) {
            NDArray obs = scope.create(FloatBuffer.wrap(mb.observations, 0, n * obsDim), new Shape(n, obsDim),
                    DataType.FLOAT32);
            NDArray latents = scope.create(FloatBuffer.wrap(mb.latents, 0, n * latentDim),
                    new Shape(n, latentDim), DataType.FLOAT32);
            NDArray oldLogProbabilities = vector(scope, mb.logProbabilities, n);
            NDArray advantages = vector(scope, mb.advantages, n);
            NDArray returns = vector(scope, mb.returns, n);
            NDArray oldValues = vector(scope, mb.values, n);
            NDArray x = normalize(obs);
            NDArray loss;
            NDArray policyLoss;
            NDArray valueLoss;
            NDArray entropy;
            NDArray kl;
            NDArray logRatio;
            NDArray ratio;
            NDArray std;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                GaussianActor.Head head = actor.forward(x);
                std = head.std();
                NDArray logProbabilities = Gaussian.logProbability(latents, head.mean(), std);
                logRatio = logProbabilities.sub(oldLogProbabilities);
                ratio = logRatio.exp();
                policyLoss = PpoLoss.clippedSurrogate(ratio, advantages, clip);
                NDArray values = critic.forward(x).reshape(n);
                // Value clipping (off by default) limits how far V moves from the rollout's values per update.
                valueLoss = PpoLoss.valueLoss(values, returns, oldValues, config.valueClipping() ? clip : Double.NaN);
                // The entropy bonus keeps exploration alive early; the KL term pulls pi_theta towards N(0, I),
                // the prior that the decoder was trained to map to good actions.
                entropy = Gaussian.entropy(std).mean();
                kl = PpoLoss.klToPrior(head.mean(), std, config.klMode());
                loss = policyLoss
                        .add(PpoLoss.scaled(valueLoss, config.valueLossCoefficient()))
                        .sub(PpoLoss.scaled(entropy, config.entropyCoefficient()))
                        .add(PpoLoss.scaled(kl, klBeta));
                collector.backward(loss);
            }
            // Diagnostics, outside the collector: CleanRL's low-variance KL estimate and the clipped fraction.
            NDArray approxKl = ratio.sub(1).sub(logRatio).mean();
            NDArray clipFraction = ratio.sub(1).abs().gt((float) clip).toType(DataType.FLOAT32, false).mean();
            float[] values = NDArrays.stack(new NDList(loss, policyLoss, valueLoss, entropy, kl, approxKl,
                    clipFraction, std.mean())).toFloatArray();
            System.arraycopy(values, 0, stats, 0, values.length);
        }
        for (int k = 0; k < UpdateStats.COUNT - 1; k++) {
            if (!Float.isFinite(stats[k])) {
                adam.zeroGradients();
                throw nonFinite(UpdateStats.NAMES[k], stats[k], stepsBefore, epoch, index);
            }
        }
        // Global gradient-norm clip (the stage's): one bad minibatch cannot throw the policy far.
        double gradNorm = adam.clipGradientNorm(gradNormClip);
        if (!Double.isFinite(gradNorm)) {
            adam.zeroGradients();
            throw nonFinite("grad_norm", gradNorm, stepsBefore, epoch, index);
        }
        adam.step();
        stats[UpdateStats.COUNT - 1] = (float) gradNorm;
        return stats;
    }

    private NonFiniteException nonFinite(String quantity, double value, long stepsBefore, int epoch, int index) {
        return new NonFiniteException("PPO " + quantity + " is " + value + " in the update after env step "
                + (stepsBefore + rollout.size) + " of this learn call (update " + (updates + 1) + ", epoch " + epoch
                + ", minibatch " + index + "); lower the learning rate or the reward scaling, or check the env", -1,
                stepsBefore + rollout.size);
    }

    private static NDArray vector(NDManager scope, float[] values, int n) {
        return scope.create(FloatBuffer.wrap(values, 0, n), new Shape(n), DataType.FLOAT32);
    }

    private NDArray normalize(NDArray observations) {
        return config.normalizeObservations() ? normalizer.normalize(observations) : observations;
    }

    @Override
    public NDArray act(NDArray observations, boolean deterministic) {
        requireInitialized();
        int batch = (int) Validate.rows("observations", observations, spec.observationDim());
        NDManager caller = observations.getManager();
        try (NDManager scope = manager.newSubManager()) {
            NDArray obs = observations.toDevice(manager.getDevice(), true);
            obs.attach(scope);
            GaussianActor.Head head = policy(obs);
            NDArray latent;
            if (deterministic) {
                latent = head.mean();
            } else {
                float[] z = new float[batch * spec.actionDim()];
                for (int k = 0; k < z.length; k++) {
                    z[k] = (float) actRandom.nextGaussian();
                }
                latent = head.mean().add(head.std().mul(scope.create(z, new Shape(batch, spec.actionDim()))));
            }
            NDArray result = latent.toDevice(observations.getDevice(), true);
            result.attach(caller);
            return result;
        }
    }

    @Override
    public double klWeight() {
        return klBeta;
    }

    @Override
    public String name() {
        return "ppo";
    }

    @Override
    public Map<String, Object> config() {
        return config.toMap();
    }

    @Override
    public void save(Path directory) throws IOException {
        requireInitialized();
        Map<String, float[]> entries = new LinkedHashMap<>();
        entries.put("dims", new float[] {spec.observationDim(), spec.actionDim()});
        actor.mlp().writeTo(entries, "actor");
        critic.writeTo(entries, "critic");
        for (Map.Entry<String, float[]> e : adam.state().entrySet()) {
            entries.put("adam." + e.getKey(), e.getValue());
        }
        entries.putAll(normalizer.state("normalizer"));
        entries.put("stage", DoubleBits.encode(klBeta, clip, gradNormClip));
        TensorFile.write(directory.resolve(FILE_NAME), FILE_KIND, FILE_VERSION, entries);
    }

    @Override
    public void load(Path directory) throws IOException {
        requireInitialized();
        Path file = directory.resolve(FILE_NAME);
        TensorFile.Content content = TensorFile.read(file, FILE_KIND, FILE_VERSION);
        float[] dims = content.require("dims", 2);
        requireSame(file, "observationDim", (int) dims[0], spec.observationDim());
        requireSame(file, "latentDim", (int) dims[1], spec.actionDim());
        actor.mlp().readFrom(content, "actor", file);
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
            throw new IOException(file + " does not match this PPO: " + e.getMessage(), e);
        }
        double[] stage = DoubleBits.decode(content.require("stage", 6), 3, "stage");
        klBeta = stage[0];
        clip = stage[1];
        gradNormClip = stage[2];
    }

    private static void requireSame(Path file, String what, int saved, int current) throws IOException {
        if (saved != current) {
            throw new IOException(file + " was saved with " + what + " " + saved + ", but this PPO has " + what
                    + " " + current);
        }
    }

    private void requireInitialized() {
        if (spec == null) {
            throw new IllegalStateException("call initialize(latentSpec, device, seed) first");
        }
        if (manager == null) {
            throw new IllegalStateException("this PPO is closed");
        }
    }

    /**
     * The latent policy's parameters at raw observations (for {@link #act} and tests).
     *
     * @param rawObservations {@code [batch, observationDim]}
     * @return mean and std {@code [batch, latentDim]}, attached to the input's manager
     */
    GaussianActor.Head policy(NDArray rawObservations) {
        return actor.forward(normalize(rawObservations));
    }

    /** The buffers of the last rollout, for tests. */
    Rollout lastRollout() {
        return rollout;
    }

    /**
     * The critic's values at raw observations, for tests.
     *
     * @param rawObservations row-major {@code [rows, observationDim]}
     * @param rows the number of rows
     * @return {@code [rows]}
     */
    float[] values(float[] rawObservations, int rows) {
        return criticValues(rawObservations, rows);
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
        return "LatentPpo" + config.toMap();
    }
}
