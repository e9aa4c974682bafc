package io.github.gorl.envs.mujoco;

/**
 * The simulation diverged: MuJoCo found a NaN, infinite or huge value in {@code qpos}, {@code qvel} or
 * {@code qacc} during a step ({@code mjWARN_BADQPOS}, {@code mjWARN_BADQVEL}, {@code mjWARN_BADQACC}).
 * MuJoCo has already reset the {@link MjData} to the model's initial state when this is thrown; the data
 * stays usable.
 */
public class MjInstabilityException extends MuJoCoException {

    private static final long serialVersionUID = 1L;

    private final MjWarning warning;

    /**
     * Creates the exception.
     *
     * @param warning which check failed
     * @param message MuJoCo's warning text with the simulation time
     */
    public MjInstabilityException(MjWarning warning, String message) {
        super(message);
        this.warning = warning;
    }

    /**
     * Which of MuJoCo's divergence checks failed.
     *
     * @return {@link MjWarning#BAD_QPOS}, {@link MjWarning#BAD_QVEL} or {@link MjWarning#BAD_QACC}
     */
    public MjWarning warning() {
        return warning;
    }
}
