package io.github.gorl.core.optim;

import io.github.gorl.api.VectorStep;

/**
 * The check that the optimizers apply to every env transition as it arrives: a NaN or infinite value would silently
 * poison every parameter (and a NaN observation would be acted on in the next step), so it is named instead.
 *
 * <p>Internal: shared by gorl-java's optimizers; not part of the stable API.
 */
public final class NonFiniteValues {

    private NonFiniteValues() {}

    /**
     * The first non-finite value of sub-env {@code i}'s transition in {@code step}: its reward, then its observation
     * and, where its episode ended, its final observation, element by element.
     *
     * @param step the step's results, {@code [numEnvs]} rewards and {@code [numEnvs, observationDim]} observations
     * @param i the sub-env
     * @return e.g. {@code "reward NaN"} or {@code "final observation[2] Infinity"}; null when all are finite
     */
    public static String firstIn(VectorStep step, int i) {
        int obsDim = step.observationDim();
        if (!Float.isFinite(step.rewards()[i])) {
            return "reward " + step.rewards()[i];
        }
        boolean done = step.terminated()[i] || step.truncated()[i];
        for (int k = i * obsDim; k < (i + 1) * obsDim; k++) {
            if (!Float.isFinite(step.observations()[k])) {
                return "observation[" + (k - i * obsDim) + "] " + step.observations()[k];
            }
            if (done && !Float.isFinite(step.finalObservations()[k])) {
                return "final observation[" + (k - i * obsDim) + "] " + step.finalObservations()[k];
            }
        }
        return null;
    }
}
