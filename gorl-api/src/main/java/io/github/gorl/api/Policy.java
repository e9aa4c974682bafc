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
     * @return the action {@code [actionDim]}, unbounded: the decoder's output, not clipped to the bounds (see
     *     {@link #actInBounds})
     */
    float[] act(float[] observation);

    /**
     * The deterministic action as the environment executes it. By default {@link #act(float[])} clipped to the
     * spec's bounds, as the library's vector envs clip it; a GoRL agent squashes as its {@link ActionSquashing} says
     * ({@code tanh} in the paper's setting). A NaN stays NaN.
     *
     * @param observation {@code [observationDim]}
     * @return the action {@code [actionDim]}, within {@code [actionLow, actionHigh]}
     */
    default float[] actInBounds(float[] observation) {
        float[] action = act(observation);
        float[] low = spec().actionLow();
        float[] high = spec().actionHigh();
        for (int k = 0; k < action.length; k++) {
            action[k] = Math.min(Math.max(action[k], low[k]), high[k]);
        }
        return action;
    }

    /**
     * Actions for a batch of observations.
     *
     * @param observations {@code [batch, observationDim]}
     * @param deterministic true for the mean latent, false to sample the latent
     * @return actions {@code [batch, actionDim]}, unbounded, attached to the manager of {@code observations}
     */
    NDArray act(NDArray observations, boolean deterministic);

    /**
     * The spec of the environment the policy was trained on.
     *
     * @return the spec
     */
    EnvSpec spec();
}
