package io.github.gorl.envs.mujoco;

/**
 * MuJoCo's object types ({@code mjtObj}) used to look names up with {@link MjModel#id}, in MuJoCo's
 * order: {@link #ordinal()} is the native code.
 */
public enum MjObjectType {
    /** Unknown object type. */
    UNKNOWN,
    /** A body, addressed through its inertial frame. */
    BODY,
    /** A body, addressed through its regular frame. */
    XBODY,
    /** A joint. */
    JOINT,
    /** A degree of freedom. */
    DOF,
    /** A geom. */
    GEOM,
    /** A site. */
    SITE,
    /** A camera. */
    CAMERA,
    /** A light. */
    LIGHT,
    /** A mesh. */
    MESH,
    /** A skin. */
    SKIN,
    /** A height field. */
    HFIELD,
    /** A texture. */
    TEXTURE,
    /** A material. */
    MATERIAL,
    /** A geom pair. */
    PAIR,
    /** An excluded body pair. */
    EXCLUDE,
    /** An equality constraint. */
    EQUALITY,
    /** A tendon. */
    TENDON,
    /** An actuator. */
    ACTUATOR,
    /** A sensor. */
    SENSOR,
    /** A numeric custom field. */
    NUMERIC,
    /** A text custom field. */
    TEXT,
    /** A tuple custom field. */
    TUPLE,
    /** A keyframe. */
    KEY;

    /**
     * The lower-case name used in messages.
     *
     * @return for example {@code "joint"}
     */
    String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
