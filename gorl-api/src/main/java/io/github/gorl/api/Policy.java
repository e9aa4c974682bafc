package io.github.gorl.api;

import ai.djl.ndarray.NDArray;

/**
 * A trained composed policy {@code a = g_phi(s, eps)}, {@code eps ~ pi_theta(eps | s)}.
 */
public interface Policy {

    /**
     * The deterministic action (mean latent, decoded) for one observation.
     *
     * @param observation {@code [observationDim]}
     * @return the action {@code [actionDim]}, not clipped to the bounds
     */
    float[] act(float[] observation);

    /**
     * Actions for a batch of observations.
     *
     * @param observations {@code [batch, observationDim]}
     * @param deterministic true for the mean latent, false to sample the latent
     * @return actions {@code [batch, actionDim]}, attached to the manager of {@code observations}
     */
    NDArray act(NDArray observations, boolean deterministic);

    /**
     * The spec of the environment the policy was trained on.
     *
     * @return the spec
     */
    EnvSpec spec();
}
