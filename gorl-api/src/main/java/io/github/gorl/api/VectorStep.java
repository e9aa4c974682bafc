package io.github.gorl.api;

/**
 * The preallocated output buffer of {@link VectorEnv#step}: one row per sub-environment, reused from
 * step to step so that stepping allocates nothing.
 *
 * <p>The accessors return the backing arrays themselves (views, not copies); they are overwritten by
 * the next step.
 */
public final class VectorStep {

    private final int numEnvs;
    private final int observationDim;
    private final float[] observations;
    private final float[] finalObservations;
    private final float[] rewards;
    private final boolean[] terminated;
    private final boolean[] truncated;

    /**
     * Allocates the buffers for {@code numEnvs} sub-environments.
     *
     * @param numEnvs the number of sub-environments, {@code > 0}
     * @param observationDim the observation size, {@code > 0}
     */
    public VectorStep(int numEnvs, int observationDim) {
        this.numEnvs = Validate.positive("numEnvs", numEnvs);
        this.observationDim = Validate.positive("observationDim", observationDim);
        this.observations = new float[numEnvs * observationDim];
        this.finalObservations = new float[numEnvs * observationDim];
        this.rewards = new float[numEnvs];
        this.terminated = new boolean[numEnvs];
        this.truncated = new boolean[numEnvs];
    }

    /**
     * The number of sub-environments.
     *
     * @return the number of rows
     */
    public int numEnvs() {
        return numEnvs;
    }

    /**
     * The observation size.
     *
     * @return the number of columns of the observation arrays
     */
    public int observationDim() {
        return observationDim;
    }

    /**
     * The observations to act on next, row-major {@code [numEnvs, observationDim]}. Where a
     * sub-environment finished its episode in this step it has already been reset, and its row holds
     * the first observation of the new episode.
     *
     * @return the backing array
     */
    public float[] observations() {
        return observations;
    }

    /**
     * The last observation of each episode that ended in this step, row-major
     * {@code [numEnvs, observationDim]}; a row is meaningful only where {@code terminated[i] ||
     * truncated[i]}. Needed to bootstrap the value of a truncated episode.
     *
     * @return the backing array
     */
    public float[] finalObservations() {
        return finalObservations;
    }

    /**
     * The rewards of this step, {@code [numEnvs]}.
     *
     * @return the backing array
     */
    public float[] rewards() {
        return rewards;
    }

    /**
     * Which sub-environments reached a terminal state in this step, {@code [numEnvs]}.
     *
     * @return the backing array
     */
    public boolean[] terminated() {
        return terminated;
    }

    /**
     * Which sub-environments were truncated (time limit) in this step, {@code [numEnvs]}.
     *
     * @return the backing array
     */
    public boolean[] truncated() {
        return truncated;
    }
}
