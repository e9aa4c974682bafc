package io.github.gorl.core.optim.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Activation;
import io.github.gorl.decoders.nn.Mlp;

/**
 * The latent policy {@code pi_theta(eps | s) = N(mean(s), diag(std(s)^2))}: one MLP maps the normalized
 * observation to {@code [mean, rawStd]}, {@code std = clip(softplus(rawStd) + MIN_STD, MIN_STD, MAX_STD)}
 * (the paper's parameterization: softplus keeps the gradient alive where exp would explode, the floor
 * keeps log-probabilities finite).
 */
final class GaussianActor implements AutoCloseable {

    /** The smallest standard deviation; also the offset added after the softplus. */
    static final float MIN_STD = 1e-3f;
    /** The largest standard deviation. */
    static final float MAX_STD = 10f;
    /**
     * The raw output that gives {@code std = 1}: {@code softplus^{-1}(1 - MIN_STD) = log(exp(1 - MIN_STD) - 1)}.
     */
    static final float PRIOR_RAW_STD = (float) Math.log(Math.expm1(1.0 - MIN_STD));

    /** A mean and a standard deviation, both {@code [batch, latentDim]}. */
    record Head(NDArray mean, NDArray std) {}

    private final Mlp mlp;
    private final int latentDim;
    // Parsed once: DJL parses string indices on every call.
    private final NDIndex meanColumns;
    private final NDIndex rawStdColumns;

    /**
     * Creates the actor, already at the prior.
     *
     * @param parent the manager under which parameters live
     * @param observationDim the observation size
     * @param hidden the hidden widths
     * @param latentDim the latent size
     * @param seed the initialization seed
     */
    GaussianActor(NDManager parent, int observationDim, int[] hidden, int latentDim, long seed) {
        this.latentDim = latentDim;
        this.meanColumns = new NDIndex(":, 0:" + latentDim);
        this.rawStdColumns = new NDIndex(":, " + latentDim + ":");
        this.mlp = new Mlp(parent, observationDim, hidden, 2 * latentDim, seed);
        resetToPrior(seed);
    }

    /**
     * Makes {@code pi_theta(eps | s) = N(0, I)} for every {@code s}: fresh hidden layers from {@code seed}
     * (so that learning starts from a new random feature map), a zero output weight matrix, and output
     * biases {@code 0} for the mean and {@link #PRIOR_RAW_STD} for the standard deviation.
     *
     * @param seed the seed of the hidden layers
     */
    void resetToPrior(long seed) {
        mlp.reinitialize(seed);
        mlp.zeroOutputLayer();
        float[] bias = new float[2 * latentDim];
        java.util.Arrays.fill(bias, latentDim, 2 * latentDim, PRIOR_RAW_STD);
        mlp.setOutputBias(bias);
    }

    /**
     * The distribution's parameters.
     *
     * @param normalizedObservations {@code [batch, observationDim]}
     * @return mean and std, {@code [batch, latentDim]} each, attached to the input's manager
     */
    Head forward(NDArray normalizedObservations) {
        NDArray out = mlp.forward(normalizedObservations);
        NDArray mean = out.get(meanColumns);
        NDArray std = Activation.softPlus(out.get(rawStdColumns)).addi(MIN_STD).clip(MIN_STD, MAX_STD);
        return new Head(mean, std);
    }

    /** The underlying MLP, for optimizers and checkpoints. */
    Mlp mlp() {
        return mlp;
    }

    int latentDim() {
        return latentDim;
    }

    @Override
    public void close() {
        mlp.close();
    }
}
