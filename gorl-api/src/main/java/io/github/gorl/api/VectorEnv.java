package io.github.gorl.api;

/**
 * A batch of {@code numEnvs} environments stepped together, with auto-reset.
 *
 * <p>Actions are given row-major as {@code float[numEnvs * actionDim]}. Implementations clip each action
 * to the spec's bounds before it reaches the environment (the learner keeps the unclipped action it
 * sampled); a NaN action is an error, never clipped. When a sub-environment's episode ends, the step
 * reports its final observation in {@link VectorStep#finalObservations()}, reports {@code terminated}
 * and {@code truncated} separately, resets it, and returns the new episode's first observation in
 * {@link VectorStep#observations()}.
 */
public interface VectorEnv extends AutoCloseable {

    /**
     * The spec shared by every sub-environment.
     *
     * @return the spec
     */
    EnvSpec spec();

    /**
     * The number of sub-environments.
     *
     * @return {@code numEnvs > 0}
     */
    int numEnvs();

    /**
     * Resets every sub-environment; sub-environment {@code i} is seeded from {@code seed} and {@code i}.
     *
     * @param seed the base seed
     * @param observations output, row-major {@code [numEnvs, observationDim]}
     */
    void reset(long seed, float[] observations);

    /**
     * Steps every sub-environment once.
     *
     * @param actions input, row-major {@code [numEnvs, actionDim]}
     * @param out output buffer, created for this env's {@code numEnvs} and {@code observationDim}
     * @throws NonFiniteException if a sub-environment returned a NaN or infinite observation or reward (with
     *     {@link NonFiniteException#subEnv()} set; the env must be reset before it is stepped again).
     *     Implementations may instead report such values in {@code out}; optimizers check them either way
     */
    void step(float[] actions, VectorStep out);

    /** Closes every sub-environment and any worker threads. Closing twice is harmless. */
    @Override
    void close();
}
