package io.github.gorl.decoders;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.gorl.api.DecoderDataset;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.FitOptions;
import io.github.gorl.api.FitResult;
import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.Phase;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.Validate;
import io.github.gorl.decoders.nn.Adam;
import io.github.gorl.decoders.nn.Gaussian;
import io.github.gorl.decoders.nn.Mlp;
import io.github.gorl.decoders.nn.RunningNormalizer;
import io.github.gorl.decoders.nn.Scalars;
import io.github.gorl.decoders.nn.Shuffle;
import io.github.gorl.decoders.nn.TensorFile;
import io.github.gorl.decoders.nn.TimeEmbedding;
import java.io.IOException;
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
 * The shared machinery of the MLP decoders ({@code FlowMatchingDecoder}, {@code DiffusionDecoder}): one
 * network {@code net(normalize(s), x, embed(t)) -> [actionDim]}, a fixed-step sampler from {@code x = eps},
 * the minibatch fit with a seeded validation split, early stopping and best-parameter restore, and the
 * versioned save format. A subclass supplies only its sampler step and its training loss.
 *
 * <p>The network's input is {@code [normalized observation (observationDim), x (actionDim), time embedding
 * (timeEmbeddingDim)]}, its output {@code [actionDim]}. Each sampler is parameterized so that a network
 * whose output layer is zero makes every sampler step the identity on {@code x}, computed as
 * {@code x + coefficient * 0}, so that {@link #resetToIdentity()} gives {@code decode(s, eps) == eps} bit
 * for bit while the hidden layers stay random and trainable.
 *
 * <p>Observation normalization: the normalizer is reset and refitted on the training split at the start
 * of every {@link #fit}. Each fit models the current policy's data, so its own statistics scale the inputs
 * best as the state distribution drifts between stages; the network is trained under the new statistics
 * right away and both are saved together, so the map {@code decode} computes is always the one that was
 * trained. A fit that throws restores the parameters and statistics it started from.
 *
 * <p>Randomness is drawn in Java from {@link SplittableRandom}s seeded by the decoder seed (sampling) and
 * by the decoder seed mixed with {@link FitOptions#seed()} (split, shuffles, training noise) and uploaded
 * as whole arrays, so a seed reproduces a run on any engine. Not thread-safe.
 */
public abstract class MlpDecoder implements GenerativeDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(MlpDecoder.class);
    private static final int FORMAT_VERSION = 1;
    private static final long SAMPLING_SALT = 0x5DEECE66DL;
    private static final int NORMALIZER_CHUNK = 65_536;
    private static final long ENDPOINT_SALT = 0x632BE59BD9B4E019L;
    // The authors' endpoint_eval_size: validation pairs of the endpoint metric, evenly spaced.
    private static final int ENDPOINT_PAIRS = 4_096;
    // Minibatch slots: the repeated rows the subclass loss sees, then the unrepeated ones of the pairwise term.
    private static final int OBS = 0;
    private static final int ACT = 1;
    private static final int LATENT = 2;
    private static final int MEAN = 3;
    private static final int STD = 4;
    private static final int OBS_ONCE = 5;
    private static final int ACT_ONCE = 6;
    private static final int ENCODER_ONCE = 7;

    private final int[] hiddenLayers;
    private final int steps;
    private final int timeEmbeddingDim;
    private final double observationClip;
    private final double gradientClipNorm;
    private final double outputScale;
    private final TimeFrequencies timeFrequencies;
    private final double pairwiseLossWeight;

    private EnvSpec spec;
    private Device device;
    private long seed;
    private NDManager manager;
    private Mlp network;
    private RunningNormalizer normalizer;
    private TimeEmbedding timeEmbedding;
    private NDArray[] stepEmbeddings;
    private SplittableRandom samplingRandom;
    // The dataset's source latents of the minibatch being evaluated, or null: fresh N(0, I) draws.
    private NDArray minibatchLatents;
    private NDArray minibatchSourceMean;
    private NDArray minibatchSourceStd;
    // The pairwise term of the last loss evaluated, or NaN when it was not computed.
    private double lastPairwiseLoss = Double.NaN;
    private boolean closed;
    // True while the output layer is all zeros and a zero output makes every sampler step the identity: decode then
    // returns the latents without running the sampler (stage 0's decoder, until the first fit).
    private boolean identityShortcut;
    private boolean identityShortcutAllowed = true;

    /**
     * Creates the decoder from a validated builder.
     *
     * @param builder the options
     */
    protected MlpDecoder(Builder<?> builder) {
        this.hiddenLayers = builder.hiddenLayers.clone();
        this.steps = builder.steps;
        this.timeEmbeddingDim = builder.timeEmbeddingDim;
        this.observationClip = builder.observationClip;
        this.gradientClipNorm = builder.gradientClipNorm;
        this.outputScale = builder.outputScale;
        this.timeFrequencies = builder.timeFrequencies;
        this.pairwiseLossWeight = builder.pairwiseLossWeight;
    }

    // ---------------------------------------------------------------------------------------------
    // What a subclass supplies.

    /**
     * The scalar fed to the time embedding at sampler step {@code k} (the network sees the same scalar for
     * the same noise level in training).
     *
     * @param step the sampler step, {@code 0 <= step < steps()}, in execution order
     * @return the time, typically in {@code [0, 1]}
     */
    protected abstract double samplingTime(int step);

    /**
     * One sampler step. Must return {@code x} unchanged bit for bit when {@code output} is all zeros (write
     * it as {@code x + c * output} or {@code x - c * output}). The step may run inside a gradient collector (the
     * pairwise term differentiates the whole sampler), so multiply tensors by numbers only through
     * {@code Scalars.times}, never with {@code mul(double)} or in place.
     *
     * @param step the sampler step, {@code 0 <= step < steps()}, in execution order
     * @param x the current iterate {@code [batch, actionDim]}
     * @param output the network output at this step {@code [batch, actionDim]}
     * @return the next iterate {@code [batch, actionDim]}, attached to the manager of {@code x}
     */
    protected abstract NDArray samplerStep(int step, NDArray x, NDArray output);

    /**
     * The mean training loss of one minibatch. Take the source points {@code eps} from
     * {@link #sourceLatents}, draw any other noise from {@code random} (as Java arrays uploaded with
     * {@code actions.getManager().create(...)}) and evaluate the network with {@link #network}.
     *
     * @param normalizedObservations {@code [rows, observationDim]}, already normalized
     * @param actions {@code [rows, actionDim]}, the data (each pair repeated {@code samplesPerAction} times)
     * @param random the noise source; the same seed must give the same loss
     * @return a scalar, attached to the manager of {@code actions}
     */
    protected abstract NDArray trainingLoss(NDArray normalizedObservations, NDArray actions, SplittableRandom random);

    /**
     * The kind written into saved files, such as {@code "flow-decoder"}; the file is {@code <kind>.bin}.
     *
     * @return the kind
     */
    protected abstract String fileKind();

    /**
     * Integer settings that the saved network depends on besides the layer sizes; {@link #load} refuses a
     * file whose values differ.
     *
     * @return name to values, in a fixed order
     */
    protected Map<String, int[]> architecture() {
        return Map.of();
    }

    /**
     * Configuration entries of the subclass, appended to {@link #config()}.
     *
     * @return name to value, in a fixed order
     */
    protected Map<String, Object> samplerConfig() {
        return Map.of();
    }

    /**
     * Called at the end of {@link #initialize}, to seed the subclass's own random streams.
     *
     * @param decoderSeed the seed passed to {@code initialize}
     */
    protected void onInitialize(long decoderSeed) {}

    // ---------------------------------------------------------------------------------------------
    // What a subclass uses.

    /**
     * Evaluates the network, times the output scale ({@link Builder#outputScale}).
     *
     * @param normalizedObservations {@code [rows, observationDim]}
     * @param x the noisy actions {@code [rows, actionDim]}
     * @param times the times {@code [rows, 1]}, embedded by the time embedding
     * @return {@code [rows, actionDim]}, attached to the manager of {@code normalizedObservations}
     */
    protected final NDArray network(NDArray normalizedObservations, NDArray x, NDArray times) {
        NDArray embedded = timeEmbedding.embed(times);
        return scaled(network.forward(NDArrays.concat(new NDList(normalizedObservations, x, embedded), 1)));
    }

    /** The raw network output times the output scale; a graph-safe multiplication (see {@code Scalars}). */
    private NDArray scaled(NDArray output) {
        return outputScale == 1.0 ? output : Scalars.times(output, outputScale);
    }

    /**
     * Fills an array with standard normal draws.
     *
     * @param random the source
     * @param n the number of draws
     * @return {@code n} values
     */
    protected static float[] standardNormal(SplittableRandom random, int n) {
        return Gaussian.standardNormal(random, n);
    }

    /**
     * The source points {@code eps} of the minibatch whose loss is being computed: the dataset's
     * {@linkplain DecoderDataset#latents() latents} (repeated like the actions) when it carries them, else
     * {@code N(0, I)} draws from {@code random}, mapped to {@code mean + std * z} per row when the dataset carries a
     * {@linkplain DecoderDataset#withGaussianSource Gaussian source}. Call it from {@link #trainingLoss} wherever
     * the loss needs {@code eps}, in place of drawing it.
     *
     * @param actions the minibatch's actions {@code [rows, actionDim]}, as passed to {@code trainingLoss}
     * @param random the noise source passed to {@code trainingLoss}; not advanced when latents are given
     * @return {@code [rows, actionDim]}, attached to the manager of {@code actions}
     */
    protected final NDArray sourceLatents(NDArray actions, SplittableRandom random) {
        if (minibatchLatents != null) {
            return minibatchLatents;
        }
        int rows = Math.toIntExact(actions.getShape().get(0));
        int actionDim = Math.toIntExact(actions.getShape().get(1));
        NDArray z = actions.getManager().create(standardNormal(random, rows * actionDim), new Shape(rows, actionDim));
        return minibatchSourceMean == null ? z : z.muli(minibatchSourceStd).addi(minibatchSourceMean);
    }

    /**
     * The environment spec this decoder was initialized with.
     *
     * @return the spec
     * @throws IllegalStateException before {@link #initialize}
     */
    protected final EnvSpec spec() {
        requireReady();
        return spec;
    }

    /**
     * The number of sampler steps.
     *
     * @return {@code > 0}
     */
    public final int steps() {
        return steps;
    }

    // ---------------------------------------------------------------------------------------------
    // GenerativeDecoder.

    /**
     * {@inheritDoc}
     *
     * <p>Creates the network (PyTorch-style uniform initialization from {@code seed}) and a normalizer with
     * mean 0 and variance 1. The output layer is random until {@link #resetToIdentity()}.
     */
    @Override
    public final void initialize(EnvSpec envSpec, Device onDevice, long decoderSeed) {
        Validate.notNull("spec", envSpec);
        Validate.notNull("device", onDevice);
        if (closed) {
            throw new IllegalStateException(name() + " decoder is closed");
        }
        if (manager != null) {
            throw new IllegalStateException(name() + " decoder is already initialized");
        }
        this.spec = envSpec;
        this.device = onDevice;
        this.seed = decoderSeed;
        this.manager = NDManager.newBaseManager(onDevice);
        this.timeEmbedding = new TimeEmbedding(timeEmbeddingDim, timeFrequencies == TimeFrequencies.PI_POWERS_OF_TWO);
        int inputDim = envSpec.observationDim() + envSpec.actionDim() + timeEmbeddingDim;
        this.network = new Mlp(manager, inputDim, hiddenLayers, envSpec.actionDim(), decoderSeed);
        this.normalizer = new RunningNormalizer(manager, envSpec.observationDim(), observationClip);
        this.samplingRandom = new SplittableRandom(decoderSeed ^ SAMPLING_SALT);
        // The per-step time embeddings are constant: computed once, broadcast over the batch per call.
        this.stepEmbeddings = new NDArray[steps];
        try (NDManager scope = manager.newSubManager()) {
            for (int k = 0; k < steps; k++) {
                NDArray t = scope.create(new float[] {(float) samplingTime(k)}, new Shape(1, 1));
                stepEmbeddings[k] = timeEmbedding.embed(t);
                stepEmbeddings[k].attach(manager);
            }
        }
        onInitialize(decoderSeed);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Zeroes the network's output layer only (hidden layers stay random, so gradients flow from the
     * first fit on) and resets the observation normalizer.
     */
    @Override
    public void resetToIdentity() {
        requireReady();
        network.zeroOutputLayer();
        normalizer.reset();
        refreshIdentityShortcut();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Re-draws every layer (PyTorch-style uniform initialization from {@code newSeed}), zeroes the output layer
     * and resets the observation normalizer: afterwards {@code decode(s, eps) == eps} bit for bit (for a diffusion
     * decoder with {@code eta = 0}), as after {@code resetToIdentity()}, but the hidden layers are new. The
     * sampling stream and the training seed of later fits are unchanged.
     *
     * @return {@code true}
     */
    @Override
    public boolean reinitialize(long newSeed) {
        requireReady();
        network.reinitialize(newSeed);
        network.zeroOutputLayer();
        normalizer.reset();
        refreshIdentityShortcut();
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>One batched network call per sampler step.
     *
     * @throws IllegalArgumentException if the shapes are not {@code [batch, observationDim]} and
     *     {@code [batch, actionDim]}, or {@code latents} is not float32
     * @throws IllegalStateException before {@link #initialize} or after {@link #close}
     */
    @Override
    public final NDArray decode(NDArray observations, NDArray latents) {
        requireReady();
        Validate.notNull("observations", observations);
        long batch = checkObservations(observations);
        Validate.latents(latents, batch, spec.actionDim());
        if (latents.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("latents must be float32, got " + latents.getDataType());
        }
        NDManager caller = observations.getManager();
        Device callerDevice = observations.getDevice();
        try (NDManager scope = manager.newSubManager()) {
            NDArray obs = enter(observations, scope);
            // The same array as both arguments must not be attached twice.
            NDArray x = latents == observations ? obs.duplicate() : enter(latents, scope);
            NDArray actions = integrate(obs, x);
            return leave(actions == latents ? actions.duplicate() : actions, caller, callerDevice);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Draws {@code batch * n} latents from the decoder's sampling stream and decodes them in one batch.
     */
    @Override
    public final NDArray sample(NDArray observations, int samplesPerObservation) {
        requireReady();
        Validate.notNull("observations", observations);
        Validate.positive("samplesPerObservation", samplesPerObservation);
        long batch = checkObservations(observations);
        int actionDim = spec.actionDim();
        long rows = batch * samplesPerObservation;
        if (rows * actionDim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batch * samplesPerObservation * actionDim must fit an int, got "
                    + rows * actionDim);
        }
        float[] latents = standardNormal(samplingRandom, (int) rows * actionDim);
        NDManager caller = observations.getManager();
        Device callerDevice = observations.getDevice();
        try (NDManager scope = manager.newSubManager()) {
            NDArray obs = enter(observations, scope).repeat(0, samplesPerObservation);
            NDArray x = scope.create(latents, new Shape(rows, actionDim));
            NDArray actions = integrate(obs, x).reshape(batch, samplesPerObservation, actionDim);
            return leave(actions, caller, callerDevice);
        }
    }

    /** The sampler: {@code x = eps}, then {@code steps} network calls, each batched over all rows. */
    private NDArray integrate(NDArray observations, NDArray latents) {
        if (identityShortcut) {
            // Every step would compute x + c * 0: the sampler's result is the latents themselves.
            return latents;
        }
        return integrateNormalized(normalizer.normalize(observations.toType(DataType.FLOAT32, false)), latents);
    }

    /**
     * The sampler on normalized observations; differentiable (the pairwise term runs it inside a gradient
     * collector), so every step must multiply graph tensors by tensors only.
     */
    private NDArray integrateNormalized(NDArray normalized, NDArray latents) {
        NDManager scope = latents.getManager();
        NDArray ones = scope.ones(new Shape(latents.getShape().get(0), 1));
        NDArray x = latents;
        for (int k = 0; k < steps; k++) {
            NDArray embedded = ones.mul(stepEmbeddings[k]);
            NDArray output = scaled(network.forward(NDArrays.concat(new NDList(normalized, x, embedded), 1)));
            x = samplerStep(k, x, output);
        }
        return x;
    }

    private long checkObservations(NDArray observations) {
        return Validate.rows("observations", observations, spec.observationDim());
    }

    /** Makes a caller's array usable inside {@code scope}: results of its operations land in the scope. */
    private NDArray enter(NDArray array, NDManager scope) {
        if (array.getDevice().equals(device)) {
            // Temporarily attached: handed back to the caller's manager when the scope closes.
            scope.tempAttachAll(array);
            return array;
        }
        NDArray copy = array.toDevice(device, true);
        copy.attach(scope);
        return copy;
    }

    private static NDArray leave(NDArray result, NDManager caller, Device callerDevice) {
        NDArray out = result.toDevice(callerDevice, false);
        out.attach(caller);
        return out;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Per call: a seeded split of {@code validationFraction} of the pairs (or, with
     * {@link FitOptions#splitByEpisode()}, of the episodes: {@code max(1, floor(episodes * fraction))} of them, at
     * most all but one, as the authors split), the observation normalizer refitted on the training split and a fresh
     * Adam with {@code learningRate}. Every training row is repeated {@code samplesPerAction} times with independent
     * noise.
     *
     * <p><b>Epoch mode</b> ({@code trainSteps == 0}): per epoch a seeded shuffle and minibatches of
     * {@code batchSize} pairs, then one validation. Reports {@code epoch}, {@code train_loss} and
     * {@code validation_loss} (NaN without a validation split) per epoch, plus {@code validation_endpoint_mse} when
     * selecting by it.
     *
     * <p><b>Step mode</b> ({@code trainSteps > 0}, the authors' refit): exactly {@code trainSteps} minibatches of
     * {@code batchSize} pairs drawn uniformly with replacement from the training split; validations before the first
     * step (step 0: the parameters the fit started from are a candidate too), after step 1, every
     * {@code validationInterval} steps and after the last step. Reports {@code step}, {@code train_loss} (the mean
     * since the previous report), {@code validation_loss} and {@code validation_endpoint_mse} per validation.
     *
     * <p>In both modes the validation loss uses the same noise at every validation, so validations compare exactly,
     * and the endpoint error {@code mean((decode(s, eps) - a)^2)} uses up to 4,096 evenly spaced validation pairs
     * with {@code eps ~ N(0, I)} drawn once per fit. The parameters of the best validation by
     * {@link FitOptions#selection()} are kept; {@code patience} validations without improvement stop training
     * ({@code patience == 0}: never). With a {@linkplain Builder#pairwiseLossWeight pairwise weight} the losses
     * include the pairwise term, and the metrics add {@code pairwise_loss} (the validation mean) or, when the dataset
     * has no {@linkplain DecoderDataset#encoderLatents() encoder latents}, {@code pairwise_skipped = 1}. Metrics are
     * {@code Metrics.of(0, Phase.DECODER, ...)}: step 0 and stage -1, for the trainer to relocate with
     * {@link Metrics#at}.
     *
     * @throws IllegalArgumentException if the dataset's sizes differ from the spec's, or {@code splitByEpisode} is
     *     set and the dataset has no episode ids or fewer than two episodes
     * @throws IllegalStateException if a loss is NaN or infinite (the message names the epoch or step and batch);
     *     the decoder is then left as it was before the call
     */
    @Override
    public final FitResult fit(DecoderDataset data, FitOptions options, TrainingListener listener) {
        requireReady();
        Validate.notNull("data", data);
        Validate.notNull("options", options);
        if (data.observationDim() != spec.observationDim() || data.actionDim() != spec.actionDim()) {
            throw new IllegalArgumentException("dataset has observationDim " + data.observationDim()
                    + " and actionDim " + data.actionDim() + ", this decoder has observationDim "
                    + spec.observationDim() + " and actionDim " + spec.actionDim());
        }
        if (options.splitByEpisode() && options.validationFraction() > 0 && data.episodes() == null) {
            throw new IllegalArgumentException("splitByEpisode is true but the dataset has no episode ids: set them"
                    + " with DecoderDataset.withEpisodes");
        }
        int batchRows = options.stepMode() ? options.batchSize() : Math.min(options.batchSize(), data.size());
        long rows = (long) batchRows * options.samplesPerAction();
        if (rows * Math.max(spec.observationDim(), spec.actionDim() + timeEmbeddingDim) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batchSize * samplesPerAction is too large: " + rows + " rows");
        }
        TrainingListener sink = listener == null ? TrainingListener.NONE : listener;
        float[][] parametersBefore = copyParameters();
        Map<String, float[]> normalizerBefore = normalizer.state("observations");
        identityShortcut = false;
        try {
            FitResult result = train(data, options, sink);
            refreshIdentityShortcut();
            return result;
        } catch (RuntimeException e) {
            restoreParameters(parametersBefore);
            normalizer.loadState(normalizerBefore, "observations");
            throw e;
        }
    }

    /** What one validation measured; {@code pairwise} is NaN when the term was not computed. */
    private record Validation(double loss, double endpointMse, double pairwise) {

        double metric(FitOptions.Selection selection) {
            return selection == FitOptions.Selection.ENDPOINT_MSE ? endpointMse : loss;
        }
    }

    /** The fixed pieces of every validation of one fit. */
    private final class Validator {

        private final DecoderDataset data;
        private final int[] rows;
        private final FitOptions options;
        private final long noiseSeed;
        private final boolean endpoint;
        private final int[] endpointRows;
        private final float[] endpointLatents;

        Validator(DecoderDataset data, int[] rows, FitOptions options, long noiseSeed, boolean endpoint) {
            this.data = data;
            this.rows = rows;
            this.options = options;
            this.noiseSeed = noiseSeed;
            this.endpoint = endpoint && rows.length > 0;
            int count = Math.min(ENDPOINT_PAIRS, rows.length);
            endpointRows = new int[count];
            for (int j = 0; j < count; j++) {
                // np.linspace(0, m - 1, count, dtype=int64), as the authors pick their endpoint pairs.
                endpointRows[j] = rows[count == 1 ? 0 : (int) ((long) j * (rows.length - 1) / (count - 1))];
            }
            endpointLatents = standardNormal(new SplittableRandom(noiseSeed ^ ENDPOINT_SALT), count * data.actionDim());
        }

        boolean active() {
            return rows.length > 0;
        }

        Validation run(String where) {
            double[] lossAndPairwise = meanLoss(data, rows, options, new SplittableRandom(noiseSeed));
            double endpointMse = endpoint ? endpointMse() : Double.NaN;
            if (!Double.isFinite(lossAndPairwise[0]) || endpoint && !Double.isFinite(endpointMse)) {
                throw new IllegalStateException(name() + " decoder validation loss is " + lossAndPairwise[0]
                        + " and endpoint error " + endpointMse + " at " + where);
            }
            return new Validation(lossAndPairwise[0], endpointMse, lossAndPairwise[1]);
        }

        private double endpointMse() {
            int actDim = data.actionDim();
            double sum = 0;
            for (int start = 0; start < endpointRows.length; start += options.batchSize()) {
                int size = Math.min(options.batchSize(), endpointRows.length - start);
                try (NDManager scope = manager.newSubManager()) {
                    NDArray[] pair = minibatch(scope, data, endpointRows, start, size, 1);
                    NDArray eps = scope.create(Arrays.copyOfRange(endpointLatents, start * actDim,
                            (start + size) * actDim), new Shape(size, actDim));
                    NDArray decoded = integrateNormalized(pair[OBS], eps);
                    sum += (double) decoded.sub(pair[ACT]).square().mean().getFloat() * size;
                }
            }
            return sum / endpointRows.length;
        }
    }

    private FitResult train(DecoderDataset data, FitOptions options, TrainingListener listener) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + options.seed());
        int[][] split = options.splitByEpisode() && options.validationFraction() > 0
                ? splitByEpisode(data, options.validationFraction(), random)
                : splitByPair(data.size(), options.validationFraction(), random);
        int[] validation = split[0];
        int[] training = split[1];
        long validationSeed = random.nextLong();
        boolean endpoint = options.stepMode() || options.selection() == FitOptions.Selection.ENDPOINT_MSE;
        Validator validator = new Validator(data, validation, options, validationSeed, endpoint);
        boolean pairwiseSkipped = pairwiseLossWeight > 0 && data.encoderLatents() == null;
        if (pairwiseSkipped) {
            LOG.warn("{} decoder has pairwiseLossWeight {} but the dataset has no encoder latents"
                    + " (DecoderDataset.withEncoderLatents): the pairwise term is skipped in this fit", name(),
                    pairwiseLossWeight);
        }
        refitNormalizer(data, training);
        try (Adam adam = new Adam(network.parameters(), options.learningRate())) {
            adam.zeroGradients();
            Progress progress = new Progress(options, validator, listener, pairwiseSkipped);
            if (options.stepMode()) {
                trainSteps(data, training, options, adam, random, progress);
            } else {
                trainEpochs(data, training, options, adam, random, progress);
            }
            return progress.finish(options.stepMode() ? 0 : progress.epochs);
        }
    }

    /** Validation, reporting, best-parameter tracking and early stopping, shared by both modes. */
    private final class Progress {

        private final FitOptions options;
        private final Validator validator;
        private final TrainingListener listener;
        private final boolean pairwiseSkipped;
        long steps;
        int epochs;
        double trainLoss = Double.NaN;
        private Validation last = new Validation(Double.NaN, Double.NaN, Double.NaN);
        private Validation best;
        private long bestStep = -1;
        private float[][] bestParameters;
        private int sinceBest;
        private boolean stoppedEarly;

        Progress(FitOptions options, Validator validator, TrainingListener listener, boolean pairwiseSkipped) {
            this.options = options;
            this.validator = validator;
            this.listener = listener;
            this.pairwiseSkipped = pairwiseSkipped;
        }

        /**
         * Validates (when there is a split), reports and keeps the parameters if they are the best so far.
         *
         * @return whether training should stop early
         */
        boolean checkpoint(String counter, double count, String where, boolean last) {
            if (validator.active()) {
                this.last = validator.run(where);
            }
            Map<String, Double> values = new LinkedHashMap<>();
            values.put(counter, count);
            values.put("train_loss", trainLoss);
            values.put("validation_loss", this.last.loss());
            if (options.stepMode() || options.selection() == FitOptions.Selection.ENDPOINT_MSE) {
                values.put("validation_endpoint_mse", this.last.endpointMse());
            }
            if (pairwiseSkipped) {
                values.put("pairwise_skipped", 1.0);
            } else if (pairwiseLossWeight > 0) {
                values.put("pairwise_loss", this.last.pairwise());
            }
            listener.onMetrics(Metrics.of(0, Phase.DECODER, values));
            LOG.debug("{} decoder {}: {}", name(), where, values);
            if (!validator.active()) {
                return false;
            }
            if (best == null || this.last.metric(options.selection()) < best.metric(options.selection())) {
                best = this.last;
                bestStep = steps;
                bestParameters = copyParameters();
                sinceBest = 0;
            } else if (options.patience() > 0 && ++sinceBest >= options.patience() && !last) {
                stoppedEarly = true;
                return true;
            }
            return false;
        }

        FitResult finish(int epochsRun) {
            if (bestParameters != null) {
                restoreParameters(bestParameters);
            }
            if (best == null) {
                return new FitResult(epochsRun, trainLoss, last.loss(), Double.NaN, stoppedEarly, steps, -1, null,
                        Double.NaN);
            }
            return new FitResult(epochsRun, trainLoss, last.loss(), best.loss(), stoppedEarly, steps, bestStep,
                    options.selection(), best.metric(options.selection()));
        }
    }

    private void trainEpochs(DecoderDataset data, int[] training, FitOptions options, Adam adam,
            SplittableRandom random, Progress progress) {
        int epochs = options.epochBudget(training.length);
        for (int epoch = 1; epoch <= epochs; epoch++) {
            Shuffle.inPlace(training, random);
            double sum = 0;
            long count = 0;
            int batch = 0;
            for (int start = 0; start < training.length; start += options.batchSize()) {
                int size = Math.min(options.batchSize(), training.length - start);
                batch++;
                float loss = gradientStep(data, training, start, size, options, adam, random,
                        "epoch " + epoch + ", batch " + batch);
                progress.steps++;
                sum += (double) loss * size;
                count += size;
            }
            progress.trainLoss = sum / count;
            progress.epochs = epoch;
            if (progress.checkpoint("epoch", epoch, "epoch " + epoch, epoch == epochs)) {
                return;
            }
        }
    }

    private void trainSteps(DecoderDataset data, int[] training, FitOptions options, Adam adam,
            SplittableRandom random, Progress progress) {
        int total = options.trainSteps();
        if (progress.checkpoint("step", 0, "step 0", false)) {
            return;
        }
        int[] rows = new int[options.batchSize()];
        double sum = 0;
        int count = 0;
        for (int step = 1; step <= total; step++) {
            // With replacement, as the authors' batch_sampling = "with_replacement".
            for (int i = 0; i < rows.length; i++) {
                rows[i] = training[random.nextInt(training.length)];
            }
            sum += gradientStep(data, rows, 0, rows.length, options, adam, random, "step " + step);
            count++;
            progress.steps = step;
            if (step == 1 || step % options.validationInterval() == 0 || step == total) {
                progress.trainLoss = sum / count;
                sum = 0;
                count = 0;
                if (progress.checkpoint("step", step, "step " + step, step == total)) {
                    return;
                }
            }
        }
    }

    /** One Adam step on {@code rows[start, start + size)}; returns the minibatch loss. */
    private float gradientStep(DecoderDataset data, int[] rows, int start, int size, FitOptions options, Adam adam,
            SplittableRandom random, String where) {
        float loss;
        try (NDManager scope = manager.newSubManager()) {
            NDArray[] pair = minibatch(scope, data, rows, start, size, options.samplesPerAction());
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray lossArray = loss(pair, random);
                loss = lossArray.getFloat();
                if (!Float.isFinite(loss)) {
                    throw new IllegalStateException(name() + " decoder training loss is " + loss + " at " + where
                            + " (learning rate " + options.learningRate()
                            + "); the decoder was restored to its state before fit");
                }
                collector.backward(lossArray);
            }
            if (gradientClipNorm > 0) {
                adam.clipGradientNorm(gradientClipNorm);
            }
            adam.step();
        }
        return loss;
    }

    /** The mean loss over {@code rows} and the mean pairwise term (NaN when not computed). */
    private double[] meanLoss(DecoderDataset data, int[] rows, FitOptions options, SplittableRandom random) {
        double sum = 0;
        double pairwise = 0;
        for (int start = 0; start < rows.length; start += options.batchSize()) {
            int size = Math.min(options.batchSize(), rows.length - start);
            try (NDManager scope = manager.newSubManager()) {
                NDArray[] pair = minibatch(scope, data, rows, start, size, options.samplesPerAction());
                sum += (double) loss(pair, random).getFloat() * size;
                pairwise += lastPairwiseLoss * size;
            }
        }
        return new double[] {sum / rows.length, pairwise / rows.length};
    }

    /**
     * The training loss of a {@link #minibatch}, with its source latents (if any) visible to the subclass, plus
     * {@code pairwiseLossWeight * mean((decode(s, z_encoder) - a)^2)} over the unrepeated rows when the weight is
     * positive and the dataset carries encoder latents.
     */
    private NDArray loss(NDArray[] pair, SplittableRandom random) {
        minibatchLatents = pair[LATENT];
        minibatchSourceMean = pair[MEAN];
        minibatchSourceStd = pair[STD];
        NDArray base;
        try {
            base = trainingLoss(pair[OBS], pair[ACT], random);
        } finally {
            minibatchLatents = null;
            minibatchSourceMean = null;
            minibatchSourceStd = null;
        }
        lastPairwiseLoss = Double.NaN;
        if (pairwiseLossWeight <= 0 || pair[ENCODER_ONCE] == null) {
            return base;
        }
        // The authors' pairwise_loss: the whole sampler from the encoder's own latent should land on its action.
        NDArray decoded = integrateNormalized(pair[OBS_ONCE], pair[ENCODER_ONCE]);
        NDArray pairwise = decoded.sub(pair[ACT_ONCE]).square().mean();
        lastPairwiseLoss = pairwise.getFloat();
        return base.add(Scalars.times(pairwise, pairwiseLossWeight));
    }

    /**
     * Normalized observations, actions, source latents, source means and standard deviations (null when the
     * dataset has none) of {@code rows[start, start + size)}, each row repeated, then the unrepeated normalized
     * observations, actions and encoder latents (null without them) for the pairwise term.
     */
    private NDArray[] minibatch(NDManager scope, DecoderDataset data, int[] rows, int start, int size, int repeats) {
        int obsDim = data.observationDim();
        int actDim = data.actionDim();
        float[] obs = new float[size * obsDim];
        float[] act = new float[size * actDim];
        float[] allObs = data.observations();
        float[] allAct = data.actions();
        for (int i = 0; i < size; i++) {
            int r = rows[start + i];
            System.arraycopy(allObs, r * obsDim, obs, i * obsDim, obsDim);
            System.arraycopy(allAct, r * actDim, act, i * actDim, actDim);
        }
        NDArray normalized = normalizer.normalize(scope.create(obs, new Shape(size, obsDim)));
        NDArray actions = scope.create(act, new Shape(size, actDim));
        NDArray encoder = pairwiseLossWeight > 0
                ? perPair(scope, data.encoderLatents(), rows, start, size, actDim) : null;
        NDArray[] batch = {normalized, actions, perPair(scope, data.latents(), rows, start, size, actDim),
            perPair(scope, data.sourceMean(), rows, start, size, actDim),
            perPair(scope, data.sourceStd(), rows, start, size, actDim), normalized, actions, encoder};
        if (repeats > 1) {
            for (int k = OBS; k <= STD; k++) {
                batch[k] = batch[k] == null ? null : batch[k].repeat(0, repeats);
            }
        }
        return batch;
    }

    /** The minibatch's rows of a per-pair {@code [size, actionDim]} array of the dataset, or null without one. */
    private static NDArray perPair(NDManager scope, float[] all, int[] rows, int start, int size, int actDim) {
        if (all == null) {
            return null;
        }
        float[] out = new float[size * actDim];
        for (int i = 0; i < size; i++) {
            System.arraycopy(all, rows[start + i] * actDim, out, i * actDim, actDim);
        }
        return scope.create(out, new Shape(size, actDim));
    }

    /** {validation rows, training rows}: the first {@code floor(n * fraction)} of a seeded permutation held out. */
    private static int[][] splitByPair(int n, double fraction, SplittableRandom random) {
        int[] order = permutation(n, random);
        int validationSize = (int) Math.floor(n * fraction);
        return new int[][] {Arrays.copyOfRange(order, 0, validationSize), Arrays.copyOfRange(order, validationSize, n)};
    }

    /**
     * {validation rows, training rows} holding out whole episodes: {@code max(1, floor(episodes * fraction))} of a
     * seeded permutation of the distinct ids, at most all but one (the authors' {@code split_unit = "episode"}).
     */
    static int[][] splitByEpisode(DecoderDataset data, double fraction, SplittableRandom random) {
        int[] ids = data.episodes();
        int[] distinct = Arrays.stream(ids).distinct().sorted().toArray();
        if (distinct.length < 2) {
            throw new IllegalArgumentException("splitByEpisode needs at least two episodes, got " + distinct.length);
        }
        Shuffle.inPlace(distinct, random);
        int held = Math.min(Math.max(1, (int) Math.floor(distinct.length * fraction)), distinct.length - 1);
        java.util.Set<Integer> validationIds = new java.util.HashSet<>();
        for (int i = 0; i < held; i++) {
            validationIds.add(distinct[i]);
        }
        int[] validation = java.util.stream.IntStream.range(0, ids.length)
                .filter(i -> validationIds.contains(ids[i])).toArray();
        int[] training = java.util.stream.IntStream.range(0, ids.length)
                .filter(i -> !validationIds.contains(ids[i])).toArray();
        return new int[][] {validation, training};
    }

    private void refitNormalizer(DecoderDataset data, int[] training) {
        normalizer.reset();
        int obsDim = data.observationDim();
        float[] all = data.observations();
        float[] chunk = new float[Math.min(NORMALIZER_CHUNK, Math.max(1, training.length)) * obsDim];
        for (int start = 0; start < training.length; start += NORMALIZER_CHUNK) {
            int size = Math.min(NORMALIZER_CHUNK, training.length - start);
            for (int i = 0; i < size; i++) {
                System.arraycopy(all, training[start + i] * obsDim, chunk, i * obsDim, obsDim);
            }
            normalizer.update(chunk, size);
        }
    }

    private static int[] permutation(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Shuffle.inPlace(order, random);
        return order;
    }

    private float[][] copyParameters() {
        List<NDArray> parameters = network.parameters();
        float[][] copy = new float[parameters.size()][];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = parameters.get(i).toFloatArray();
        }
        return copy;
    }

    private void restoreParameters(float[][] values) {
        List<NDArray> parameters = network.parameters();
        for (int i = 0; i < values.length; i++) {
            parameters.get(i).set(values[i]);
        }
        refreshIdentityShortcut();
    }

    /**
     * Whether a network whose output is all zeros makes every sampler step return its input unchanged (so that
     * {@link #resetToIdentity()} gives the identity map). When true, a decoder whose output layer is all zeros
     * decodes without running the sampler.
     *
     * @return {@code true} by default
     */
    protected boolean zeroOutputIsIdentity() {
        return true;
    }

    /** Re-reads whether the output layer is all zeros, after anything that set the parameters. */
    private void refreshIdentityShortcut() {
        List<NDArray> parameters = network.parameters();
        boolean zero = zeroOutputIsIdentity();
        for (int i = parameters.size() - 2; zero && i < parameters.size(); i++) {
            for (float v : parameters.get(i).toFloatArray()) {
                if (v != 0f) {
                    zero = false;
                    break;
                }
            }
        }
        identityShortcut = zero && identityShortcutAllowed;
    }

    /** Turns the identity shortcut off (so decode runs the sampler even at the identity) or on again (for tests). */
    void allowIdentityShortcut(boolean allowed) {
        identityShortcutAllowed = allowed;
        refreshIdentityShortcut();
    }

    /** Whether decode currently skips the sampler because the decoder is exactly the identity (for tests). */
    boolean decodesAsIdentity() {
        return identityShortcut;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Includes the layer sizes, sampler steps, time embedding size, observation clip, gradient clip, output
     * scale, time frequencies, pairwise loss weight and,
     * once initialized, the spec's sizes and the seed, then the subclass's sampler entries.
     */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("decoder", name());
        List<Integer> hidden = new ArrayList<>();
        for (int width : hiddenLayers) {
            hidden.add(width);
        }
        config.put("hiddenLayers", List.copyOf(hidden));
        config.put("steps", steps);
        config.put("timeEmbeddingDim", timeEmbeddingDim);
        config.put("observationClip", observationClip);
        config.put("gradientClipNorm", gradientClipNorm);
        // Only where they differ from the defaults, so that checkpoints saved before these options existed still
        // match an agent built with the defaults.
        if (outputScale != 1.0) {
            config.put("outputScale", outputScale);
        }
        if (timeFrequencies != TimeFrequencies.PI_POWERS_OF_TWO) {
            config.put("timeFrequencies", timeFrequencies.name());
        }
        if (pairwiseLossWeight != 0) {
            config.put("pairwiseLossWeight", pairwiseLossWeight);
        }
        if (spec != null) {
            config.put("observationDim", spec.observationDim());
            config.put("actionDim", spec.actionDim());
            config.put("seed", seed);
        }
        config.putAll(samplerConfig());
        return config;
    }

    /** The integer settings a saved network must share with the decoder loading it, in file order. */
    private Map<String, int[]> fullArchitecture() {
        Map<String, int[]> dims = new LinkedHashMap<>();
        dims.put("observationDim", new int[] {spec.observationDim()});
        dims.put("actionDim", new int[] {spec.actionDim()});
        dims.put("hiddenLayers", hiddenLayers.clone());
        dims.put("timeEmbeddingDim", new int[] {timeEmbeddingDim});
        dims.put("timeFrequencies", new int[] {timeFrequencies.ordinal()});
        dims.putAll(architecture());
        return dims;
    }

    private Path file(Path directory) {
        return directory.resolve(fileKind() + ".bin");
    }

    /**
     * {@inheritDoc}
     *
     * <p>Writes {@code <kind>.bin} (a {@link TensorFile}, format version 1): the architecture, every
     * network parameter and the observation statistics.
     */
    @Override
    public void save(Path directory) throws IOException {
        requireReady();
        Validate.notNull("directory", directory);
        Map<String, float[]> entries = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : fullArchitecture().entrySet()) {
            entries.put("config." + e.getKey(), toFloats(e.getValue()));
        }
        List<NDArray> parameters = network.parameters();
        for (int i = 0; i < parameters.size(); i++) {
            entries.put("network." + i, parameters.get(i).toFloatArray());
        }
        entries.put("config.outputScale", new float[] {(float) outputScale});
        entries.putAll(normalizer.state("observations"));
        TensorFile.write(file(directory), fileKind(), FORMAT_VERSION, entries);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Checks everything before changing anything: a file with other sizes or settings is refused with a
     * message naming both values.
     */
    @Override
    public void load(Path directory) throws IOException {
        requireReady();
        Validate.notNull("directory", directory);
        Path path = file(directory);
        TensorFile.Content content = TensorFile.read(path, fileKind(), FORMAT_VERSION);
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, int[]> e : fullArchitecture().entrySet()) {
            float[] stored = content.entries().get("config." + e.getKey());
            float[] expected = toFloats(e.getValue());
            if (stored == null && Arrays.equals(expected, new float[] {0})) {
                // Written before this setting existed; every such setting's default is encoded as 0.
                continue;
            }
            if (stored == null) {
                throw new IOException(path + " lacks entry 'config." + e.getKey() + "'");
            }
            if (!Arrays.equals(stored, expected)) {
                mismatches.add(e.getKey() + " " + format(stored) + " in the file, " + format(expected)
                        + " in this decoder");
            }
        }
        float[] storedScale = content.entries().get("config.outputScale");
        float savedScale = storedScale == null ? 1f : storedScale[0]; // files without it predate the option: 1
        if (savedScale != (float) outputScale) {
            mismatches.add("outputScale " + savedScale + " in the file, " + (float) outputScale + " in this decoder");
        }
        if (!mismatches.isEmpty()) {
            throw new IOException(path + " does not match this " + name() + " decoder: "
                    + String.join("; ", mismatches));
        }
        List<NDArray> parameters = network.parameters();
        float[][] values = new float[parameters.size()][];
        for (int i = 0; i < values.length; i++) {
            values[i] = content.require("network." + i, Math.toIntExact(parameters.get(i).size()));
        }
        for (int i = 0; i < values.length; i++) {
            for (float v : values[i]) {
                if (!Float.isFinite(v)) {
                    throw new IOException(path + " holds a non-finite value in entry 'network." + i + "'");
                }
            }
        }
        try (RunningNormalizer check = new RunningNormalizer(manager, spec.observationDim(), observationClip)) {
            check.loadState(content.entries(), "observations");
        } catch (IllegalArgumentException e) {
            throw new IOException(path + ": " + e.getMessage(), e);
        }
        restoreParameters(values);
        normalizer.loadState(content.entries(), "observations");
    }

    private static float[] toFloats(int[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static String format(float[] values) {
        StringBuilder text = new StringBuilder(values.length == 1 ? "" : "[");
        for (int i = 0; i < values.length; i++) {
            text.append(i == 0 ? "" : ", ").append((long) values[i]);
        }
        return text.append(values.length == 1 ? "" : "]").toString();
    }

    /** Every network parameter's values, {@code W0, b0, W1, b1, ...} (for tests). */
    float[][] parameterValues() {
        requireReady();
        return copyParameters();
    }

    /** The number of arrays this decoder holds (for leak tests). */
    int liveArrayCount() {
        requireReady();
        return manager.getManagedArrays().size();
    }

    /** Frees the network, the normalizer and every cached array. Idempotent. */
    @Override
    public void close() {
        closed = true;
        if (manager != null) {
            manager.close();
            manager = null;
        }
    }

    private void requireReady() {
        if (closed) {
            throw new IllegalStateException(name() + " decoder is closed");
        }
        if (manager == null) {
            throw new IllegalStateException(name() + " decoder is not initialized: call initialize(spec, device,"
                    + " seed) first");
        }
    }

    /**
     * Options shared by the MLP decoders. Each setter validates its value and throws an
     * {@link IllegalArgumentException} naming the field and the value.
     *
     * @param <B> the concrete builder
     */
    public abstract static class Builder<B extends Builder<B>> {

        private int[] hiddenLayers;
        private int steps = 10;
        private int timeEmbeddingDim = 8;
        private double observationClip = 10.0;
        private double gradientClipNorm;
        private double outputScale = 1.0;
        private TimeFrequencies timeFrequencies = TimeFrequencies.PI_POWERS_OF_TWO;
        private double pairwiseLossWeight;

        /**
         * Creates a builder with the given default hidden layers.
         *
         * @param defaultHiddenLayers the default widths
         */
        protected Builder(int... defaultHiddenLayers) {
            this.hiddenLayers = defaultHiddenLayers.clone();
        }

        /**
         * This builder, typed.
         *
         * @return {@code this}
         */
        protected abstract B self();

        /**
         * The hidden layer widths of the network, SiLU between layers.
         *
         * @param widths one or more widths, each {@code > 0}
         * @return this builder
         */
        public B hiddenLayers(int... widths) {
            Validate.notNull("hiddenLayers", widths);
            if (widths.length == 0) {
                throw new IllegalArgumentException("hiddenLayers must name at least one layer, got []");
            }
            for (int i = 0; i < widths.length; i++) {
                if (widths[i] <= 0) {
                    throw new IllegalArgumentException("hiddenLayers[" + i + "] must be > 0, got " + widths[i]
                            + " in " + Arrays.toString(widths));
                }
            }
            this.hiddenLayers = widths.clone();
            return self();
        }

        /**
         * The number of sampler steps (network calls per decode). Default 10.
         *
         * @param count {@code > 0}
         * @return this builder
         */
        public B steps(int count) {
            this.steps = Validate.positive("steps", count);
            return self();
        }

        /**
         * The size of the sinusoidal time embedding. Default 8 (4 frequencies).
         *
         * @param dim even and {@code > 0}
         * @return this builder
         */
        public B timeEmbeddingDim(int dim) {
            Validate.positive("timeEmbeddingDim", dim);
            if (dim % 2 != 0) {
                throw new IllegalArgumentException("timeEmbeddingDim must be even, got " + dim);
            }
            this.timeEmbeddingDim = dim;
            return self();
        }

        /**
         * The bound of normalized observations, {@code |z| <= clip}. Default 10.
         *
         * @param clip {@code > 0}
         * @return this builder
         */
        public B observationClip(double clip) {
            this.observationClip = Validate.positive("observationClip", clip);
            return self();
        }

        /**
         * The largest global gradient L2 norm during fits; larger gradients are scaled down. Default 0:
         * no clipping.
         *
         * @param maxNorm {@code >= 0}; 0 disables clipping
         * @return this builder
         */
        public B gradientClipNorm(double maxNorm) {
            this.gradientClipNorm = Validate.nonNegative("gradientClipNorm", maxNorm);
            return self();
        }

        /**
         * A factor on the network's output wherever it is used (sampler and loss): the network learns
         * {@code target / outputScale}. Default 1; the authors' diffusion decoder uses 0.25 ({@code output_scale}).
         * Part of the saved format: a file saved with another scale is refused.
         *
         * @param scale {@code > 0}, finite
         * @return this builder
         */
        public B outputScale(double scale) {
            if (!(scale > 0) || Double.isInfinite(scale)) {
                throw new IllegalArgumentException("outputScale must be > 0 and finite, got " + scale);
            }
            this.outputScale = scale;
            return self();
        }

        /**
         * The frequencies of the time embedding. Default {@link TimeFrequencies#PI_POWERS_OF_TWO}; the authors use
         * {@link TimeFrequencies#POWERS_OF_TWO}. Part of the saved format.
         *
         * @param frequencies not null
         * @return this builder
         */
        public B timeFrequencies(TimeFrequencies frequencies) {
            this.timeFrequencies = Validate.notNull("timeFrequencies", frequencies);
            return self();
        }

        /**
         * The weight {@code w} of the authors' pairwise term: every training and validation loss adds
         * {@code w * mean((decode(s, z) - a)^2)} over the minibatch's pairs, where {@code z} is the latent the encoder
         * sampled for action {@code a} ({@link DecoderDataset#encoderLatents()}) and {@code decode} is the whole
         * deterministic sampler, differentiated through. It ties the decoder to the pairing the encoder actually
         * used, not just to the action distribution. When the dataset carries no encoder latents the term is
         * skipped: the fit logs a warning and reports {@code pairwise_skipped = 1} in its metrics. Default 0 (off);
         * the authors' diffusion decoder on DMControl uses 1e-3 ({@code pairwise_loss_weight}).
         *
         * @param weight {@code >= 0}, finite
         * @return this builder
         */
        public B pairwiseLossWeight(double weight) {
            if (!(weight >= 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("pairwiseLossWeight must be >= 0 and finite, got " + weight);
            }
            this.pairwiseLossWeight = weight;
            return self();
        }

        /**
         * The configured sampler steps, for cross-field checks in {@code build()}.
         *
         * @return the steps
         */
        protected int steps() {
            return steps;
        }
    }
}
