package io.github.gorl.api;

import java.util.Arrays;

/**
 * The static description of an environment: its name, observation and action sizes, action bounds and
 * episode length.
 *
 * <p>Observations are {@code float[observationDim]}; actions are {@code float[actionDim]} with
 * {@code actionLow[i] <= a[i] <= actionHigh[i]}. Bounds may be infinite (a latent action space is
 * unbounded). Arrays are copied on the way in and on the way out, so a spec is immutable.
 *
 * @param id a human-readable task name, such as {@code "Pendulum"} or {@code "CheetahRun"}
 * @param observationDim the observation size, {@code > 0}
 * @param actionDim the action size, {@code > 0}
 * @param actionLow the lower action bounds, length {@code actionDim}
 * @param actionHigh the upper action bounds, length {@code actionDim}, each {@code >= actionLow}
 * @param maxEpisodeSteps the step at which an episode is truncated, {@code > 0}
 */
public record EnvSpec(
        String id,
        int observationDim,
        int actionDim,
        float[] actionLow,
        float[] actionHigh,
        int maxEpisodeSteps) {

    /** Validates every field and copies the bounds. */
    public EnvSpec {
        Validate.notNull("id", id);
        Validate.positive("observationDim", observationDim);
        Validate.positive("actionDim", actionDim);
        Validate.positive("maxEpisodeSteps", maxEpisodeSteps);
        actionLow = Validate.length("actionLow", actionLow, actionDim).clone();
        actionHigh = Validate.length("actionHigh", actionHigh, actionDim).clone();
        for (int i = 0; i < actionDim; i++) {
            if (Float.isNaN(actionLow[i]) || Float.isNaN(actionHigh[i]) || actionLow[i] > actionHigh[i]) {
                throw new IllegalArgumentException("action bounds of dimension " + i
                        + " must satisfy low <= high, got [" + actionLow[i] + ", " + actionHigh[i] + "]");
            }
        }
    }

    /**
     * A spec whose actions lie in {@code [-bound, bound]} in every dimension.
     *
     * @param id the task name
     * @param observationDim the observation size
     * @param actionDim the action size
     * @param bound the symmetric action bound, {@code > 0}
     * @param maxEpisodeSteps the episode length
     * @return the spec
     */
    public static EnvSpec symmetric(String id, int observationDim, int actionDim, float bound, int maxEpisodeSteps) {
        Validate.positive("bound", bound);
        float[] low = new float[Validate.positive("actionDim", actionDim)];
        float[] high = new float[actionDim];
        Arrays.fill(low, -bound);
        Arrays.fill(high, bound);
        return new EnvSpec(id, observationDim, actionDim, low, high, maxEpisodeSteps);
    }

    /**
     * The spec of the latent environment seen by a {@link LatentPolicyOptimizer}: the same observations
     * and episode length, and an unbounded latent action of size {@code latentDim}.
     *
     * @param latentDim the latent size (GoRL uses the action size)
     * @return the latent spec
     */
    public EnvSpec latent(int latentDim) {
        float[] low = new float[Validate.positive("latentDim", latentDim)];
        float[] high = new float[latentDim];
        Arrays.fill(low, Float.NEGATIVE_INFINITY);
        Arrays.fill(high, Float.POSITIVE_INFINITY);
        return new EnvSpec(id + "/latent", observationDim, latentDim, low, high, maxEpisodeSteps);
    }

    /**
     * The lower action bounds.
     *
     * @return a copy, length {@code actionDim}
     */
    @Override
    public float[] actionLow() {
        return actionLow.clone();
    }

    /**
     * The upper action bounds.
     *
     * @return a copy, length {@code actionDim}
     */
    @Override
    public float[] actionHigh() {
        return actionHigh.clone();
    }

    /**
     * Whether every action bound is finite.
     *
     * @return true for a box action space, false when some dimension is unbounded
     */
    public boolean boundedActions() {
        for (int i = 0; i < actionDim; i++) {
            if (!Float.isFinite(actionLow[i]) || !Float.isFinite(actionHigh[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EnvSpec s
                && id.equals(s.id)
                && observationDim == s.observationDim
                && actionDim == s.actionDim
                && maxEpisodeSteps == s.maxEpisodeSteps
                && Arrays.equals(actionLow, s.actionLow)
                && Arrays.equals(actionHigh, s.actionHigh);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * id.hashCode() + observationDim) + actionDim
                + 17 * Arrays.hashCode(actionLow) + 13 * Arrays.hashCode(actionHigh) + maxEpisodeSteps;
    }

    @Override
    public String toString() {
        return "EnvSpec[" + id + ", obs=" + observationDim + ", act=" + actionDim
                + ", low=" + Arrays.toString(actionLow) + ", high=" + Arrays.toString(actionHigh)
                + ", maxEpisodeSteps=" + maxEpisodeSteps + "]";
    }
}
