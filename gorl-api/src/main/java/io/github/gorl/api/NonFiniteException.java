package io.github.gorl.api;

/**
 * A NaN or infinite observation, reward or loss, with where it came from: the sub-environment (where one
 * exists) and the environment step. Vector envs throw it for a non-finite value an {@link Env} returned;
 * optimizers throw it (or rethrow it with their step count added) for a non-finite value in what they learn
 * from; the trainer rethrows it with the run's global env step and its last good checkpoint.
 *
 * <p>{@link #envStep()} is 1-based and counted by whoever threw: the {@code n}-th transition of a learn call
 * for an optimizer (sub-env {@code i} of the vector step after {@code s} steps is transition {@code s + i + 1}),
 * the run's global count once the trainer rethrows it.
 */
public class NonFiniteException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final int subEnv;
    private final long envStep;

    /**
     * Creates the exception.
     *
     * @param message what was non-finite and where
     * @param subEnv the sub-environment that produced it, or {@code -1} when none applies (a loss)
     * @param envStep the 1-based env step at which it appeared, or {@code -1} when the thrower does not count
     *     steps
     */
    public NonFiniteException(String message, int subEnv, long envStep) {
        this(message, subEnv, envStep, null);
    }

    /**
     * Creates the exception with a cause, for rethrowing with more context.
     *
     * @param message what was non-finite and where
     * @param subEnv the sub-environment, or {@code -1}
     * @param envStep the 1-based env step, or {@code -1}
     * @param cause the exception this one adds context to, or {@code null}
     */
    public NonFiniteException(String message, int subEnv, long envStep, Throwable cause) {
        super(message, cause);
        this.subEnv = subEnv;
        this.envStep = envStep;
    }

    /**
     * The sub-environment that produced the value.
     *
     * @return its index, or {@code -1} when none applies
     */
    public int subEnv() {
        return subEnv;
    }

    /**
     * The 1-based env step at which the value appeared, as counted by the thrower (see the class comment).
     *
     * @return the step, or {@code -1} when unknown
     */
    public long envStep() {
        return envStep;
    }
}
