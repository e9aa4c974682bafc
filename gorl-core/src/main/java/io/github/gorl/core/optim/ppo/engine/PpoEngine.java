package io.github.gorl.core.optim.ppo.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.gorl.api.EncoderInit;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.NonFiniteException;
import io.github.gorl.api.NonFinitePolicy;
import io.github.gorl.api.Phase;
import io.github.gorl.api.Stage;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.Validate;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;
import io.github.gorl.core.optim.ComputeThreads;
import io.github.gorl.core.optim.NonFiniteValues;
import io.github.gorl.core.optim.PolicyInference;
import io.github.gorl.core.optim.RandomStreams;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.decoders.nn.Adam;
import io.github.gorl.decoders.nn.DoubleBits;
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
 * The one PPO engine, read top to bottom like CleanRL's {@code ppo_continuous_action.py}: collect a rollout of
 * {@code unrollLength} steps on every sub-environment, update the observation statistics, compute values and GAE
 * advantages, then run {@code epochs} passes of {@code minibatches} clipped-surrogate updates. What is optimized is a
 * plugged-in {@link PpoPolicy}: latent PPO's Gaussian ({@link Ppo#latent()}), FPO's flow and DPPO's denoising chain
 * (package {@code io.github.gorl.baselines}).
 *
 * <p>Per minibatch the loss is (all means over the minibatch):
 *
 * <pre>
 * L = -mean(min(r A, clip(r, 1 - eps, 1 + eps) A))       r = exp(l_theta(s, a) - l_old(s, a))
 *   + c_v * mean((V(s) - R)^2)
 *   + the policy's own terms (latent PPO: - c_e * mean(H[pi_theta(.|s)]) + beta * mean(KL(pi_theta(.|s) || N(0, I))))
 * </pre>
 *
 * With a policy's {@link PpoPolicy#statisticWidth()} {@code k > 1}, {@code r} is {@code [n, k]} (one ratio per FPO
 * draw or DPPO denoising step), each entry takes its row's advantage, and the first mean is over all {@code n * k}
 * entries; a policy's {@link PpoPolicy#logRatioClip()} {@code c} bounds the log-ratio to {@code [-c, c]} before
 * {@code exp}. There are two named switches: {@code dualClip} (Ye et al., 2020; NaN = off) bounds a
 * negative-advantage row's loss by {@code -c A} and clamps the log-ratio to {@code [-20, 20]}; {@code targetKl}
 * (+infinity = off) ends an update's epochs once an epoch's mean {@code approx_kl} exceeds it. Value clipping is
 * a third, optional switch.
 *
 * <p>Randomness (initialization, sampling noise, minibatch order, env reset seeds) comes from Java
 * {@link SplittableRandom}s split from the seed given to {@link #initialize} ({@link RandomStreams}), so a run with
 * the same seed and the same calls is reproducible on the CPU. Not thread-safe.
 *
 * <p>Internal: public so that the baselines can plug in; not part of the stable API (users build optimizers with
 * {@code Ppo.latent()}, {@code Fpo.builder()}, {@code Dppo.builder()}).
 */
public final class PpoEngine implements LatentPolicyOptimizer {

    private static final Logger LOG = LoggerFactory.getLogger(PpoEngine.class);

    /** Rows per critic forward pass when computing rollout values, to bound memory on large rollouts. */
    private static final int VALUE_CHUNK_ROWS = 8192;
    /** Rows per pass when recomputing {@code l_old}: FPO's statistic widens every row by its Monte-Carlo draws. */
    private static final int STATISTIC_CHUNK_ROWS = 4096;
    /** The clamp of the log-ratio under dual clipping. */
    private static final float LOG_RATIO_BOUND = 20f;

    /**
     * Where an optimizer saves itself.
     *
     * @param fileName the file in the checkpoint directory
     * @param kind the {@link TensorFile} kind
     * @param version the format version written
     * @param oldestVersion the oldest version read; a file older than {@code version} is the baselines' version 1,
     *     whose {@code stage} entry holds floats {@code [clip, gradNormClip]} instead of the double bits of
     *     {@code [klBeta, clip, gradNormClip]}
     */
    public record FileFormat(String fileName, String kind, int version, int oldestVersion) {}

    /**
     * The engine's validated options; the builders ({@code Ppo.Builder}, {@code BaselineBuilder}) fill them.
     *
     * @param name the optimizer's {@link #name()}
     * @param config the optimizer's {@link #config()}, every builder option by name
     * @param file the checkpoint file
     * @param criticLayers hidden widths of {@code V(s)}
     * @param unrollLength env steps per sub-env per rollout
     * @param minibatches minibatches per epoch
     * @param epochs passes over each rollout (fewer when {@code targetKl} stops early)
     * @param learningRate Adam's step size (policy and critic)
     * @param gamma the discount
     * @param gaeLambda the GAE lambda
     * @param rewardScaling the factor on rewards before GAE
     * @param valueLossCoefficient {@code c_v}
     * @param valueClipping whether the value loss is clipped around the rollout's values by the stage's clip
     * @param normalizeAdvantages whether each minibatch's advantages are rescaled to mean 0, std 1
     * @param normalizeObservations whether networks see running-normalized observations
     * @param observationClip the bound on normalized observations
     * @param klBeta the prior penalty's weight until a stage sets its own (used when the policy has one)
     * @param clip the PPO clip {@code eps} until a stage sets its own
     * @param gradNormClip the global gradient-norm clip until a stage sets its own; +infinity for none
     * @param dualClip the dual clip {@code c > 1}, or NaN for none
     * @param targetKl the epoch-mean {@code approx_kl} that stops an update, or +infinity for none
     * @param reportUpdateEpochs whether the metrics report {@code update_epochs} (the builders that offer
     *     {@code targetKl} do)
     * @param resetCriticOnStage whether {@link #resetToPrior} re-draws the critic
     * @param resetNormalizerOnStage whether {@link #resetToPrior} forgets the observation statistics
     * @param batchSize 0 for CleanRL's update shape (a rollout of {@code unrollLength} steps per sub-env, shuffled
     *     single transitions, advantages once per rollout); {@code > 0} for the reference's (Brax's): an iteration
     *     collects {@code batchSize * minibatches} sequences of {@code unrollLength} contiguous steps, and each of the
     *     {@code epochs} passes splits them into {@code minibatches} minibatches of {@code batchSize} whole
     *     sequences, whose advantages are computed in the minibatch with the current critic
     */
    public record Settings(String name, Map<String, Object> config, FileFormat file, int[] criticLayers,
            int unrollLength, int minibatches, int epochs, double learningRate, double gamma, double gaeLambda,
            double rewardScaling, double valueLossCoefficient, boolean valueClipping, boolean normalizeAdvantages,
            boolean normalizeObservations, double observationClip, double klBeta, double clip, double gradNormClip,
            double dualClip, double targetKl, boolean reportUpdateEpochs, boolean resetCriticOnStage,
            boolean resetNormalizerOnStage, int batchSize) {

        /** Validates the update shape. */
        public Settings {
            Validate.nonNegative("batchSize", batchSize);
            if (batchSize > 0 && valueClipping) {
                throw new IllegalArgumentException("valueClipping needs the rollout's values, which sequence "
                        + "minibatches (batchSize " + batchSize + ") recompute per minibatch; turn one off");
            }
        }

        /** CleanRL's update shape ({@code batchSize} 0). */
        public Settings(String name, Map<String, Object> config, FileFormat file, int[] criticLayers,
                int unrollLength, int minibatches, int epochs, double learningRate, double gamma, double gaeLambda,
                double rewardScaling, double valueLossCoefficient, boolean valueClipping, boolean normalizeAdvantages,
                boolean normalizeObservations, double observationClip, double klBeta, double clip,
                double gradNormClip, double dualClip, double targetKl, boolean reportUpdateEpochs,
                boolean resetCriticOnStage, boolean resetNormalizerOnStage) {
            this(name, config, file, criticLayers, unrollLength, minibatches, epochs, learningRate, gamma, gaeLambda,
                    rewardScaling, valueLossCoefficient, valueClipping, normalizeAdvantages, normalizeObservations,
                    observationClip, klBeta, clip, gradNormClip, dualClip, targetKl, reportUpdateEpochs,
                    resetCriticOnStage, resetNormalizerOnStage, 0);
        }

        /** Whether updates take minibatches of whole sequences (the reference's shape). */
        boolean sequenceMinibatches() {
            return batchSize > 0;
        }
    }

    private final Settings settings;
    private final PpoPolicy policy;
    /** The names and order of the per-minibatch statistics that {@link #update} returns; grad_norm last. */
    private final String[] statNames;
    private final int approxKlStat;
    // The per-stage knobs: the builder's values until beginStage applies a stage's.
    private double klBeta;
    private double clip;
    private double gradNormClip;
    private double learningRate;

    private EnvSpec spec;
    private NDManager manager;
    private Mlp critic;
    private Adam adam;
    private RunningNormalizer normalizer;
    private RandomStreams random;

    // The env being learned on: its episodes continue across learn calls with the same instance.
    private VectorEnv env;
    private VectorStep envStep;
    private float[] observations;
    private float[] actions;
    private double[] episodeReturns;
    private Rollout rollout;
    private float[] criticInput;
    private long updates;
    private long gradientSteps;
    private int[] lastMinibatchShape = new int[0];
    private boolean skipNonFinite;
    /** The env steps the current (or an aborted) rollout took, so a dropped batch still counts them. */
    private int collectedSteps;

    /**
     * An engine around {@code policy}; call {@link #initialize} before use.
     *
     * @param settings the options
     * @param policy the policy to optimize, not yet initialized
     */
    public PpoEngine(Settings settings, PpoPolicy policy) {
        this.settings = settings;
        this.policy = policy;
        this.klBeta = settings.klBeta();
        this.clip = settings.clip();
        this.gradNormClip = settings.gradNormClip();
        this.learningRate = settings.learningRate();
        List<String> names = new ArrayList<>(List.of("loss", "policy_loss", "value_loss"));
        names.addAll(policy.lossTermNames());
        approxKlStat = names.size();
        names.addAll(List.of("approx_kl", "clip_fraction"));
        names.addAll(policy.diagnosticNames());
        names.add("grad_norm");
        statNames = names.toArray(new String[0]);
    }

    @Override
    public void initialize(EnvSpec latentSpec, Device device, long seed) {
        Validate.notNull("latentSpec", latentSpec);
        Validate.notNull("device", device);
        if (spec != null) {
            throw new IllegalStateException("initialize must be called once; " + owner() + " is already initialized "
                    + "for " + spec);
        }
        spec = latentSpec;
        SplittableRandom root = new SplittableRandom(seed);
        long policySeed = root.nextLong();
        long criticSeed = root.nextLong();
        random = RandomStreams.split(root);
        manager = NDManager.newBaseManager(device);
        int obsDim = spec.observationDim();
        policy.initialize(manager, spec, policySeed);
        critic = new Mlp(manager, obsDim, settings.criticLayers(), 1, criticSeed);
        List<NDArray> parameters = new ArrayList<>(policy.parameters());
        parameters.addAll(critic.parameters());
        // One Adam over policy and critic, so the gradient-norm clip is global, as in CleanRL and Brax.
        adam = new Adam(parameters, settings.learningRate());
        normalizer = new RunningNormalizer(manager, obsDim, settings.observationClip());
    }

    /**
     * Resets the policy to its prior ({@link PpoPolicy#resetToPrior}) and clears Adam's moments. The critic is re-drawn
     * too unless {@code resetCriticOnStage} is off; the observation statistics are kept unless
     * {@code resetNormalizerOnStage} is on.
     */
    @Override
    public void resetToPrior() {
        requireInitialized();
        policy.resetToPrior(random.reinit().nextLong());
        long criticSeed = random.reinit().nextLong();
        if (settings.resetCriticOnStage()) {
            critic.reinitialize(criticSeed);
        }
        if (settings.resetNormalizerOnStage()) {
            normalizer.reset();
        }
        adam.reset();
    }

    /**
     * Starts a stage's encoder: {@link EncoderInit#PRIOR} is {@link #resetToPrior}; {@link EncoderInit#FRESH} re-draws
     * policy and critic as at {@link #initialize} and forgets the observation statistics; {@link EncoderInit#WARM_START}
     * keeps policy, critic and statistics; {@link EncoderInit#PRIOR_WARM_VALUE} resets the policy to its prior and
     * keeps critic and statistics. Adam starts afresh in every mode. The env's episodes continue.
     */
    @Override
    public void startStage(EncoderInit init) {
        requireInitialized();
        Validate.notNull("init", init);
        switch (init) {
            case PRIOR -> resetToPrior();
            case FRESH -> {
                policy.reinitialize(random.reinit().nextLong());
                critic.reinitialize(random.reinit().nextLong());
                normalizer.reset();
                adam.reset();
            }
            case WARM_START -> adam.reset();
            case PRIOR_WARM_VALUE -> {
                policy.resetToPrior(random.reinit().nextLong());
                adam.reset();
            }
            default -> throw new IllegalArgumentException("unknown encoder start " + init);
        }
    }

    /** Restarts the random streams from {@code seed} and detaches the env, so that the next learn call resets it. */
    @Override
    public boolean reseed(long seed) {
        requireInitialized();
        random = RandomStreams.of(seed);
        env = null;
        return true;
    }

    @Override
    public void onNonFinite(NonFinitePolicy nonFinitePolicy) {
        skipNonFinite = Validate.notNull("policy", nonFinitePolicy) == NonFinitePolicy.SKIP_BATCH;
    }

    @Override
    public void beginStage(Stage stage) {
        Validate.notNull("stage", stage);
        if (policy.hasPriorPenalty()) {
            klBeta = stage.klBeta();
        }
        clip = stage.clip();
        gradNormClip = stage.gradNormClip();
        learningRate = Double.isNaN(stage.learningRate()) ? settings.learningRate() : stage.learningRate();
        adam.setLearningRate(learningRate);
        if (!Double.isNaN(stage.entropyCoefficient())) {
            policy.entropyCoefficient(stage.entropyCoefficient());
        }
    }

    @Override
    public long learn(VectorEnv latentEnv, long envSteps, TrainingListener listener) {
        requireInitialized();
        Validate.notNull("latentEnv", latentEnv);
        Validate.positive("envSteps", envSteps);
        TrainingListener events = listener == null ? TrainingListener.NONE : listener;
        Validate.sameDimensions(latentEnv.spec(), owner(), spec);
        int numEnvs = latentEnv.numEnvs();
        int rolloutSteps = rolloutSteps(numEnvs);
        int batch = Math.multiplyExact(numEnvs, rolloutSteps);
        if (batch < settings.minibatches()) {
            throw new IllegalArgumentException("minibatches must be <= numEnvs * unrollLength = " + numEnvs + " * "
                    + settings.unrollLength() + " = " + batch + ", got " + settings.minibatches());
        }
        attach(latentEnv, rolloutSteps);

        long taken = 0;
        while (taken < envSteps) {
            long start = System.nanoTime();
            // 1. Collect: unrollLength steps of every sub-env with a ~ pi_theta(.|s), storing the per-row extras.
            double[] finished;
            try {
                finished = collectRollout(taken);
                rollout.requireFinite(settings.rewardScaling(), taken);
            } catch (NonFiniteAction e) {
                throw e; // the policy's fault: dropping the env's data would not help
            } catch (NonFiniteException e) {
                if (!skipNonFinite) {
                    throw e;
                }
                // SKIP_BATCH: learn nothing from this rollout; every episode restarts (the vector env cannot reset
                // one sub-env alone), and the steps taken still count.
                taken += collectedSteps;
                LOG.warn("{}; dropped this rollout batch and reset the env (onNonFinite SKIP_BATCH)", e.getMessage());
                Arrays.fill(episodeReturns, 0);
                env.reset(random.envSeeds().nextLong(), observations);
                Map<String, Double> skipped = new LinkedHashMap<>();
                skipped.put("skipped_batches", 1.0);
                events.onMetrics(Metrics.of(taken, Phase.ENCODER, skipped));
                continue;
            }
            boolean sequences = settings.sequenceMinibatches();
            // 2. Observation normalization: merge this rollout's observations into the running statistics
            //    (networks see roughly zero-mean, unit-variance inputs whatever the task). CleanRL's shape does it
            //    before the update; the reference's after it, so that sampling and update see the same statistics.
            if (settings.normalizeObservations() && !sequences) {
                normalizer.update(rollout.observations, rollout.size);
            }
            // 3. Values and GAE advantages, with the rewards scaled (the reference's shape computes them per
            //    minibatch with the current critic instead); l_old unless recorded at sampling time, with the
            //    statistics the update uses, so that r = 1 exactly before the first gradient step.
            // Whole-rollout tensors from here on: the update's thread count (ComputeThreads), not the rollout's.
            Map<String, Double> metrics;
            int threadsBefore = ComputeThreads.beginUpdate();
            try {
                if (!sequences) {
                    computeAdvantages();
                }
                if (!policy.recordsStatisticAtSampling()) {
                    float[] old = statistics(rollout.observations, rollout.actions, rollout.extras, rollout.size);
                    System.arraycopy(old, 0, rollout.statistics, 0, old.length);
                }
                // 4. Optimize: epochs x minibatches of the clipped surrogate + value loss + the policy's terms.
                metrics = sequences ? optimizeSequences(taken) : optimize(taken);
            } finally {
                ComputeThreads.use(threadsBefore);
            }
            if (settings.normalizeObservations() && sequences) {
                normalizer.update(rollout.observations, rollout.size);
            }
            // In the reference's shape the values and returns are those of each row's first-pass minibatch.
            double explainedVariance = Gae.explainedVariance(rollout.values, rollout.returns, rollout.size);
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

    /**
     * Env steps per sub-env per iteration: {@code unrollLength}, or in the reference's shape
     * {@code batchSize * minibatches / numEnvs} sequences of {@code unrollLength} (480 steps with 2048 envs).
     */
    private int rolloutSteps(int numEnvs) {
        if (!settings.sequenceMinibatches()) {
            return settings.unrollLength();
        }
        long sequences = (long) settings.batchSize() * settings.minibatches();
        if (sequences % numEnvs != 0) {
            throw new IllegalArgumentException("batchSize * minibatches = " + settings.batchSize() + " * "
                    + settings.minibatches() + " = " + sequences + " sequences per iteration must be a multiple of "
                    + "the env count " + numEnvs + ", so that every sub-env contributes whole sequences");
        }
        return Math.toIntExact(Math.multiplyExact(sequences / numEnvs, (long) settings.unrollLength()));
    }

    /** Continues the current env's episodes, or resets a new env instance with a fresh seed. */
    private void attach(VectorEnv latentEnv, int rolloutSteps) {
        if (latentEnv == env) {
            return;
        }
        int numEnvs = latentEnv.numEnvs();
        int obsDim = spec.observationDim();
        int actionDim = spec.actionDim();
        if (rollout == null || rollout.numEnvs != numEnvs || rollout.steps != rolloutSteps) {
            rollout = new Rollout(rolloutSteps, numEnvs, obsDim, actionDim, policy.extraWidth(),
                    policy.statisticWidth());
            envStep = new VectorStep(numEnvs, obsDim);
            observations = new float[numEnvs * obsDim];
            actions = new float[numEnvs * actionDim];
            episodeReturns = new double[numEnvs];
            // Rollout rows, the bootstrap rows, and at most one final observation per rollout row.
            criticInput = new float[(2 * rollout.size + numEnvs) * obsDim];
        }
        Arrays.fill(episodeReturns, 0);
        latentEnv.reset(random.envSeeds().nextLong(), observations);
        env = latentEnv;
    }

    /**
     * Steps every sub-env {@code unrollLength} times, one batched policy forward per step.
     *
     * @return {@code [sum, count]} of the raw returns of episodes that finished in this rollout
     */
    private double[] collectRollout(long stepsBefore) {
        int numEnvs = rollout.numEnvs;
        int obsDim = rollout.observationDim;
        double returnSum = 0;
        int finishedEpisodes = 0;
        for (int t = 0; t < rollout.steps; t++) {
            int row = t * numEnvs;
            System.arraycopy(observations, 0, rollout.observations, row * obsDim, numEnvs * obsDim);
            sampleActions(row, stepsBefore);
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
        String what = NonFiniteValues.firstIn(step, i);
        if (what != null) {
            throw new NonFiniteException("non-finite " + what + " from sub-env " + i + " at rollout step " + t
                    + " (env step " + envStep + " of this learn call)", i, envStep);
        }
    }

    /** Samples actions for the current observations into {@link #actions} and the rollout's row {@code row}. */
    private void sampleActions(int row, long stepsBefore) {
        int numEnvs = rollout.numEnvs;
        int actionDim = rollout.actionDim;
        int width = rollout.extraWidth;
        boolean recorded = policy.recordsStatisticAtSampling();
        int recordedWidth = recorded ? rollout.statisticWidth : 0;
        try (NDManager scope = manager.newSubManager()) {
            NDArray obs = scope.create(observations, new Shape(numEnvs, spec.observationDim()));
            PpoPolicy.Sample sample = policy.sample(normalize(obs), random.noise(), false);
            // One copy back per step: [action | extras | l_old] row by row.
            NDList parts = new NDList(sample.actions());
            if (width > 0) {
                parts.add(sample.extras());
            }
            if (recorded) {
                parts.add(sample.statistic().reshape(numEnvs, recordedWidth));
            }
            float[] out = (parts.size() == 1 ? parts.head() : NDArrays.concat(parts, 1)).toFloatArray();
            int stride = actionDim + width + recordedWidth;
            for (int i = 0; i < numEnvs; i++) {
                int src = i * stride;
                System.arraycopy(out, src, actions, i * actionDim, actionDim);
                System.arraycopy(out, src, rollout.actions, (row + i) * actionDim, actionDim);
                System.arraycopy(out, src + actionDim, rollout.extras, (row + i) * width, width);
                System.arraycopy(out, src + actionDim + width, rollout.statistics, (row + i) * recordedWidth,
                        recordedWidth);
            }
        }
        for (int k = 0; k < actions.length; k++) {
            if (!Float.isFinite(actions[k])) {
                int i = k / actionDim;
                long step = stepsBefore + row + i + 1;
                throw new NonFiniteAction(policy.displayName() + " sampled a non-finite action " + actions[k]
                        + " for sub-env " + i + " at rollout step " + row / numEnvs + " (env step " + step
                        + " of this learn call); lower the learning rate", i, step);
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
            rollout.scaledRewards[j] = (float) (rollout.rewards[j] * settings.rewardScaling());
        }
        Gae.compute(rollout.scaledRewards, rollout.values, rollout.nextValues, rollout.terminated,
                rollout.truncated, rollout.steps, numEnvs, settings.gamma(), settings.gaeLambda(),
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

    /**
     * The policy's statistic {@code l_theta(s, a)} for raw rows, in chunks, without gradients.
     *
     * <p>Internal: for the engine and tests.
     *
     * @param rawObservations {@code [rows, observationDim]}
     * @param actions {@code [rows, actionDim]}
     * @param extras {@code [rows, extraWidth]}
     * @param rows the number of rows
     * @return {@code [rows, statisticWidth]}
     */
    public float[] statistics(float[] rawObservations, float[] actions, float[] extras, int rows) {
        requireInitialized();
        int obsDim = spec.observationDim();
        int actionDim = spec.actionDim();
        int width = policy.extraWidth();
        int k = policy.statisticWidth();
        float[] out = new float[rows * k];
        for (int from = 0; from < rows; from += STATISTIC_CHUNK_ROWS) {
            int n = Math.min(STATISTIC_CHUNK_ROWS, rows - from);
            try (NDManager scope = manager.newSubManager()) {
                NDArray obs = matrix(scope, rawObservations, from, n, obsDim);
                NDArray a = matrix(scope, actions, from, n, actionDim);
                NDArray e = width == 0 ? null : matrix(scope, extras, from, n, width);
                float[] chunk = policy.evaluate(normalize(obs), a, e).statistic().toFloatArray();
                System.arraycopy(chunk, 0, out, from * k, n * k);
            }
        }
        return out;
    }

    /** Runs the epochs of minibatch updates and returns the averaged losses and statistics. */
    private Map<String, Double> optimize(long stepsBefore) {
        int size = rollout.size;
        int minibatches = settings.minibatches();
        int[] order = new int[size];
        for (int j = 0; j < size; j++) {
            order[j] = j;
        }
        Minibatch minibatch = newMinibatch((size + minibatches - 1) / minibatches);
        double[] sums = new double[statNames.length];
        int count = 0;
        int epochs = 0;
        while (epochs < settings.epochs()) {
            Shuffle.inPlace(order, random.minibatches());
            double epochKl = 0;
            for (int m = 0; m < minibatches; m++) {
                int from = (int) ((long) m * size / minibatches);
                int to = (int) ((long) (m + 1) * size / minibatches);
                minibatch.gather(rollout, order, from, to, settings.normalizeAdvantages());
                float[] stats = update(minibatch, stepsBefore + size, epochs, m);
                for (int k = 0; k < sums.length; k++) {
                    sums[k] += stats[k];
                }
                epochKl += stats[approxKlStat];
                count++;
            }
            epochs++;
            // Target KL: stop once an epoch's mean approx_kl leaves the trust region (off at +infinity).
            if (epochKl / minibatches > settings.targetKl()) {
                break;
            }
        }
        updates++;
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (int k = 0; k < statNames.length; k++) {
            metrics.put(statNames[k], sums[k] / count);
        }
        if (settings.reportUpdateEpochs()) {
            metrics.put("update_epochs", (double) epochs);
        }
        return metrics;
    }

    /**
     * The reference's (Brax's) update: {@code epochs} passes, each shuffling the rollout's sequences and splitting
     * them into {@code minibatches} minibatches of {@code batchSize} whole sequences; {@link #update} computes each
     * minibatch's advantages with the current critic.
     */
    private Map<String, Double> optimizeSequences(long stepsBefore) {
        int unroll = settings.unrollLength();
        int sequences = rollout.size / unroll;
        int minibatches = settings.minibatches();
        int perMinibatch = settings.batchSize();
        int[] order = new int[sequences];
        for (int q = 0; q < sequences; q++) {
            order[q] = q;
        }
        Minibatch minibatch = newMinibatch(perMinibatch * unroll);
        double[] sums = new double[statNames.length];
        int count = 0;
        int epochs = 0;
        while (epochs < settings.epochs()) {
            Shuffle.inPlace(order, random.minibatches());
            double epochKl = 0;
            for (int m = 0; m < minibatches; m++) {
                minibatch.gatherSequences(rollout, order, m * perMinibatch, (m + 1) * perMinibatch, unroll);
                float[] stats = update(minibatch, stepsBefore + rollout.size, epochs, m);
                if (epochs == 0) {
                    for (int k = 0; k < minibatch.size; k++) {
                        rollout.values[minibatch.sourceRows[k]] = minibatch.values[k];
                        rollout.returns[minibatch.sourceRows[k]] = minibatch.returns[k];
                    }
                }
                for (int k = 0; k < sums.length; k++) {
                    sums[k] += stats[k];
                }
                epochKl += stats[approxKlStat];
                count++;
            }
            epochs++;
            if (epochKl / minibatches > settings.targetKl()) {
                break;
            }
        }
        updates++;
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (int k = 0; k < statNames.length; k++) {
            metrics.put(statNames[k], sums[k] / count);
        }
        if (settings.reportUpdateEpochs()) {
            metrics.put("update_epochs", (double) epochs);
        }
        return metrics;
    }

    /**
     * GAE inside a sequence minibatch, from the critic's values over {@code [rows | extra rows]} (no gradient flows
     * through the targets): fills the minibatch's values, advantages (normalized with the population standard
     * deviation, as the reference) and returns.
     */
    private void sequenceAdvantages(Minibatch mb, float[] criticValues) {
        int n = mb.size;
        float[] next = new float[n];
        float[] scaled = new float[n];
        for (int k = 0; k < n; k++) {
            next[k] = criticValues[mb.nextValueRows[k]];
            scaled[k] = (float) (mb.rewards[k] * settings.rewardScaling());
        }
        System.arraycopy(criticValues, 0, mb.values, 0, n);
        Gae.compute(scaled, mb.values, next, mb.terminated, mb.truncated, mb.unroll, mb.sequenceCount,
                settings.gamma(), settings.gaeLambda(), mb.advantages, mb.returns);
        if (settings.normalizeAdvantages()) {
            mb.normalizeAdvantages(false);
        }
    }

    /**
     * One gradient step on one minibatch.
     *
     * <p>Internal: for the engine and tests.
     *
     * @param mb the rows, their advantages as they are (no normalization here)
     * @param stepsAfter the env steps of this learn call once this rollout is counted, for messages
     * @param epoch the epoch, for messages
     * @param index the minibatch, for messages
     * @return the statistics {@code loss, policy_loss, value_loss, [the policy's loss terms], approx_kl,
     *     clip_fraction, [the policy's diagnostics], grad_norm}
     * @throws NonFiniteException if a loss, a statistic or the gradient norm is not finite (no step is taken)
     */
    public float[] update(Minibatch mb, long stepsAfter, int epoch, int index) {
        requireInitialized();
        int n = mb.size;
        int obsDim = spec.observationDim();
        int actionDim = spec.actionDim();
        int width = policy.extraWidth();
        int statWidth = policy.statisticWidth();
        float[] stats = new float[statNames.length];
        try (NDManager scope = manager.newSubManager()) {
            NDArray obs = matrix(scope, mb.observations, 0, n, obsDim);
            NDArray actions = matrix(scope, mb.actions, 0, n, actionDim);
            NDArray extras = width == 0 ? null : matrix(scope, mb.extras, 0, n, width);
            NDArray oldStatistics = statWidth == 1 ? vector(scope, mb.oldStatistics, n)
                    : matrix(scope, mb.oldStatistics, 0, n, statWidth);
            NDArray x = normalize(obs);
            NDArray extraX = mb.sequences ? normalize(matrix(scope, mb.extraObservations, 0, mb.extraRows, obsDim))
                    : null;
            PpoPolicy.Evaluation evaluation;
            NDArray loss;
            NDArray policyLoss;
            NDArray valueLoss;
            NDArray[] terms;
            NDArray logRatio;
            NDArray ratio;
            NDArray advantages;
            NDArray returns;
            NDArray oldValues;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray values;
                if (mb.sequences) {
                    // One critic pass over the rows and the rows after them; the targets are read off it (GAE
                    // with the current critic, as Brax), and only the rows' values carry the loss's gradient.
                    NDArray all = critic.forward(x.concat(extraX, 0)).reshape(n + mb.extraRows);
                    sequenceAdvantages(mb, all.toFloatArray());
                    values = all.get("0:" + n);
                } else {
                    values = critic.forward(x).reshape(n);
                }
                // k > 1: every entry of a row takes the row's advantage, so the surrogate is the mean over n * k
                // entries.
                advantages = statWidth == 1 ? vector(scope, mb.advantages, n)
                        : vector(scope, mb.advantages, n).reshape(n, 1).broadcast(n, statWidth);
                returns = vector(scope, mb.returns, n);
                oldValues = vector(scope, mb.values, n);
                evaluation = policy.evaluate(x, actions, extras, random.noise());
                logRatio = evaluation.statistic().sub(oldStatistics);
                double bound = policy.logRatioClip();
                if (!Double.isNaN(bound)) {
                    // Reference FPO: exp(clip(dL, -c, c)), so one outlying Monte-Carlo draw cannot blow up the loss.
                    logRatio = logRatio.clip((float) -bound, (float) bound);
                }
                if (Double.isNaN(settings.dualClip())) {
                    ratio = logRatio.exp();
                    policyLoss = PpoLoss.clippedSurrogate(ratio, advantages, clip);
                } else {
                    // Bounds exp; changes no gradient, since rows this far out are dual-clipped either way.
                    logRatio = logRatio.clip(-LOG_RATIO_BOUND, LOG_RATIO_BOUND);
                    ratio = logRatio.exp();
                    policyLoss = PpoLoss.dualClippedSurrogate(ratio, advantages, clip, settings.dualClip());
                }
                // Value clipping (off by default) limits how far V moves from the rollout's values per update.
                valueLoss = PpoLoss.valueLoss(values, returns, oldValues,
                        settings.valueClipping() ? clip : Double.NaN);
                terms = evaluation.lossTerms();
                loss = evaluation.addLossTerms(
                        policyLoss.add(PpoLoss.scaled(valueLoss, settings.valueLossCoefficient())), terms, klBeta);
                collector.backward(loss);
            }
            // Diagnostics, outside the collector: CleanRL's low-variance KL estimate and the clipped fraction.
            NDArray approxKl = ratio.sub(1).sub(logRatio).mean();
            NDArray clipFraction = ratio.sub(1).abs().gt((float) clip).toType(DataType.FLOAT32, false).mean();
            NDList scalars = new NDList(loss, policyLoss, valueLoss);
            scalars.addAll(Arrays.asList(terms));
            scalars.add(approxKl);
            scalars.add(clipFraction);
            scalars.addAll(Arrays.asList(evaluation.diagnostics()));
            float[] values = NDArrays.stack(scalars).toFloatArray();
            System.arraycopy(values, 0, stats, 0, values.length);
        }
        for (int k = 0; k < statNames.length - 1; k++) {
            if (!Float.isFinite(stats[k])) {
                adam.zeroGradients();
                throw nonFinite(statNames[k], stats[k], stepsAfter, epoch, index);
            }
        }
        // Global gradient-norm clip (the stage's): one bad minibatch cannot throw the policy far.
        // +infinity: no clip (reference FPO and DPPO use plain Adam); the norm is still reported.
        double gradNorm = gradNormClip == Double.POSITIVE_INFINITY ? adam.gradientNorm()
                : adam.clipGradientNorm(gradNormClip);
        if (!Double.isFinite(gradNorm)) {
            adam.zeroGradients();
            throw nonFinite("grad_norm", gradNorm, stepsAfter, epoch, index);
        }
        adam.step();
        gradientSteps++;
        lastMinibatchShape = mb.sequences ? new int[] {mb.sequenceCount, mb.unroll} : new int[] {mb.size};
        stats[statNames.length - 1] = (float) gradNorm;
        return stats;
    }

    private NonFiniteException nonFinite(String quantity, double value, long stepsAfter, int epoch, int index) {
        return new NonFiniteException(policy.displayName() + " " + quantity + " is " + value
                + " in the update after env step " + stepsAfter + " of this learn call (update " + (updates + 1)
                + ", epoch " + epoch + ", minibatch " + index + "); lower the learning rate or the reward scaling, "
                + "or check the env", -1, stepsAfter);
    }

    /**
     * The ratios {@code r = exp(l_theta - l_old)} of a minibatch, without gradients.
     *
     * <p>Internal: for tests.
     *
     * @param mb the rows
     * @return {@code [mb.size, statisticWidth]}, each {@code exp} of the log-ratio clipped by
     *     {@link PpoPolicy#logRatioClip()}, as the update uses it
     */
    public float[] ratios(Minibatch mb) {
        float[] current = statistics(mb.observations, mb.actions, mb.extras, mb.size);
        double bound = policy.logRatioClip();
        float[] r = new float[current.length];
        for (int k = 0; k < r.length; k++) {
            double logRatio = current[k] - mb.oldStatistics[k];
            r[k] = (float) Math.exp(Double.isNaN(bound) ? logRatio : Math.max(-bound, Math.min(bound, logRatio)));
        }
        return r;
    }

    /**
     * An empty minibatch of {@code capacity} rows for this engine's dimensions.
     *
     * <p>Internal: for tests.
     *
     * @param capacity the rows
     * @return the minibatch, {@code size} 0
     */
    public Minibatch newMinibatch(int capacity) {
        requireInitialized();
        return new Minibatch(capacity, spec.observationDim(), spec.actionDim(), policy.extraWidth(),
                policy.statisticWidth());
    }

    private static NDArray vector(NDManager scope, float[] values, int n) {
        return scope.create(FloatBuffer.wrap(values, 0, n), new Shape(n), DataType.FLOAT32);
    }

    /** {@code [rows, cols]} from {@code values}, starting at row {@code from}. */
    private static NDArray matrix(NDManager scope, float[] values, int from, int rows, int cols) {
        return scope.create(FloatBuffer.wrap(values, from * cols, rows * cols), new Shape(rows, cols),
                DataType.FLOAT32);
    }

    /**
     * The observations the networks see.
     *
     * <p>Internal: for the engine and tests.
     *
     * @param rawObservations {@code [batch, observationDim]}
     * @return running-normalized and clipped when {@code normalizeObservations}, else the input
     */
    public NDArray normalize(NDArray rawObservations) {
        return settings.normalizeObservations() ? normalizer.normalize(rawObservations) : rawObservations;
    }

    /**
     * Samples from the policy ({@link PpoPolicy#act}) at raw observations, with the {@code act} random stream.
     *
     * @param observations {@code [batch, observationDim]}
     * @param deterministic whether to sample without noise (evaluation)
     * @return actions {@code [batch, actionDim]} on the input's manager and device
     */
    @Override
    public NDArray act(NDArray observations, boolean deterministic) {
        requireInitialized();
        return PolicyInference.act(manager, observations, spec.observationDim(),
                obs -> policy.act(normalize(obs), random.act(), deterministic));
    }

    /**
     * The stage's weight of the prior penalty.
     *
     * @return {@code beta}; 0 for a policy without the penalty (the baselines act in the real action space)
     */
    @Override
    public double klWeight() {
        return policy.hasPriorPenalty() ? klBeta : 0;
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public Map<String, Object> config() {
        return new LinkedHashMap<>(settings.config());
    }

    /**
     * Writes the policy ({@link PpoPolicy#writeTo}), the critic, Adam's state, the observation statistics and the
     * stage knobs ({@code stage}: the double bits of {@code [klBeta, clip, gradNormClip]}).
     */
    @Override
    public void save(Path directory) throws IOException {
        requireInitialized();
        Map<String, float[]> entries = new LinkedHashMap<>();
        entries.put("dims", new float[] {spec.observationDim(), spec.actionDim()});
        policy.writeTo(entries);
        critic.writeTo(entries, "critic");
        for (Map.Entry<String, float[]> e : adam.state().entrySet()) {
            entries.put("adam." + e.getKey(), e.getValue());
        }
        entries.putAll(normalizer.state("normalizer"));
        entries.put("stage", DoubleBits.encode(klBeta, clip, gradNormClip));
        FileFormat format = settings.file();
        TensorFile.write(directory.resolve(format.fileName()), format.kind(), format.version(), entries);
    }

    @Override
    public void load(Path directory) throws IOException {
        requireInitialized();
        FileFormat format = settings.file();
        Path file = directory.resolve(format.fileName());
        TensorFile.Content content = TensorFile.read(file, format.kind(), format.oldestVersion(), format.version());
        float[] dims = content.require("dims", 2);
        requireSame(file, "observationDim", (int) dims[0], spec.observationDim());
        requireSame(file, policy.actionDimName(), (int) dims[1], spec.actionDim());
        policy.readFrom(content, file);
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
            throw new IOException(file + " does not match " + owner() + ": " + e.getMessage(), e);
        }
        if (content.version() < format.version()) {
            // The baselines' version 1: [clip, gradNormClip] as floats, no klBeta (they have no prior penalty).
            float[] stage = content.require("stage", 2);
            clip = stage[0];
            gradNormClip = stage[1];
        } else {
            double[] stage = DoubleBits.decode(content.require("stage", 6), 3, "stage");
            klBeta = stage[0];
            clip = stage[1];
            gradNormClip = stage[2];
        }
    }

    private void requireSame(Path file, String what, int saved, int current) throws IOException {
        if (saved != current) {
            throw new IOException(file + " was saved with " + what + " " + saved + ", but " + owner() + " has "
                    + what + " " + current);
        }
    }

    private void requireInitialized() {
        if (spec == null) {
            throw new IllegalStateException("call initialize(latentSpec, device, seed) first");
        }
        if (manager == null) {
            throw new IllegalStateException(owner() + " is closed");
        }
    }

    private String owner() {
        return "this " + policy.displayName();
    }

    /**
     * The plugged-in policy.
     *
     * <p>Internal: for builders' tests.
     *
     * @return the policy
     */
    public PpoPolicy policy() {
        return policy;
    }

    /**
     * A scope on the engine's device for tensors that tests pass to the policy; the caller closes it.
     *
     * <p>Internal: for tests.
     *
     * @return a sub-manager of the engine's manager
     */
    public NDManager newScope() {
        requireInitialized();
        return manager.newSubManager();
    }

    /**
     * The gradient steps taken since {@link #initialize}, for tests.
     *
     * @return the count
     */
    public long gradientSteps() {
        return gradientSteps;
    }

    /**
     * The shape of the last minibatch a gradient step was taken on, for tests.
     *
     * @return {@code {sequences, steps}} for sequence minibatches, {@code {rows}} for transitions, empty before any
     */
    public int[] lastMinibatchShape() {
        return lastMinibatchShape.clone();
    }

    /** The buffers of the last rollout, for tests. */
    public Rollout lastRollout() {
        return rollout;
    }

    /**
     * The critic's values at raw observations, for tests.
     *
     * @param rawObservations row-major {@code [rows, observationDim]}
     * @param rows the number of rows
     * @return {@code [rows]}
     */
    public float[] values(float[] rawObservations, int rows) {
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
        return settings.name() + settings.config();
    }

    /** A non-finite action from the policy itself: stops training whatever the {@link NonFinitePolicy}. */
    private static final class NonFiniteAction extends NonFiniteException {

        private static final long serialVersionUID = 1L;

        NonFiniteAction(String message, int subEnv, long envStep) {
            super(message, subEnv, envStep);
        }
    }
}
