package io.github.gorl.api;

/**
 * A single environment with Gymnasium semantics, written allocation-free: the caller owns the
 * observation buffer and the environment writes into it.
 *
 * <p>Contract (checked by {@code io.github.gorl.envs.Envs.check(env)}): {@link #reset} must be called
 * before the first {@link #step}; observations and rewards are finite; an episode ends with
 * {@code truncated} no later than {@link EnvSpec#maxEpisodeSteps()} steps; after an episode ends the
 * caller resets before stepping again; the same seed gives the same trajectory for the same actions.
 * An environment is not thread-safe; a {@link VectorEnv} steps several of them in parallel.
 */
public interface Env extends AutoCloseable {

    /**
     * The environment's static description.
     *
     * @return the spec, constant over the environment's life
     */
    EnvSpec spec();

    /**
     * Starts a new episode.
     *
     * @param seed seeds the initial-state randomization of this episode
     * @param observation output, length {@code observationDim}: the first observation
     */
    void reset(long seed, float[] observation);

    /**
     * Advances one step.
     *
     * @param action input, length {@code actionDim}, within the spec's bounds
     * @param observation output, length {@code observationDim}: the next observation
     * @return the reward and the end-of-episode flags
     */
    StepResult step(float[] action, float[] observation);

    /** Releases native resources, if any. Closing twice is harmless. */
    @Override
    default void close() {}
}
