package io.github.gorl.envs.dmc;

import io.github.gorl.envs.mujoco.MjObjectType;
import java.util.SplittableRandom;

/**
 * dm_control's {@code walker-walk}: a planar biped rewarded for standing upright and walking forward
 * at 1 m/s or faster.
 *
 * <ul>
 *   <li>Observation (24): {@code orientations} = the {@code xx} and {@code xz} entries of the rotation
 *       matrix of each of the 7 bodies (14), {@code height} = the torso's height (1), {@code velocity}
 *       = {@code qvel} (9).
 *   <li>Action (6): right and left hip, knee and ankle torques in [-1, 1].
 *   <li>Reward: {@code stand * (5 * move + 1) / 6}, with {@code stand = (3 * tolerance(height, (1.2,
 *       inf), margin=0.6) + (1 + upright) / 2) / 4} and {@code move = tolerance(vx, (1, inf),
 *       margin=0.5, value_at_margin=0.5, linear)}, vx the torso subtree's center-of-mass velocity.
 *   <li>Start: {@code randomize_limited_and_rotational_joints}.
 *   <li>Timing: physics 0.0025 s, control 0.025 s (10 physics steps per control step).
 * </ul>
 */
final class WalkerWalk extends DmControlEnv {

    static final String ID = "WalkerWalk";
    static final int OBSERVATION_DIM = 24;
    private static final double STAND_HEIGHT = 1.2;
    private static final double WALK_SPEED = 1;

    private static final Tolerance STANDING = Tolerance.bounds(STAND_HEIGHT, Double.POSITIVE_INFINITY)
            .margin(STAND_HEIGHT / 2);
    private static final Tolerance MOVE = Tolerance.bounds(WALK_SPEED, Double.POSITIVE_INFINITY)
            .margin(WALK_SPEED / 2).sigmoid(Tolerance.Sigmoid.LINEAR).valueAtMargin(0.5);

    private final int torso;
    private final int speedSensor;

    WalkerWalk() {
        super(ID, DmControl.mjcf("walker.xml"), OBSERVATION_DIM, 0.025);
        torso = model.id(MjObjectType.BODY, "torso");
        speedSensor = model.sensorAddress(model.id(MjObjectType.SENSOR, "torso_subtreelinvel"));
    }

    @Override
    void initializeEpisode(SplittableRandom random) {
        randomizeLimitedAndRotationalJoints(random);
    }

    /**
     * The torso's height.
     *
     * @return meters
     */
    double torsoHeight() {
        return data.xpos(torso, 2);
    }

    /**
     * The projection of the torso's z axis on the world's, 1 when upright.
     *
     * @return {@code xmat[torso, zz]}
     */
    double torsoUpright() {
        return data.xmat(torso, 8);
    }

    @Override
    void observe(float[] observation) {
        int o = 0;
        for (int b = 1; b < model.nbody(); b++) {
            observation[o++] = (float) data.xmat(b, 0);
            observation[o++] = (float) data.xmat(b, 2);
        }
        observation[o++] = (float) torsoHeight();
        putVelocity(observation, o);
    }

    @Override
    double reward() {
        double standing = STANDING.apply(torsoHeight());
        double upright = (1 + torsoUpright()) / 2;
        double stand = (3 * standing + upright) / 4;
        double move = MOVE.apply(data.sensordata(speedSensor));
        return stand * (5 * move + 1) / 6;
    }
}
