package io.github.gorl.core;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.gorl.core.optim.GaussianHead;
import io.github.gorl.decoders.nn.Adam;
import io.github.gorl.decoders.nn.Gaussian;
import io.github.gorl.decoders.nn.Mlp;
import io.github.gorl.decoders.nn.RunningNormalizer;
import io.github.gorl.decoders.nn.Shuffle;
import io.github.gorl.decoders.nn.TensorFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The learnable prior of the paper's ablation: a state-conditional diagonal Gaussian
 * {@code p_psi(eps|s) = N(mu_psi(s), diag sigma_psi(s)^2)} over latents {@code [latentDim]}.
 *
 * <p>A {@link GaussianHead} ({@link #HIDDEN_LAYERS}, SiLU) maps the normalized observation to {@code [mu, log sigma]}
 * ({@code [batch, 2 * latentDim]}); {@code log sigma} is clamped to [{@link #MIN_LOG_STD}, {@link #MAX_LOG_STD}]
 * (sigma in about [0.0067, 7.39], {@link GaussianHead.StdMap#CLAMPED_EXP}), so a fit to nearly constant latents
 * cannot drive the density to a spike. After
 * {@link #reset()} the output layer is zero, so {@code mu = 0} and {@code sigma = exp(0) = 1} exactly:
 * {@code N(0, I)}, and {@link #isStandard()} is true (callers then skip the affine map altogether).
 *
 * <p>{@link #fit} refits the observation normalizer on the data and then minimizes the Gaussian negative
 * log-likelihood {@code -log p_psi(eps|s)} with {@link #FIT_UPDATES} Adam steps at {@link #LEARNING_RATE}, warm
 * started from the current parameters. Not thread-safe.
 */
final class GaussianPrior implements AutoCloseable {

    /** The hidden layer widths of the prior network. */
    static final int[] HIDDEN_LAYERS = {64, 64};
    /** The lower clamp of {@code log sigma}. */
    static final double MIN_LOG_STD = GaussianHead.MIN_LOG_STD;
    /** The upper clamp of {@code log sigma}. */
    static final double MAX_LOG_STD = GaussianHead.MAX_LOG_STD;
    /** Adam steps of one {@link #fit}. */
    static final int FIT_UPDATES = 2_000;
    /** The Adam learning rate of {@link #fit}. */
    static final double LEARNING_RATE = 1e-3;
    /** The bound of normalized observations. */
    static final double OBSERVATION_CLIP = 10;

    private static final int CHUNK_ROWS = 8_192;
    /** The file kind and format version of {@link #save}. */
    static final String FILE_KIND = "learned-prior";
    static final int FORMAT_VERSION = 1;

    private final NDManager manager;
    private final int observationDim;
    private final int latentDim;
    private final GaussianHead head;
    private final Mlp mlp;
    private final RunningNormalizer normalizer;
    private boolean standard;

    /**
     * Creates the prior as {@code N(0, I)}.
     *
     * @param parent the manager under which the parameters live (their device is the prior's device)
     * @param observationDim the observation size
     * @param latentDim the latent size
     * @param seed seeds the hidden layers' initialization
     */
    GaussianPrior(NDManager parent, int observationDim, int latentDim, long seed) {
        this.manager = parent.newSubManager();
        this.observationDim = observationDim;
        this.latentDim = latentDim;
        this.head = new GaussianHead(manager, observationDim, HIDDEN_LAYERS, latentDim, seed,
                GaussianHead.StdMap.CLAMPED_EXP);
        this.mlp = head.mlp();
        this.normalizer = new RunningNormalizer(manager, observationDim, OBSERVATION_CLIP);
        reset();
    }

    /** Makes the prior exactly {@code N(0, I)}: zero output layer (hidden layers kept), normalizer forgotten. */
    void reset() {
        head.resetOutputToPrior();
        normalizer.reset();
        standard = true;
    }

    /**
     * Whether the prior is exactly {@code N(0, I)} (after {@link #reset()}, before any {@link #fit}).
     *
     * @return true when {@code mu = 0} and {@code sigma = 1} for every state
     */
    boolean isStandard() {
        return standard;
    }

    /**
     * The prior's parameters.
     *
     * @param observations {@code [batch, observationDim]} raw observations, on the prior's device
     * @return {@code mu} and {@code sigma}, {@code [batch, latentDim]} each, attached to the input's manager
     */
    NDArray[] meanStd(NDArray observations) {
        GaussianHead.Distribution p =
                head.forward(normalizer.normalize(observations.toType(DataType.FLOAT32, false)));
        return new NDArray[] {p.mean(), p.std()};
    }

    /**
     * The affine map {@code eps = mu(s) + sigma(s) * z} of a batch, as tensors.
     *
     * @param observations {@code [batch, observationDim]}, on the prior's device
     * @param z {@code [batch, latentDim]}, on the prior's device
     * @return {@code [batch, latentDim]}, attached to the manager of {@code observations}
     */
    NDArray map(NDArray observations, NDArray z) {
        NDArray[] ms = meanStd(observations);
        return ms[1].mul(z).addi(ms[0]);
    }

    /**
     * The affine map {@code eps = mu(s) + sigma(s) * z} of many rows, computed in chunks.
     *
     * @param observations row-major {@code [rows, observationDim]}
     * @param z row-major {@code [rows, latentDim]}
     * @param rows the number of rows
     * @return row-major {@code [rows, latentDim]}
     */
    float[] map(float[] observations, float[] z, int rows) {
        if (standard) {
            return java.util.Arrays.copyOf(z, rows * latentDim);
        }
        float[] out = new float[rows * latentDim];
        for (int start = 0; start < rows; start += CHUNK_ROWS) {
            int size = Math.min(CHUNK_ROWS, rows - start);
            try (NDManager scope = manager.newSubManager()) {
                NDArray obs = scope.create(java.util.Arrays.copyOfRange(observations, start * observationDim,
                        (start + size) * observationDim), new Shape(size, observationDim));
                NDArray latents = scope.create(java.util.Arrays.copyOfRange(z, start * latentDim,
                        (start + size) * latentDim), new Shape(size, latentDim));
                System.arraycopy(map(obs, latents).toFloatArray(), 0, out, start * latentDim, size * latentDim);
            }
        }
        return out;
    }

    /**
     * Fits the prior to latents by Gaussian maximum likelihood: the normalizer is refitted on the observations,
     * then {@link #FIT_UPDATES} Adam steps on minibatches of {@code batchSize} rows (seeded shuffles, whole passes)
     * minimize {@code -mean log p_psi(eps_i | s_i)}.
     *
     * @param observations row-major {@code [rows, observationDim]}
     * @param latents row-major {@code [rows, latentDim]}, the samples {@code eps} to model
     * @param rows the number of rows, {@code > 0}
     * @param batchSize rows per step (at most {@code rows} are used), {@code > 0}
     * @param seed seeds the shuffles
     * @return the mean negative log-likelihood per row over the last pass of up to {@code rows} rows (nats,
     *     summed over the latent dimensions)
     * @throws IllegalStateException if a loss is not finite; the prior is then left part-way and must be restored
     *     by the caller ({@link #state()}, {@link #restore})
     */
    double fit(float[] observations, float[] latents, int rows, int batchSize, long seed) {
        normalizer.reset();
        normalizer.update(observations, rows);
        standard = false;
        SplittableRandom random = new SplittableRandom(seed);
        int batch = Math.min(batchSize, rows);
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        int position = rows;
        float[] obs = new float[batch * observationDim];
        float[] eps = new float[batch * latentDim];
        double lastPassSum = 0;
        int lastPassRows = 0;
        Engine engine = manager.getEngine();
        try (Adam adam = new Adam(mlp.parameters(), LEARNING_RATE)) {
            adam.zeroGradients();
            for (int update = 1; update <= FIT_UPDATES; update++) {
                if (position + batch > rows) {
                    Shuffle.inPlace(order, random);
                    position = 0;
                }
                for (int i = 0; i < batch; i++) {
                    int r = order[position + i];
                    System.arraycopy(observations, r * observationDim, obs, i * observationDim, observationDim);
                    System.arraycopy(latents, r * latentDim, eps, i * latentDim, latentDim);
                }
                position += batch;
                float loss;
                try (NDManager scope = manager.newSubManager()) {
                    NDArray s = scope.create(obs, new Shape(batch, observationDim));
                    NDArray x = scope.create(eps, new Shape(batch, latentDim));
                    try (GradientCollector collector = engine.newGradientCollector()) {
                        NDArray[] ms = meanStd(s);
                        NDArray nll = Gaussian.logProbability(x, ms[0], ms[1]).mean().neg();
                        loss = nll.getFloat();
                        if (!Float.isFinite(loss)) {
                            throw new IllegalStateException("learned prior negative log-likelihood is " + loss
                                    + " at update " + update + " of " + FIT_UPDATES);
                        }
                        collector.backward(nll);
                    }
                    adam.step();
                }
                if (FIT_UPDATES - update < Math.max(1, rows / batch)) {
                    lastPassSum += (double) loss * batch;
                    lastPassRows += batch;
                }
            }
        }
        return lastPassSum / lastPassRows;
    }

    /**
     * Everything that defines the prior: the layer sizes, the network, the normalizer and the standard flag.
     *
     * @return entry name to values, for {@link #restore} and {@link #save}
     */
    Map<String, float[]> state() {
        Map<String, float[]> entries = new LinkedHashMap<>();
        entries.put("config.logStdRange", new float[] {(float) MIN_LOG_STD, (float) MAX_LOG_STD});
        mlp.writeTo(entries, "network");
        entries.putAll(normalizer.state("observations"));
        entries.put("standard", new float[] {standard ? 1 : 0});
        return entries;
    }

    /**
     * Sets the prior from {@link #state()}, after checking every entry.
     *
     * @param entries the state
     * @param file where it came from, for messages
     * @throws IOException if an entry is missing or has another size (nothing is changed then)
     */
    void restore(Map<String, float[]> entries, Path file) throws IOException {
        TensorFile.Content content = new TensorFile.Content(FILE_KIND, FORMAT_VERSION, entries);
        float[] range = content.require("config.logStdRange", 2);
        if (range[0] != (float) MIN_LOG_STD || range[1] != (float) MAX_LOG_STD) {
            throw new IOException(file + " was saved with log-std range [" + range[0] + ", " + range[1]
                    + "], this prior clamps to [" + MIN_LOG_STD + ", " + MAX_LOG_STD + "]");
        }
        float[] flag = content.require("standard", 1);
        List<NDArray> parameters = mlp.parameters();
        float[] sizes = entries.get("network.sizes");
        float[] expected = new float[mlp.sizes().length];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = mlp.sizes()[i];
        }
        if (!java.util.Arrays.equals(sizes, expected)) {
            throw new IOException(file + " was saved with prior layer sizes " + java.util.Arrays.toString(sizes)
                    + ", but this prior has " + java.util.Arrays.toString(expected));
        }
        for (int i = 0; i < parameters.size(); i++) {
            float[] values = content.require("network." + i, Math.toIntExact(parameters.get(i).size()));
            for (float v : values) {
                if (!Float.isFinite(v)) {
                    throw new IOException(file + " holds a non-finite value in entry 'network." + i + "'");
                }
            }
        }
        try (RunningNormalizer check = new RunningNormalizer(manager, observationDim, OBSERVATION_CLIP)) {
            check.loadState(entries, "observations");
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        mlp.readFrom(content, "network", file);
        normalizer.loadState(entries, "observations");
        standard = flag[0] != 0;
    }

    /**
     * Writes {@link #state()} as a {@link TensorFile} (kind {@value #FILE_KIND}, format version 1), atomically.
     *
     * @param file the destination
     * @throws IOException if writing fails
     */
    void save(Path file) throws IOException {
        TensorFile.write(file, FILE_KIND, FORMAT_VERSION, state());
    }

    /**
     * Reads what {@link #save} wrote, checking everything before changing anything.
     *
     * @param file the source
     * @return the entries, for {@link #restore}
     * @throws IOException if the file is missing, corrupted, of another kind or version
     */
    static Map<String, float[]> read(Path file) throws IOException {
        return TensorFile.read(file, FILE_KIND, FORMAT_VERSION).entries();
    }

    @Override
    public void close() {
        manager.close();
    }
}
