package io.github.gorl.core;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.DecoderDataset;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.FitOptions;
import io.github.gorl.api.FitResult;
import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.Validate;
import io.github.gorl.decoders.nn.Gaussian;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learnable-prior ablation ({@link DecoderSource#LEARNED_PRIOR}) as a decoder: the user's decoder {@code g}
 * composed with a learned state-conditional Gaussian prior {@code p_psi(eps|s) = N(mu_psi(s), sigma_psi(s)^2)}
 * ({@link GaussianPrior}),
 * <pre>{@code decode(s, eps') = g(s, mu_psi(s) + sigma_psi(s) * eps')}.</pre>
 *
 * <p>The encoder keeps working in {@code eps'} with {@code N(0, I)} as its reset target and KL target: since the
 * map {@code eps' -> eps} is affine with the prior's parameters, the encoder's reset to {@code N(0, I)} in
 * {@code eps'} is a reset to {@code p_psi} in {@code eps}, and its {@code KL(pi || N(0, I))} in {@code eps'} equals
 * {@code KL(pi_eps || p_psi)} in {@code eps} (KL is invariant under an invertible map of both arguments). So no
 * optimizer changes.
 *
 * <p>A refit ({@link #fit}) needs the dataset's {@linkplain DecoderDataset#latents() encoder latents}
 * {@code eps'}: (1) it maps them through the <em>old</em> prior, {@code eps = mu_old(s) + sigma_old(s) eps'} (the
 * latents that {@code g} actually received); (2) fits {@code psi} to {@code (s, eps)} by Gaussian maximum
 * likelihood ({@link GaussianPrior#fit}); (3) fits {@code g} with the per-pair Gaussian source
 * {@code mu_new(s) + sigma_new(s) z} ({@link DecoderDataset#withGaussianSource}), {@code z ~ N(0, I)} drawn afresh
 * at every use and independently of the action, exactly as the fixed prior's {@code N(0, I)} draws are. The
 * trainer then resets the encoder to {@code N(0, I)} in {@code eps'} as usual.
 *
 * <p>{@link #resetToIdentity()} resets both {@code g} and the prior, so the wrapper is the exact identity at stage 0.
 * {@link #save} writes {@code g}'s files and {@value #PRIOR_FILE} into the same folder. Package-private: the trainer
 * wraps the user's decoder when {@code decoderSource(LEARNED_PRIOR)} is chosen.
 */
final class LearnedPriorDecoder implements GenerativeDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(LearnedPriorDecoder.class);
    /** The prior's file in a decoder checkpoint folder. */
    static final String PRIOR_FILE = "learned-prior.bin";
    private static final long PRIOR_SALT = 0x2545F4914F6CDD1DL;
    private static final long SAMPLING_SALT = 0x9E3779B97F4A7C15L;

    private final GenerativeDecoder inner;
    private EnvSpec spec;
    private Device device;
    private long seed;
    private NDManager manager;
    private GaussianPrior prior;
    private SplittableRandom samplingRandom;
    private double lastPriorNll = Double.NaN;
    private boolean closed;

    /**
     * Wraps a decoder, not yet initialized.
     *
     * @param inner the user's decoder {@code g}, owned (closed) by this wrapper from now on
     */
    LearnedPriorDecoder(GenerativeDecoder inner) {
        this.inner = Validate.notNull("decoder", inner);
    }

    /** The wrapped decoder {@code g}. */
    GenerativeDecoder inner() {
        return inner;
    }

    /** The prior {@code p_psi}. */
    GaussianPrior prior() {
        requireReady();
        return prior;
    }

    /** The mean negative log-likelihood of the last prior fit (NaN before the first). */
    double lastPriorNll() {
        return lastPriorNll;
    }

    @Override
    public void initialize(EnvSpec envSpec, Device onDevice, long decoderSeed) {
        Validate.notNull("spec", envSpec);
        Validate.notNull("device", onDevice);
        if (manager != null) {
            throw new IllegalStateException(name() + " decoder is already initialized");
        }
        inner.initialize(envSpec, onDevice, decoderSeed);
        this.spec = envSpec;
        this.device = onDevice;
        this.seed = decoderSeed;
        this.manager = NDManager.newBaseManager(onDevice);
        this.prior = new GaussianPrior(manager, envSpec.observationDim(), envSpec.actionDim(),
                decoderSeed ^ PRIOR_SALT);
        this.samplingRandom = new SplittableRandom(decoderSeed ^ SAMPLING_SALT);
    }

    /** Resets {@code g} to the identity and the prior to {@code N(0, I)}: {@code decode(s, eps') == eps'}. */
    @Override
    public void resetToIdentity() {
        requireReady();
        inner.resetToIdentity();
        prior.reset();
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code g(s, mu_psi(s) + sigma_psi(s) * latents)}; while the prior is {@code N(0, I)}, exactly
     * {@code g(s, latents)}.
     */
    @Override
    public NDArray decode(NDArray observations, NDArray latents) {
        requireReady();
        Validate.notNull("observations", observations);
        Validate.notNull("latents", latents);
        if (prior.isStandard()) {
            return inner.decode(observations, latents);
        }
        long batch = Validate.rows("observations", observations, spec.observationDim());
        Validate.latents(latents, batch, spec.actionDim());
        if (latents.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("latents must be float32, got " + latents.getDataType());
        }
        NDManager caller = observations.getManager();
        try (NDManager scope = manager.newSubManager()) {
            // Copies on the prior's device, so that every intermediate lands in this scope.
            NDArray obs = observations.toDevice(device, true);
            obs.attach(scope);
            NDArray z = latents.toDevice(device, true);
            z.attach(scope);
            NDArray eps = prior.map(obs, z);
            if (!eps.getDevice().equals(latents.getDevice())) {
                eps = eps.toDevice(latents.getDevice(), false);
                eps.attach(scope);
            }
            NDArray actions = inner.decode(observations, eps);
            actions.attach(caller);
            return actions;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code g(s, eps)} with {@code eps ~ p_psi(.|s)}; while the prior is {@code N(0, I)}, {@code g}'s own
     * {@code sample}.
     */
    @Override
    public NDArray sample(NDArray observations, int samplesPerObservation) {
        requireReady();
        Validate.notNull("observations", observations);
        Validate.positive("samplesPerObservation", samplesPerObservation);
        if (prior.isStandard()) {
            return inner.sample(observations, samplesPerObservation);
        }
        long batch = Validate.rows("observations", observations, spec.observationDim());
        int actionDim = spec.actionDim();
        long rows = batch * samplesPerObservation;
        if (rows * actionDim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batch * samplesPerObservation * actionDim must fit an int, got "
                    + rows * actionDim);
        }
        float[] z = Gaussian.standardNormal(samplingRandom, (int) rows * actionDim);
        NDManager caller = observations.getManager();
        try (NDManager scope = caller.newSubManager()) {
            NDArray repeated = observations.repeat(0, samplesPerObservation);
            repeated.attach(scope);
            NDArray latents = scope.create(z, new Shape(rows, actionDim));
            NDArray actions = decode(repeated, latents).reshape(batch, samplesPerObservation, actionDim);
            actions.attach(caller);
            return actions;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Refits the prior to the encoder latents the dataset carries (mapped through the old prior), then fits
     * {@code g} from fresh samples of the new prior, one per pair, drawn independently of the action; see the class
     * comment. A fit that throws restores the prior it started from ({@code g} restores itself as its contract
     * says).
     *
     * @throws IllegalArgumentException if the dataset carries no latents or has other sizes than the spec
     */
    @Override
    public FitResult fit(DecoderDataset data, FitOptions options, TrainingListener listener) {
        requireReady();
        Validate.notNull("data", data);
        Validate.notNull("options", options);
        if (data.observationDim() != spec.observationDim() || data.actionDim() != spec.actionDim()) {
            throw new IllegalArgumentException("dataset has observationDim " + data.observationDim()
                    + " and actionDim " + data.actionDim() + ", this decoder has observationDim "
                    + spec.observationDim() + " and actionDim " + spec.actionDim());
        }
        float[] encoderLatents = data.latents();
        if (encoderLatents == null) {
            throw new IllegalArgumentException("the learned prior is fitted to the encoder latents recorded with"
                    + " each action, but the dataset carries none (DecoderDataset.latents() is null); collect it"
                    + " with latents, as the trainer does for DecoderSource.LEARNED_PRIOR");
        }
        int n = data.size();
        float[] observations = data.observations();
        Map<String, float[]> before = prior.state();
        try {
            // (1) The latents g received: eps = mu_old(s) + sigma_old(s) eps'.
            float[] eps = prior.map(observations, encoderLatents, n);
            // (2) psi by maximum likelihood of eps given s.
            SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + options.seed());
            lastPriorNll = prior.fit(observations, eps, n, options.batchSize(), random.nextLong());
            // (3) g from samples of the new prior, independent of the action and drawn afresh at every use, as the
            //     fixed prior's N(0, I) draws are: mean and std per pair, from the prior's map of z = 0 and z = 1.
            int width = n * spec.actionDim();
            float[] mean = prior.map(observations, new float[width], n);
            float[] ones = new float[width];
            java.util.Arrays.fill(ones, 1f);
            float[] std = prior.map(observations, ones, n);
            for (int k = 0; k < width; k++) {
                std[k] -= mean[k];
            }
            LOG.info("learned prior fitted on {} latents: negative log-likelihood {} nats per pair ({} latent dims)",
                    n, String.format(java.util.Locale.ROOT, "%.4f", lastPriorNll), spec.actionDim());
            return inner.fit(data.withGaussianSource(mean, std), options, listener);
        } catch (RuntimeException e) {
            try {
                prior.restore(before, Path.of(PRIOR_FILE));
            } catch (IOException impossible) {
                e.addSuppressed(impossible);
            }
            throw e;
        }
    }

    /** {@code g}'s name: runs and reports name the generative decoder; {@link #config()} records the prior. */
    @Override
    public String name() {
        return inner.name();
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code g}'s configuration plus an entry {@code learnedPrior}: the prior's hidden layers, log-std clamp, fit
     * updates and learning rate.
     */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>(inner.config());
        Map<String, Object> p = new LinkedHashMap<>();
        List<Integer> hidden = new ArrayList<>();
        for (int width : GaussianPrior.HIDDEN_LAYERS) {
            hidden.add(width);
        }
        p.put("hiddenLayers", List.copyOf(hidden));
        p.put("minLogStd", GaussianPrior.MIN_LOG_STD);
        p.put("maxLogStd", GaussianPrior.MAX_LOG_STD);
        p.put("fitUpdates", GaussianPrior.FIT_UPDATES);
        p.put("learningRate", GaussianPrior.LEARNING_RATE);
        config.put("learnedPrior", p);
        return config;
    }

    /** Writes {@code g}'s files, then {@value #PRIOR_FILE} (a versioned tensor file, written atomically). */
    @Override
    public void save(Path directory) throws IOException {
        requireReady();
        Validate.notNull("directory", directory);
        inner.save(directory);
        prior.save(directory.resolve(PRIOR_FILE));
    }

    /** Reads and checks {@value #PRIOR_FILE} first, then loads {@code g}, then sets the prior. */
    @Override
    public void load(Path directory) throws IOException {
        requireReady();
        Validate.notNull("directory", directory);
        Path file = directory.resolve(PRIOR_FILE);
        if (!java.nio.file.Files.exists(file)) {
            throw new IOException(file + " is missing: this checkpoint was not saved with the learned prior"
                    + " (decoderSource LEARNED_PRIOR)");
        }
        Map<String, float[]> entries = GaussianPrior.read(file);
        // Validate against a scratch prior so that a bad file changes nothing.
        try (GaussianPrior check = new GaussianPrior(manager, spec.observationDim(), spec.actionDim(), 0)) {
            check.restore(entries, file);
        }
        inner.load(directory);
        prior.restore(entries, file);
    }

    /** Closes {@code g} and the prior. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            inner.close();
            if (manager != null) {
                manager.close();
            }
        }
    }

    private void requireReady() {
        if (closed) {
            throw new IllegalStateException(name() + " decoder with learned prior is closed");
        }
        if (manager == null) {
            throw new IllegalStateException(name() + " decoder with learned prior is not initialized: call"
                    + " initialize(spec, device, seed) first");
        }
    }
}
