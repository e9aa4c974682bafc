package io.github.gorl.envs.mujoco;

/** MuJoCo's warning kinds ({@code mjtWarning}), in MuJoCo's order: {@link #ordinal()} is the native code. */
public enum MjWarning {
    /** (Near) singular inertia matrix. */
    INERTIA,
    /** Too many contacts in the contact list. */
    CONTACT_FULL,
    /** Too many constraints. */
    CONSTRAINT_FULL,
    /** Too many visual geoms. */
    VGEOM_FULL,
    /** Bad number in {@code qpos}: the state was reset. */
    BAD_QPOS,
    /** Bad number in {@code qvel}: the state was reset. */
    BAD_QVEL,
    /** Bad number in {@code qacc}: the simulation is unstable and the state was reset. */
    BAD_QACC,
    /** Bad number in {@code ctrl}. */
    BAD_CTRL;

    /**
     * Whether this warning means the simulation diverged and MuJoCo reset the state.
     *
     * @return true for {@link #BAD_QPOS}, {@link #BAD_QVEL} and {@link #BAD_QACC}
     */
    public boolean divergence() {
        return this == BAD_QPOS || this == BAD_QVEL || this == BAD_QACC;
    }
}
