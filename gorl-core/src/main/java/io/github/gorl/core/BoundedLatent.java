package io.github.gorl.core;

import ai.djl.ndarray.NDArray;

/**
 * The bounded latent of the reference's humanoid profile ({@link GoRL.Builder#boundedLatent}): the encoder's Gaussian
 * sample {@code u ~ N(mu(s), sigma(s)^2)} reaches the decoder as {@code z = tanh(u)}, in {@code (-1, 1)}, as Brax's
 * tanh-normal distribution emits it. The encoder, its log-probabilities and its regularizer stay on {@code u}; every
 * path that decodes an encoder latent goes through this one map: the training env ({@link DecodedVectorEnv}), the
 * composed policy ({@link ComposedPolicy}: evaluation, decoder-data collection, {@code policy()}).
 */
final class BoundedLatent {

    private BoundedLatent() {}

    /**
     * {@code tanh} of a batch of encoder latents.
     *
     * @param u {@code [n, latentDim]}, the encoder's (unbounded) latents
     * @return {@code [n, latentDim]}, {@code tanh(u)}, attached to {@code u}'s manager
     */
    static NDArray apply(NDArray u) {
        return u.tanh();
    }

    /**
     * {@code tanh} of a row-major batch of encoder latents; NaN stays NaN.
     *
     * @param u the encoder's latents
     * @param z output, the same length (may be {@code u})
     */
    static void apply(float[] u, float[] z) {
        for (int k = 0; k < u.length; k++) {
            z[k] = (float) Math.tanh(u[k]);
        }
    }
}
