package io.github.gorl.core.optim.sac;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import io.github.gorl.decoders.nn.Mlp;
import java.util.Arrays;

/**
 * SAC's latent policy {@code pi_theta(eps | s) = N(mean(s), diag(std(s)^2))}, without a tanh: the latent
 * space is unbounded (the decoder and the env's clipping map latents to valid actions). One MLP maps the
 * normalized observation to {@code [mean, rawStd]}, {@code std = clip(softplus(rawStd) + MIN_STD, MIN_STD,
 * MAX_STD)}, the same parameterization as latent PPO's actor, so both reset to the prior the same way.
 */
final class LatentActor implements AutoCloseable {

    /** The smallest standard deviation; also the offset added after the softplus. */
    static final float MIN_STD = 1e-3f;
    /** The largest standard deviation. */
    static final float MAX_STD = 10f;
    /** The raw output that gives {@code std = 1}: {@code softplus^{-1}(1 - MIN_STD) = log(exp(1 - MIN_STD) - 1)}. */
    static final float PRIOR_RAW_STD = (float) Math.log(Math.expm1(1.0 - MIN_STD));

    /** A mean and a standard deviation, both {@code [batch, latentDim]}. */
    record Head(NDArray mean, NDArray std) {}

    private final Mlp mlp;
    private final int latentDim;

    /**
     * Creates the actor, already at the prior.
     *
     * @param parent the manager under which parameters live
     * @param observationDim the observation size
     * @param hidden the hidden widths
     * @param latentDim the latent size
     * @param seed the initialization seed
     */
    LatentActor(NDManager parent, int observationDim, int[] hidden, int latentDim, long seed) {
        this.latentDim = latentDim;
        this.mlp = new Mlp(parent, observationDim, hidden, 2 * latentDim, seed);
        resetToPrior(seed);
    }

    /**
     * Makes {@code pi_theta(eps | s) = N(0, I)} for every {@code s}: fresh hidden layers from {@code seed}, a zero
     * output weight matrix, output biases 0 for the mean and {@link #PRIOR_RAW_STD} for the standard deviation.
     *
     * @param seed the seed of the hidden layers
     */
    void resetToPrior(long seed) {
        mlp.reinitialize(seed);
        mlp.zeroOutputLayer();
        float[] bias = new float[2 * latentDim];
        Arrays.fill(bias, latentDim, 2 * latentDim, PRIOR_RAW_STD);
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
        NDArray mean = out.get(":, 0:" + latentDim);
        NDArray std = Activation.softPlus(out.get(":, " + latentDim + ":")).addi(MIN_STD).clip(MIN_STD, MAX_STD);
        return new Head(mean, std);
    }

    /** The underlying MLP, for optimizers, checkpoints and tests. */
    Mlp mlp() {
        return mlp;
    }

    @Override
    public void close() {
        mlp.close();
    }
}
