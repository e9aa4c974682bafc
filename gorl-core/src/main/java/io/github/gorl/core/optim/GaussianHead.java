package io.github.gorl.core.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.github.gorl.decoders.nn.Gaussian;
import io.github.gorl.decoders.nn.Mlp;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A state-conditional diagonal Gaussian {@code N(mean(s), diag(std(s)^2))} over {@code [latentDim]}: one MLP maps the
 * normalized observation {@code [batch, observationDim]} to {@code [mean, raw]} ({@code [batch, 2 * latentDim]}), and
 * the head's {@link StdMap} turns {@code raw} into the standard deviation. Latent PPO's and latent SAC's policies
 * ({@link StdMap#SOFTPLUS}) and the learned prior of the ablation ({@link StdMap#CLAMPED_EXP}) are this head.
 *
 * <p>At the prior ({@link #resetToPrior}, {@link #resetOutputToPrior}) the output weights are zero and the output
 * bias is {@code 0} for the mean and {@link StdMap#priorRaw()} for the std, so the head is {@code N(0, I)} for every
 * observation.
 *
 * <p>Internal: shared by gorl-java's optimizers and the learned prior; not part of the stable API.
 */
public final class GaussianHead implements AutoCloseable {

    /** The smallest standard deviation of {@link StdMap#SOFTPLUS}; also the offset added after the softplus. */
    public static final float MIN_STD = 1e-3f;
    /** The largest standard deviation of {@link StdMap#SOFTPLUS}. */
    public static final float MAX_STD = 10f;
    /** The lower clamp of {@code log std} in {@link StdMap#CLAMPED_EXP}. */
    public static final double MIN_LOG_STD = -5;
    /** The upper clamp of {@code log std} in {@link StdMap#CLAMPED_EXP}. */
    public static final double MAX_LOG_STD = 2;

    /** How the head's raw output becomes the standard deviation; each keeps the behaviour its users were tuned on. */
    public enum StdMap {
        /**
         * {@code std = clip(softplus(raw) + MIN_STD, MIN_STD, MAX_STD)}, the paper's parameterization of the latent
         * policy: softplus keeps the gradient alive where exp would explode, the floor keeps log-probabilities finite.
         */
        SOFTPLUS((float) Math.log(Math.expm1(1.0 - MIN_STD))),
        /**
         * {@code std = exp(clamp(raw, MIN_LOG_STD, MAX_LOG_STD))} (std in about [0.0067, 7.39]), the learned prior's:
         * a fit to nearly constant latents cannot drive the density to a spike.
         */
        CLAMPED_EXP(0f);

        private final float priorRaw;

        StdMap(float priorRaw) {
            this.priorRaw = priorRaw;
        }

        /**
         * The raw output that gives {@code std = 1}.
         *
         * @return {@code softplus^{-1}(1 - MIN_STD) = log(exp(1 - MIN_STD) - 1)} or {@code 0}
         */
        public float priorRaw() {
            return priorRaw;
        }
    }

    /**
     * The head's distribution for a batch of observations.
     *
     * @param mean {@code [batch, latentDim]}
     * @param std {@code [batch, latentDim]}, positive
     */
    public record Distribution(NDArray mean, NDArray std) {

        /**
         * A draw {@code mean + std * z} with {@code z ~ N(0, I)} taken from {@code random} row by row, or the mean.
         *
         * @param random the noise source (untouched when deterministic)
         * @param deterministic whether to return the mean
         * @return {@code [batch, latentDim]}, attached to the manager of {@link #mean}
         */
        public NDArray sample(SplittableRandom random, boolean deterministic) {
            if (deterministic) {
                return mean;
            }
            Shape shape = mean.getShape();
            float[] z = Gaussian.standardNormal(random, Math.toIntExact(shape.size()));
            return mean.add(std.mul(mean.getManager().create(z, shape)));
        }

        /**
         * {@code log N(x; mean, diag(std^2))}.
         *
         * @param x {@code [batch, latentDim]}
         * @return {@code [batch]}
         */
        public NDArray logProbability(NDArray x) {
            return Gaussian.logProbability(x, mean, std);
        }
    }

    private final Mlp mlp;
    private final int latentDim;
    private final StdMap stdMap;
    // Parsed once: DJL parses string indices on every call.
    private final NDIndex meanColumns;
    private final NDIndex rawColumns;

    /**
     * Creates the head, already at the prior ({@link #resetToPrior} with {@code seed}).
     *
     * @param parent the manager under which parameters live
     * @param observationDim the observation size
     * @param hidden the hidden widths
     * @param latentDim the latent size
     * @param seed the initialization seed
     * @param stdMap how {@code raw} becomes the std
     */
    public GaussianHead(NDManager parent, int observationDim, int[] hidden, int latentDim, long seed, StdMap stdMap) {
        this.latentDim = latentDim;
        this.stdMap = stdMap;
        this.meanColumns = new NDIndex(":, 0:" + latentDim);
        this.rawColumns = new NDIndex(":, " + latentDim + ":");
        this.mlp = new Mlp(parent, observationDim, hidden, 2 * latentDim, seed);
        resetToPrior(seed);
    }

    /**
     * Makes the head {@code N(0, I)} for every observation with fresh hidden layers from {@code seed} (so that
     * learning starts from a new random feature map): {@link Mlp#reinitialize}, then {@link #resetOutputToPrior}.
     *
     * @param seed the seed of the hidden layers
     */
    public void resetToPrior(long seed) {
        mlp.reinitialize(seed);
        resetOutputToPrior();
    }

    /**
     * Makes the head {@code N(0, I)} for every observation, keeping the hidden layers: a zero output weight matrix,
     * output biases {@code 0} for the mean and {@link StdMap#priorRaw()} for the std.
     */
    public void resetOutputToPrior() {
        mlp.zeroOutputLayer();
        float[] bias = new float[2 * latentDim];
        Arrays.fill(bias, latentDim, 2 * latentDim, stdMap.priorRaw());
        mlp.setOutputBias(bias);
    }

    /**
     * The distribution's parameters.
     *
     * @param normalizedObservations {@code [batch, observationDim]}
     * @return mean and std, {@code [batch, latentDim]} each, attached to the input's manager
     */
    public Distribution forward(NDArray normalizedObservations) {
        NDArray out = mlp.forward(normalizedObservations);
        NDArray mean = out.get(meanColumns);
        NDArray raw = out.get(rawColumns);
        NDArray std = switch (stdMap) {
            case SOFTPLUS -> Activation.softPlus(raw).addi(MIN_STD).clip(MIN_STD, MAX_STD);
            case CLAMPED_EXP -> raw.clip(MIN_LOG_STD, MAX_LOG_STD).exp();
        };
        return new Distribution(mean, std);
    }

    /**
     * The underlying MLP, for optimizers, checkpoints and tests.
     *
     * @return the network, {@code [observationDim] -> [2 * latentDim]}
     */
    public Mlp mlp() {
        return mlp;
    }

    /**
     * The latent size.
     *
     * @return {@code latentDim}
     */
    public int latentDim() {
        return latentDim;
    }

    @Override
    public void close() {
        mlp.close();
    }
}
