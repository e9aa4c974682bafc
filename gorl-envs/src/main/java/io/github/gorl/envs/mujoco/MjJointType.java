package io.github.gorl.envs.mujoco;

/** MuJoCo's joint types ({@code mjtJoint}), in MuJoCo's order: {@link #ordinal()} is the native code. */
public enum MjJointType {
    /** Free joint: position (3) and orientation quaternion (4) in {@code qpos}; 6 dofs. */
    FREE,
    /** Ball joint: an orientation quaternion (4) in {@code qpos}; 3 dofs. */
    BALL,
    /** Slide joint: one translation. */
    SLIDE,
    /** Hinge joint: one rotation, in radians. */
    HINGE;

    private static final MjJointType[] VALUES = values();

    static MjJointType ofCode(int code) {
        if (code < 0 || code >= VALUES.length) {
            throw new IllegalStateException("unknown MuJoCo joint type code " + code);
        }
        return VALUES[code];
    }
}
