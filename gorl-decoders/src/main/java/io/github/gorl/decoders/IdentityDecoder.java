package io.github.gorl.decoders;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.DecoderDataset;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.FitOptions;
import io.github.gorl.api.FitResult;
import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.Validate;
import io.github.gorl.decoders.nn.TensorFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The identity decoder {@code g(s, eps) = eps}: with it, GoRL's latent policy acts on the environment
 * directly, which is the Gaussian PPO (or SAC) baseline. It has no parameters; {@link #fit} does nothing.
 */
public final class IdentityDecoder implements GenerativeDecoder {

    /** The {@link TensorFile} kind of saved identity decoders. */
    public static final String FILE_KIND = "identity-decoder";

    private static final int FORMAT_VERSION = 1;
    private static final long SAMPLING_SALT = 0x5DEECE66DL;

    private EnvSpec spec;
    private long seed;
    private SplittableRandom samplingRandom;

    /** Creates an identity decoder; call {@link #initialize} before use. */
    public IdentityDecoder() {}

    /**
     * Creates an identity decoder; call {@link #initialize} before use.
     *
     * @return a new decoder
     */
    public static IdentityDecoder create() {
        return new IdentityDecoder();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Records the sizes for shape checks and seeds {@link #sample}.
     */
    @Override
    public void initialize(EnvSpec envSpec, Device device, long decoderSeed) {
        Validate.notNull("spec", envSpec);
        if (spec != null) {
            throw new IllegalStateException("identity decoder is already initialized");
        }
        this.spec = envSpec;
        this.seed = decoderSeed;
        this.samplingRandom = new SplittableRandom(decoderSeed ^ SAMPLING_SALT);
    }

    /** Does nothing: this decoder is always the identity. */
    @Override
    public void resetToIdentity() {
        requireReady();
    }

    /**
     * Does nothing and returns {@code true}: this decoder has no parameters or normalizer, so it already is what a
     * freshly built one would be (the identity), and a caller that refits from scratch need not fall back to a warm
     * start.
     *
     * @param seed ignored
     * @return {@code true}
     * @throws IllegalStateException before {@link #initialize}
     */
    @Override
    public boolean reinitialize(long seed) {
        requireReady();
        return true;
    }

    /**
     * Returns a copy of {@code latents}.
     *
     * @param observations {@code [batch, observationDim]}, only checked
     * @param latents {@code [batch, actionDim]}
     * @return {@code latents}, copied, {@code [batch, actionDim]}, attached to the manager of
     *     {@code observations}
     * @throws IllegalArgumentException if a shape is wrong
     */
    @Override
    public NDArray decode(NDArray observations, NDArray latents) {
        long batch = checkObservations(observations);
        Validate.latents(latents, batch, spec.actionDim());
        NDArray copy = latents.toDevice(observations.getDevice(), true);
        copy.attach(observations.getManager());
        return copy;
    }

    /**
     * Draws standard normal actions (the identity pushes {@code N(0, I)} forward unchanged).
     *
     * @param observations {@code [batch, observationDim]}
     * @param samplesPerObservation {@code n > 0}
     * @return {@code [batch, n, actionDim]}, attached to the manager of {@code observations}
     */
    @Override
    public NDArray sample(NDArray observations, int samplesPerObservation) {
        long batch = checkObservations(observations);
        Validate.positive("samplesPerObservation", samplesPerObservation);
        int n = Math.toIntExact(batch * samplesPerObservation * spec.actionDim());
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) samplingRandom.nextGaussian();
        }
        NDManager manager = observations.getManager();
        return manager.create(values, new Shape(batch, samplesPerObservation, spec.actionDim()));
    }

    /**
     * Does nothing (the Gaussian PPO baseline never refines its decoder).
     *
     * @param data checked against the spec's sizes
     * @param options ignored
     * @param listener receives nothing
     * @return a result with 0 epochs, NaN losses and {@code stoppedEarly = false}
     */
    @Override
    public FitResult fit(DecoderDataset data, FitOptions options, TrainingListener listener) {
        requireReady();
        Validate.notNull("data", data);
        if (data.observationDim() != spec.observationDim() || data.actionDim() != spec.actionDim()) {
            throw new IllegalArgumentException("dataset has observationDim " + data.observationDim()
                    + " and actionDim " + data.actionDim() + ", this decoder has observationDim "
                    + spec.observationDim() + " and actionDim " + spec.actionDim());
        }
        return new FitResult(0, Double.NaN, Double.NaN, Double.NaN, false);
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code "identity"}
     */
    @Override
    public String name() {
        return "identity";
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("decoder", name());
        if (spec != null) {
            config.put("observationDim", spec.observationDim());
            config.put("actionDim", spec.actionDim());
            config.put("seed", seed);
        }
        return config;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Writes {@code identity-decoder.bin} holding only the sizes, so that {@link #load} can check them.
     */
    @Override
    public void save(Path directory) throws IOException {
        requireReady();
        Map<String, float[]> entries = new LinkedHashMap<>();
        entries.put("config.observationDim", new float[] {spec.observationDim()});
        entries.put("config.actionDim", new float[] {spec.actionDim()});
        TensorFile.write(directory.resolve(FILE_KIND + ".bin"), FILE_KIND, FORMAT_VERSION, entries);
    }

    @Override
    public void load(Path directory) throws IOException {
        requireReady();
        Path path = directory.resolve(FILE_KIND + ".bin");
        TensorFile.Content content = TensorFile.read(path, FILE_KIND, FORMAT_VERSION);
        int obsDim = (int) content.require("config.observationDim", 1)[0];
        int actDim = (int) content.require("config.actionDim", 1)[0];
        if (obsDim != spec.observationDim() || actDim != spec.actionDim()) {
            throw new IOException(path + " does not match this identity decoder: observationDim " + obsDim
                    + " and actionDim " + actDim + " in the file, " + spec.observationDim() + " and "
                    + spec.actionDim() + " in this decoder");
        }
    }

    /** Nothing to free. */
    @Override
    public void close() {}

    private long checkObservations(NDArray observations) {
        requireReady();
        return Validate.rows("observations", observations, spec.observationDim());
    }

    private void requireReady() {
        if (spec == null) {
            throw new IllegalStateException("identity decoder is not initialized: call initialize(spec, device,"
                    + " seed) first");
        }
    }
}
