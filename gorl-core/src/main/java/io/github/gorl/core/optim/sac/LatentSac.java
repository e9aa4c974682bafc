package io.github.gorl.core.optim.sac;

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
import io.github.gorl.core.optim.GaussianHead;
import io.github.gorl.core.optim.NonFiniteValues;
import io.github.gorl.core.optim.PolicyInference;
import io.github.gorl.core.optim.RandomStreams;
import io.github.gorl.decoders.nn.Adam;
import io.github.gorl.decoders.nn.DoubleBits;
import io.github.gorl.decoders.nn.Gaussian;
import io.github.gorl.decoders.nn.Mlp;
import io.github.gorl.decoders.nn.RunningNormalizer;
import io.github.gorl.decoders.nn.Scalars;
import io.github.gorl.decoders.nn.TensorFile;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
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
 * Latent SAC, read top to bottom like CleanRL's {@code sac_continuous_action.py}: step every sub-environment
 * with {@code eps ~ pi_theta(.|s)}, store the transitions, and once the buffer holds {@code learningStarts}
 * of them run {@code updatesPerStep} gradient updates per environment step. Built by {@link Sac#latent()}.
 *
 * <p>One update on a minibatch {@code (s, eps, r, s', d)} ({@code d} = terminated; a truncated transition
 * bootstraps from its final observation {@code s'}), with {@code R(s)} the regularizer of
 * {@link Sac.Regularization}: {@code alpha * log pi(eps|s)} and/or {@code beta * KL(pi(.|s) || N(0, I))}:
 *
 * <pre>
 * y        = c_r r + gamma (1 - d) (min_i Q'_i(s', eps') - R(s')),      eps' ~ pi_theta(.|s')
 * L_Q      = 0.5 mean((Q_1(s, eps) - y)^2) + 0.5 mean((Q_2(s, eps) - y)^2)
 * L_pi     = mean(R(s) - min_i Q_i(s, eps~)),                           eps~ = mean(s) + std(s) z, z ~ N(0, I)
 * L_alpha  = -log alpha * mean(log pi(eps~|s) + H_target)
 * Q'_i     = (1 - tau) Q'_i + tau Q_i
 * </pre>
 *
 * <p>Randomness (initialization, sampling noise, minibatch indices, env reset seeds) comes from Java
 * {@link SplittableRandom}s split from the seed given to {@link #initialize}, so a run with the same seed and
 * the same calls is reproducible on the CPU. Not thread-safe.
 */
final class LatentSac implements LatentPolicyOptimizer {

    private static final Logger LOG = LoggerFactory.getLogger(LatentSac.class);

    static final String FILE_NAME = "latent-sac.tensors";
    static final String FILE_KIND = "latent-sac";
    static final int FILE_VERSION = 1;
    /** The replay buffer's own file, written only when {@code saveReplayBuffer} is on. */
    static final String REPLAY_FILE_NAME = "replay-buffer.tensors";
    static final String REPLAY_FILE_KIND = "sac-replay-buffer";
    static final int REPLAY_FILE_VERSION = 1;

    private final SacConfig config;
    // The per-stage knobs: the builder's values until beginStage applies a stage's.
    private double klBeta;
    private double gradNormClip;

    private EnvSpec spec;
    private NDManager manager;
    private GaussianHead actor;
    private Mlp q1;
    private Mlp q2;
    private Mlp q1Target;
    private Mlp q2Target;
    /** {@code log alpha}, shape {@code [1]}, learned by its own Adam. */
    private NDArray logAlpha;
    private double alpha;
    private double targetEntropy;
    private Adam actorAdam;
    private Adam criticAdam;
    private Adam alphaAdam;
    private RunningNormalizer normalizer;
    private ReplayBuffer buffer;
    private ReplayBuffer.Batch batch;
    private RandomStreams random;

    // The env being learned on: its episodes continue across learn calls with the same instance.
    private VectorEnv env;
    private VectorStep envStep;
    private float[] observations;
    private float[] latents;
    private double[] episodeReturns;
    /** Fractional updates owed by the update-to-data ratio. */
    private double updateCredit;
    private long updates;
    /** Updates since the last {@code resetToPrior()}: while below {@code criticWarmupUpdates} the actor rests. */
    private long stageUpdates;
    private boolean skipNonFinite;

    LatentSac(SacConfig config) {
        this.config = config;
        this.klBeta = config.klToPrior();
        this.gradNormClip = config.gradNormClip();
    }

    @Override
    public void initialize(EnvSpec latentSpec, Device device, long seed) {
        Validate.notNull("latentSpec", latentSpec);
        Validate.notNull("device", device);
        if (spec != null) {
            throw new IllegalStateException("initialize must be called once; this SAC is already initialized for "
                    + spec);
        }
        int obsDim = latentSpec.observationDim();
        int latentDim = latentSpec.actionDim();
        buffer = new ReplayBuffer(config.bufferCapacity(), obsDim, latentDim);
        batch = new ReplayBuffer.Batch(config.batchSize(), obsDim, latentDim);
        spec = latentSpec;
        SplittableRandom root = new SplittableRandom(seed);
        long actorSeed = root.nextLong();
        long q1Seed = root.nextLong();
        long q2Seed = root.nextLong();
        random = RandomStreams.split(root);
        manager = NDManager.newBaseManager(device);
        actor = new GaussianHead(manager, obsDim, config.actorLayers(), latentDim, actorSeed,
                GaussianHead.StdMap.SOFTPLUS);
        q1 = new Mlp(manager, obsDim + latentDim, config.criticLayers(), 1, q1Seed);
        q2 = new Mlp(manager, obsDim + latentDim, config.criticLayers(), 1, q2Seed);
        q1Target = new Mlp(manager, obsDim + latentDim, config.criticLayers(), 1, q1Seed);
        q2Target = new Mlp(manager, obsDim + latentDim, config.criticLayers(), 1, q2Seed);
        actorAdam = new Adam(actor.mlp().parameters(), config.actorLearningRate());
        List<NDArray> critics = new ArrayList<>(q1.parameters());
        critics.addAll(q2.parameters());
        criticAdam = new Adam(critics, config.criticLearningRate());
        logAlpha = manager.create(new float[] {(float) Math.log(config.initialAlpha())}, new Shape(1));
        logAlpha.setRequiresGradient(true);
        alphaAdam = new Adam(List.of(logAlpha), config.alphaLearningRate());
        alpha = config.initialAlpha();
        targetEntropy = Double.isNaN(config.targetEntropy()) ? -latentDim : config.targetEntropy();
        normalizer = new RunningNormalizer(manager, obsDim, config.observationClip());
    }

    /**
     * Afterwards {@code pi_theta(eps | s) = N(0, I)} exactly for every {@code s}: the actor's output layer is
     * zeroed with biases giving mean 0 and std 1 and its hidden layers are re-drawn. The replay buffer is
     * cleared (its latents were decoded by the previous decoder), the temperature returns to
     * {@code initialAlpha}, and every Adam forgets its moments. The Q networks are re-drawn and copied into
     * their targets unless {@code resetCriticOnStage(false)} and they have been updated (a reset before any
     * update always re-draws them, so the first stage is the same with either setting); the observation
     * statistics are kept unless
     * {@code resetNormalizerOnStage(true)}. If this optimizer has been updated before (every stage but the first),
     * the next {@code criticWarmupUpdates} updates train the critics only.
     */
    @Override
    public void resetToPrior() {
        requireInitialized();
        actor.resetToPrior(random.reinit().nextLong());
        long q1Seed = random.reinit().nextLong();
        long q2Seed = random.reinit().nextLong();
        if (config.resetCriticOnStage() || updates == 0) {
            q1.reinitialize(q1Seed);
            q2.reinitialize(q2Seed);
            q1Target.copyFrom(q1);
            q2Target.copyFrom(q2);
        }
        if (config.resetNormalizerOnStage()) {
            normalizer.reset();
        }
        logAlpha.set(new float[] {(float) Math.log(config.initialAlpha())});
        alpha = config.initialAlpha();
        actorAdam.reset();
        criticAdam.reset();
        alphaAdam.reset();
        buffer.clear();
        updateCredit = 0;
        // The critic warm-up protects a policy worth keeping: none before the first update (the first stage's
        // prior through the identity decoder), where it would only delay learning.
        stageUpdates = updates > 0 ? 0 : config.criticWarmupUpdates();
    }

    /**
     * Restarts the random streams from {@code seed} and detaches the env, so that the next learn call resets it.
     * With the replay buffer, networks, Adam states, temperature and counters restored by {@link #load}, this
     * makes a run resumed from a checkpoint continue exactly like the uninterrupted one.
     */
    @Override
    public boolean reseed(long seed) {
        requireInitialized();
        random = RandomStreams.of(seed);
        env = null;
        return true;
    }

    @Override
    public void onNonFinite(NonFinitePolicy policy) {
        skipNonFinite = Validate.notNull("policy", policy) == NonFinitePolicy.SKIP_BATCH;
    }

    /** Applies the stage's KL weight and gradient-norm clip; SAC has no ratio clip. */
    @Override
    public void beginStage(Stage stage) {
        Validate.notNull("stage", stage);
        klBeta = stage.klBeta();
        gradNormClip = stage.gradNormClip();
    }

    @Override
    public long learn(VectorEnv latentEnv, long envSteps, TrainingListener listener) {
        requireInitialized();
        Validate.notNull("latentEnv", latentEnv);
        Validate.positive("envSteps", envSteps);
        TrainingListener events = listener == null ? TrainingListener.NONE : listener;
        Validate.sameDimensions(latentEnv.spec(), "this SAC", spec);
        attach(latentEnv);
        int numEnvs = latentEnv.numEnvs();
        int obsDim = spec.observationDim();
        long vectorSteps = (envSteps + numEnvs - 1) / numEnvs;
        long taken = 0;
        Report report = new Report();
        for (long v = 0; v < vectorSteps; v++) {
            // 1. Act: eps ~ pi_theta(.|s) for every sub-env, after merging s into the observation statistics.
            if (config.normalizeObservations()) {
                normalizer.update(observations, numEnvs);
            }
            sampleLatents(numEnvs);
            boolean envFailed = false;
            try {
                env.step(latents, envStep);
            } catch (NonFiniteException e) {
                // The vector env rejected a sub-env's value mid-step: none of this step's transitions is known.
                NonFiniteException located = new NonFiniteException(e.getMessage(), e.subEnv(),
                        taken + Math.max(0, e.subEnv()) + 1, e);
                if (!skipNonFinite) {
                    throw located;
                }
                report.skip(located, numEnvs);
                envFailed = true;
            }
            boolean restart = envFailed;
            // 2. Store: s' is the final observation where an episode ended, so truncation bootstraps from it.
            float[] rewards = envStep.rewards();
            boolean[] terminated = envStep.terminated();
            boolean[] truncated = envStep.truncated();
            for (int i = 0; i < numEnvs && !envFailed; i++) {
                String problem = NonFiniteValues.firstIn(envStep, i);
                if (problem != null) {
                    NonFiniteException e = new NonFiniteException("non-finite " + problem + " from sub-env " + i
                            + " at env step " + (taken + i + 1) + " of this learn call", i, taken + i + 1);
                    if (!skipNonFinite) {
                        throw e;
                    }
                    report.skip(e, 1);
                    restart = true;
                    continue;
                }
                boolean done = terminated[i] || truncated[i];
                buffer.add(observations, i, latents, rewards[i],
                        done ? envStep.finalObservations() : envStep.observations(), i, terminated[i], truncated[i]);
                episodeReturns[i] += rewards[i];
                if (done) {
                    report.episode(episodeReturns[i]);
                    episodeReturns[i] = 0;
                }
            }
            if (restart) {
                // Skipped: end every episode (the vector env cannot reset one sub-env alone) and start afresh.
                Arrays.fill(episodeReturns, 0);
                env.reset(random.envSeeds().nextLong(), observations);
            } else {
                System.arraycopy(envStep.observations(), 0, observations, 0, numEnvs * obsDim);
            }
            taken += numEnvs;
            // 3. Learn: updatesPerStep gradient updates per transition once the buffer is warm.
            if (buffer.size() >= config.learningStarts()) {
                updateCredit += numEnvs * config.updatesPerStep();
                while (updateCredit >= 1) {
                    updateCredit -= 1;
                    report.update(update(taken));
                }
            }
            if (taken - report.fromStep >= config.logInterval() || v == vectorSteps - 1) {
                events.onMetrics(Metrics.of(taken, Phase.ENCODER, report.metrics(taken, alphaOrZero(), skipNonFinite)));
                report = new Report();
                report.fromStep = taken;
            }
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
        if (observations == null || envStep.numEnvs() != numEnvs) {
            envStep = new VectorStep(numEnvs, obsDim);
            observations = new float[numEnvs * obsDim];
            latents = new float[numEnvs * spec.actionDim()];
            episodeReturns = new double[numEnvs];
        }
        Arrays.fill(episodeReturns, 0);
        latentEnv.reset(random.envSeeds().nextLong(), observations);
        env = latentEnv;
    }

    /** Samples {@code eps = mean + std * z} for the current observations into {@link #latents}. */
    private void sampleLatents(int numEnvs) {
        int latentDim = spec.actionDim();
        try (NDManager scope = manager.newSubManager()) {
            NDArray obs = scope.create(FloatBuffer.wrap(observations, 0, numEnvs * spec.observationDim()),
                    new Shape(numEnvs, spec.observationDim()), DataType.FLOAT32);
            GaussianHead.Distribution head = actor.forward(normalize(obs));
            float[] mean = head.mean().toFloatArray();
            float[] std = head.std().toFloatArray();
            for (int k = 0; k < numEnvs * latentDim; k++) {
                latents[k] = mean[k] + std[k] * (float) random.noise().nextGaussian();
            }
        }
    }

    /** The names and order of the per-update statistics that {@link #update} returns. */
    static final class UpdateStats {
        static final String[] NAMES = {"q_loss", "actor_loss", "alpha", "entropy", "kl_to_prior"};
        static final int COUNT = NAMES.length;
    }

    /**
     * One gradient update of the critics, the actor, the temperature and the targets, on a fresh minibatch. During
     * the critic warm-up (the first {@code criticWarmupUpdates} updates after a {@code resetToPrior()} that followed
     * training) only the critics and the targets are updated, and the actor's statistics are NaN.
     *
     * @param stepInCall the env steps taken so far in this learn call, for error messages
     * @return {@link UpdateStats} in order
     */
    float[] update(long stepInCall) {
        buffer.sample(random.minibatches(), batch);
        int n = batch.size;
        int obsDim = spec.observationDim();
        int latentDim = spec.actionDim();
        float[] stats = new float[UpdateStats.COUNT];
        double meanLogProbability = Double.NaN;
        // Critic warm-up: fresh critics first learn the values of the policy the stage starts from.
        boolean warmup = stageUpdates < config.criticWarmupUpdates();
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = normalize(matrix(scope, batch.observations, n, obsDim));
            NDArray xNext = normalize(matrix(scope, batch.nextObservations, n, obsDim));
            NDArray eps = matrix(scope, batch.latents, n, latentDim);
            NDArray rewards = matrix(scope, batch.rewards, n, 1).reshape(n);
            NDArray notTerminated = matrix(scope, batch.notTerminated, n, 1).reshape(n);
            // 1. The soft target, without gradients.
            NDArray y = qTargets(xNext, rewards, notTerminated, matrix(scope, gaussian(n * latentDim), n, latentDim));
            // 2. Critics: regress both Q networks on the same target.
            NDArray qLoss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray input = NDArrays.concat(new NDList(x, eps), 1);
                NDArray e1 = q1.forward(input).reshape(n).sub(y);
                NDArray e2 = q2.forward(input).reshape(n).sub(y);
                qLoss = Scalars.times(e1.square().mean().add(e2.square().mean()), 0.5);
                collector.backward(qLoss);
            }
            stats[0] = qLoss.getFloat();
            if (!Float.isFinite(stats[0])) {
                criticAdam.zeroGradients();
                throw nonFinite("q_loss", stats[0], stepInCall);
            }
            step(criticAdam, "critic grad_norm", stepInCall);
            if (warmup) {
                stats[1] = Float.NaN;
                stats[3] = Float.NaN;
                stats[4] = Float.NaN;
            } else {
                // 3. Actor: reparameterized eps~ = mean + std z, scored by the smaller (just updated) Q.
                NDArray z = matrix(scope, gaussian(n * latentDim), n, latentDim);
                NDArray actorLoss;
                NDArray logProbability;
                NDArray entropy;
                NDArray kl;
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    GaussianHead.Distribution head = actor.forward(x);
                    NDArray sampled = head.mean().add(head.std().mul(z));
                    logProbability = Gaussian.logProbability(sampled, head.mean(), head.std());
                    NDArray input = NDArrays.concat(new NDList(x, sampled), 1);
                    NDArray perState = q1.forward(input).minimum(q2.forward(input)).reshape(n).neg();
                    kl = Gaussian.klToStandardNormal(head.mean(), head.std());
                    perState = regularize(perState, logProbability, kl);
                    actorLoss = perState.mean();
                    entropy = Gaussian.entropy(head.std()).mean();
                    collector.backward(actorLoss);
                }
                // The actor's loss reached the critics' parameters too: only the actor may step on it.
                criticAdam.zeroGradients();
                String[] names = {"actor_loss", "log_probability", "entropy", "kl_to_prior"};
                float[] values = NDArrays.stack(new NDList(actorLoss, logProbability.mean(), entropy, kl.mean()))
                        .toFloatArray();
                for (int k = 0; k < values.length; k++) {
                    if (!Float.isFinite(values[k])) {
                        actorAdam.zeroGradients();
                        throw nonFinite(names[k], values[k], stepInCall);
                    }
                }
                stats[1] = values[0];
                meanLogProbability = values[1];
                stats[3] = values[2];
                stats[4] = values[3];
                step(actorAdam, "actor grad_norm", stepInCall);
            }
        }
        // 4. Temperature: alpha rises while the entropy is below the target, falls while above.
        if (!warmup && config.regularization().entropy() && config.autoTuneAlpha()) {
            updateTemperature(meanLogProbability);
        }
        stats[2] = (float) alphaOrZero();
        // 5. Targets: slow Polyak averages of the online critics.
        q1Target.polyakUpdate(q1, config.tau());
        q2Target.polyakUpdate(q2, config.tau());
        updates++;
        stageUpdates++;
        return stats;
    }

    /**
     * The critic target of a minibatch: {@code y = c_r r + gamma (1 - d) (min_i Q'_i(s', eps') - R(s'))} with
     * {@code eps' = mean(s') + std(s') z}, without gradients.
     *
     * @param xNext the normalized next observations {@code [n, observationDim]}
     * @param rewards the raw rewards {@code [n]}
     * @param notTerminated {@code 1 - terminated} {@code [n]}
     * @param z standard normal noise {@code [n, latentDim]}
     * @return {@code y}, {@code [n]}
     */
    NDArray qTargets(NDArray xNext, NDArray rewards, NDArray notTerminated, NDArray z) {
        long n = xNext.getShape().get(0);
        GaussianHead.Distribution head = actor.forward(xNext);
        NDArray next = head.mean().add(head.std().mul(z));
        NDArray input = NDArrays.concat(new NDList(xNext, next), 1);
        NDArray minQ = q1Target.forward(input).minimum(q2Target.forward(input)).reshape(n);
        NDArray soft = regularize(minQ.neg(), Gaussian.logProbability(next, head.mean(), head.std()),
                Gaussian.klToStandardNormal(head.mean(), head.std())).neg();
        return Scalars.times(rewards, config.rewardScaling())
                .add(Scalars.times(notTerminated.mul(soft), config.gamma()))
                .stopGradient();
    }

    /**
     * {@link #qTargets(NDArray, NDArray, NDArray, NDArray)} on Java arrays, for tests: raw next observations.
     *
     * @param nextObservations {@code [n, observationDim]}, raw
     * @param rewards {@code [n]}
     * @param notTerminated {@code [n]}
     * @param noise {@code [n, latentDim]}
     * @return {@code y}, {@code [n]}
     */
    float[] qTargets(float[] nextObservations, float[] rewards, float[] notTerminated, float[] noise) {
        int n = rewards.length;
        try (NDManager scope = manager.newSubManager()) {
            return qTargets(normalize(matrix(scope, nextObservations, n, spec.observationDim())),
                    matrix(scope, rewards, n, 1).reshape(n), matrix(scope, notTerminated, n, 1).reshape(n),
                    matrix(scope, noise, n, spec.actionDim())).toFloatArray();
        }
    }

    /**
     * Adds {@code R(s)} to a per-state loss: {@code alpha * log pi} and/or {@code beta * KL}, by the mode (through
     * {@link Scalars}: a Java number multiplied into a differentiated tensor must be a PyTorch-owned scalar).
     */
    private NDArray regularize(NDArray perState, NDArray logProbability, NDArray kl) {
        NDArray out = perState;
        if (config.regularization().entropy()) {
            out = out.add(Scalars.times(logProbability, alpha));
        }
        if (config.regularization().kl()) {
            out = out.add(Scalars.times(kl, klBeta));
        }
        return out;
    }

    /**
     * One temperature step on {@code L = -log alpha * (mean log pi + H_target)}: the gradient is
     * {@code H - H_target} with {@code H = -mean log pi}, so {@code alpha} grows while {@code H < H_target}.
     *
     * @param meanLogProbability {@code mean log pi(eps~ | s)} of the minibatch
     */
    void updateTemperature(double meanLogProbability) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray coefficient = scope.create(new float[] {(float) -(meanLogProbability + targetEntropy)},
                    new Shape(1));
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(coefficient.mul(logAlpha).sum());
            }
        }
        alphaAdam.step();
        alpha = Math.exp(logAlpha.getFloat());
        if (!Double.isFinite(alpha)) {
            throw new IllegalStateException("SAC temperature alpha became " + alpha + " after update " + updates
                    + "; lower alphaLearningRate or check the target entropy " + targetEntropy);
        }
    }

    /** Clips the global gradient norm to the stage's and steps; a non-finite norm is an error. */
    private void step(Adam adam, String what, long stepInCall) {
        double norm = adam.clipGradientNorm(gradNormClip);
        if (!Double.isFinite(norm)) {
            adam.zeroGradients();
            throw nonFinite(what, norm, stepInCall);
        }
        adam.step();
    }

    private NonFiniteException nonFinite(String quantity, double value, long stepInCall) {
        return new NonFiniteException("SAC " + quantity + " is " + value + " in update " + (updates + 1)
                + " (after env step " + stepInCall + " of this learn call); lower the learning rates or the reward"
                + " scaling, or check the env", -1, stepInCall);
    }

    private double alphaOrZero() {
        return config.regularization().entropy() ? alpha : 0;
    }

    private float[] gaussian(int count) {
        return Gaussian.standardNormal(random.noise(), count);
    }

    private static NDArray matrix(NDManager scope, float[] values, int rows, int cols) {
        return scope.create(FloatBuffer.wrap(values, 0, rows * cols), new Shape(rows, cols), DataType.FLOAT32);
    }

    private NDArray normalize(NDArray observations) {
        return config.normalizeObservations() ? normalizer.normalize(observations) : observations;
    }

    /** Averages of the update statistics and episode returns between two metrics reports. */
    private static final class Report {
        private final double[] sums = new double[UpdateStats.COUNT];
        // Per statistic: the actor's are NaN (and not counted) during the critic warm-up.
        private final int[] counts = new int[UpdateStats.COUNT];
        private double returnSum;
        private int episodes;
        private int skipped;
        private final long start = System.nanoTime();
        long fromStep;

        /** Counts {@code transitions} dropped for a non-finite value ({@link NonFinitePolicy#SKIP_BATCH}). */
        void skip(NonFiniteException cause, int transitions) {
            skipped += transitions;
            LOG.warn("{}; dropped {} transition(s) and reset the env (onNonFinite SKIP_BATCH)", cause.getMessage(),
                    transitions);
        }

        void update(float[] stats) {
            for (int k = 0; k < sums.length; k++) {
                if (!Float.isNaN(stats[k])) {
                    sums[k] += stats[k];
                    counts[k]++;
                }
            }
        }

        void episode(double episodeReturn) {
            returnSum += episodeReturn;
            episodes++;
        }

        Map<String, Double> metrics(long step, double currentAlpha, boolean countSkips) {
            Map<String, Double> metrics = new LinkedHashMap<>();
            for (int k = 0; k < UpdateStats.COUNT; k++) {
                metrics.put(UpdateStats.NAMES[k], counts[k] > 0 ? sums[k] / counts[k] : Double.NaN);
            }
            metrics.put("alpha", currentAlpha);
            metrics.put("train_episode_return", episodes > 0 ? returnSum / episodes : Double.NaN);
            metrics.put("steps_per_second", (step - fromStep) / ((System.nanoTime() - start) * 1e-9));
            if (countSkips) {
                metrics.put("skipped_transitions", (double) skipped);
            }
            return metrics;
        }
    }

    @Override
    public NDArray act(NDArray observations, boolean deterministic) {
        requireInitialized();
        return PolicyInference.act(manager, observations, spec.observationDim(),
                obs -> actor.forward(normalize(obs)).sample(random.act(), deterministic));
    }

    @Override
    public double klWeight() {
        return klBeta;
    }

    @Override
    public String name() {
        return "sac";
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
        // The four critics share one shape and so the one entry critic.sizes.
        q1.writeTo(entries, "critic", "q1");
        q2.writeTo(entries, "critic", "q2");
        q1Target.writeTo(entries, "critic", "q1_target");
        q2Target.writeTo(entries, "critic", "q2_target");
        entries.put("log_alpha", logAlpha.toFloatArray());
        putState(entries, "actor_adam.", actorAdam.state());
        putState(entries, "critic_adam.", criticAdam.state());
        putState(entries, "alpha_adam.", alphaAdam.state());
        entries.putAll(normalizer.state("normalizer"));
        entries.put("stage", DoubleBits.encode(klBeta, gradNormClip));
        entries.put("counters", DoubleBits.encode(updates, updateCredit));
        // Optional in version 1: files written before the critic warm-up existed lack it (see load).
        entries.put("stage_updates", DoubleBits.encode(stageUpdates));
        if (config.saveReplayBuffer()) {
            // Its own file, streamed from the buffer's arrays: it can be far larger than everything else.
            TensorFile.writeSlices(directory.resolve(REPLAY_FILE_NAME), REPLAY_FILE_KIND, REPLAY_FILE_VERSION,
                    buffer.slices());
        }
        TensorFile.write(directory.resolve(FILE_NAME), FILE_KIND, FILE_VERSION, entries);
    }

    /**
     * Restores what {@link #save} wrote. The replay buffer is restored, slot for slot, when the checkpoint holds
     * one ({@code saveReplayBuffer}, the default, whose checkpoints must hold it: a missing buffer file is refused);
     * otherwise it is emptied, and learning resumes after
     * {@code learningStarts} new transitions, so the resumed run differs from an uninterrupted one.
     */
    @Override
    public void load(Path directory) throws IOException {
        requireInitialized();
        Path file = directory.resolve(FILE_NAME);
        TensorFile.Content content = TensorFile.read(file, FILE_KIND, FILE_VERSION);
        Path replay = directory.resolve(REPLAY_FILE_NAME);
        // Read (and verified) before anything changes, like the main file. A checkpoint of this configuration has
        // the buffer: without it the resume would silently stop being exact, so its absence is reported.
        TensorFile.Content replayContent = config.saveReplayBuffer() || Files.exists(replay)
                ? TensorFile.read(replay, REPLAY_FILE_KIND, REPLAY_FILE_VERSION) : null;
        float[] dims = content.require("dims", 2);
        requireSame(file, "observationDim", (int) dims[0], spec.observationDim());
        requireSame(file, "latentDim", (int) dims[1], spec.actionDim());
        actor.mlp().readFrom(content, "actor", file);
        q1.readFrom(content, "critic", "q1", file);
        q2.readFrom(content, "critic", "q2", file);
        q1Target.readFrom(content, "critic", "q1_target", file);
        q2Target.readFrom(content, "critic", "q2_target", file);
        try {
            logAlpha.set(content.require("log_alpha", 1));
            alpha = Math.exp(logAlpha.getFloat());
            actorAdam.loadState(state(content, "actor_adam."));
            criticAdam.loadState(state(content, "critic_adam."));
            alphaAdam.loadState(state(content, "alpha_adam."));
            normalizer.loadState(content.entries(), "normalizer");
            if (replayContent != null) {
                buffer.restore(replayContent, replay);
            } else if (content.entries().containsKey("replay.size")) {
                // Written inside this file, oldest first, before the buffer had its own file.
                int n = (int) DoubleBits.decode(content.require("replay.size", 2), 1, "replay.size")[0];
                int obsDim = spec.observationDim();
                buffer.restore(n, content.require("replay.observations", n * obsDim),
                        content.require("replay.latents", n * spec.actionDim()),
                        content.require("replay.rewards", n),
                        content.require("replay.next_observations", n * obsDim),
                        content.require("replay.terminated", n), content.require("replay.truncated", n));
            } else {
                buffer.clear();
            }
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " does not match this SAC: " + e.getMessage(), e);
        }
        double[] stage = DoubleBits.decode(content.require("stage", 4), 2, "stage");
        klBeta = stage[0];
        gradNormClip = stage[1];
        double[] counters = DoubleBits.decode(content.require("counters", 4), 2, "counters");
        updates = (long) counters[0];
        updateCredit = counters[1];
        // Files written before the critic warm-up existed lack it: their stage had no warm-up to finish.
        stageUpdates = content.entries().containsKey("stage_updates")
                ? (long) DoubleBits.decode(content.require("stage_updates", 2), 1, "stage_updates")[0]
                : config.criticWarmupUpdates();
    }

    private static void putState(Map<String, float[]> entries, String prefix, Map<String, float[]> state) {
        for (Map.Entry<String, float[]> e : state.entrySet()) {
            entries.put(prefix + e.getKey(), e.getValue());
        }
    }

    private static Map<String, float[]> state(TensorFile.Content content, String prefix) {
        Map<String, float[]> state = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : content.entries().entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                state.put(e.getKey().substring(prefix.length()), e.getValue());
            }
        }
        return state;
    }

    private static void requireSame(Path file, String what, int saved, int current) throws IOException {
        if (saved != current) {
            throw new IOException(file + " was saved with " + what + " " + saved + ", but this SAC has " + what
                    + " " + current);
        }
    }

    private void requireInitialized() {
        if (spec == null) {
            throw new IllegalStateException("call initialize(latentSpec, device, seed) first");
        }
        if (manager == null) {
            throw new IllegalStateException("this SAC is closed");
        }
    }

    // Accessors for tests.

    GaussianHead actor() {
        return actor;
    }

    Mlp q1() {
        return q1;
    }

    Mlp q2() {
        return q2;
    }

    Mlp q1Target() {
        return q1Target;
    }

    Mlp q2Target() {
        return q2Target;
    }

    ReplayBuffer buffer() {
        return buffer;
    }

    double alpha() {
        return alpha;
    }

    double targetEntropy() {
        return targetEntropy;
    }

    long updates() {
        return updates;
    }

    long stageUpdates() {
        return stageUpdates;
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
        return "LatentSac" + config.toMap();
    }
}
