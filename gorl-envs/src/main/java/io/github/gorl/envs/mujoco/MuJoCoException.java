package io.github.gorl.envs.mujoco;

/**
 * A failure reported by MuJoCo itself: a model that does not compile (the message is MuJoCo's own, from
 * the error buffer of {@code mj_loadXML}), a fatal engine error raised through {@code mju_error}
 * (which MuJoCo's default handler would answer by exiting the process), or an unstable simulation
 * (see {@link MjInstabilityException}).
 */
public class MuJoCoException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what MuJoCo reported, with the context of the call
     */
    public MuJoCoException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the native exception it wraps.
     *
     * @param message what MuJoCo reported, with the context of the call
     * @param cause the exception raised by the JNI glue
     */
    public MuJoCoException(String message, Throwable cause) {
        super(message, cause);
    }
}
