package io.github.gorl.envs.dmc;

import io.github.gorl.envs.mujoco.MjObjectType;
import java.util.SplittableRandom;

/**
 * dm_control's humanoid domain ({@code humanoid-stand}, {@code humanoid-walk}, {@code humanoid-run}): a 3D
 * humanoid with 21 hinge joints on a free-floating torso, rewarded for holding its head high and its torso
 * upright with little control effort, and for standing still ({@link #STAND}) or moving horizontally at 1
 * m/s ({@link #WALK}) or 10 m/s ({@link #RUN}) or faster. The three tasks differ only in that target
 * speed.
 *
 * <ul>
 *   <li>Observation (67): {@code joint_angles} = {@code qpos[7:]} (21), {@code head_height} = the head's z
 *       (1), {@code extremities} = left hand, left foot, right hand, right foot, each relative to the torso
 *       in the torso's frame (12), {@code torso_vertical} = the torso's {@code zx, zy, zz} (3), {@code
 *       com_velocity} = the torso subtree's center-of-mass velocity in the world frame (3), {@code velocity}
 *       = {@code qvel} (27).
 *   <li>Action (21): motor torques in [-1, 1] (gears 20 to 120), in the model's actuator order.
 *   <li>Reward: {@code small_control * standing * upright * move}, with {@code standing = tolerance(head
 *       height, (1.4, inf), margin=0.35)}, {@code upright = tolerance(zz, (0.9, inf), margin=1.9,
 *       value_at_margin=0, linear)}, {@code small_control = (4 + mean(tolerance(ctrl, margin=1,
 *       value_at_margin=0, quadratic))) / 5}; for standing {@code move = mean(tolerance(v, margin=2))} over
 *       the horizontal center-of-mass velocity components {@code v}, else {@code move = (5 * tolerance(|v|,
 *       (speed, inf), margin=speed, value_at_margin=0, linear) + 1) / 6}.
 *   <li>Start: {@code randomize_limited_and_rotational_joints} (the torso's orientation from a normalized
 *       uniform [0, 1)^4 quaternion at height 1.5, every hinge uniform in its range), redrawn until MuJoCo
 *       finds no contact, as dm_control does.
 *   <li>Timing: physics 0.005 s, control 0.025 s (5 physics steps per control step).
 * </ul>
 */
final class Humanoid extends DmControlEnv {

    /** Stand still: target horizontal speed 0. */
    static final String STAND = "HumanoidStand";
    /** Walk: target horizontal speed 1 m/s. */
    static final String WALK = "HumanoidWalk";
    /** Run: target horizontal speed 10 m/s. */
    static final String RUN = "HumanoidRun";

    static final int OBSERVATION_DIM = 67;
    static final double WALK_SPEED = 1;
    static final double RUN_SPEED = 10;
    private static final double STAND_HEIGHT = 1.4;
    /** The free root joint's 7 position coordinates precede the joint angles. */
    private static final int ROOT_QPOS = 7;
    private static final String[] EXTREMITIES = {"left_hand", "left_foot", "right_hand", "right_foot"};

    private static final Tolerance STANDING = Tolerance.bounds(STAND_HEIGHT, Double.POSITIVE_INFINITY)
            .margin(STAND_HEIGHT / 4);
    private static final Tolerance UPRIGHT = Tolerance.bounds(0.9, Double.POSITIVE_INFINITY)
            .margin(1.9).sigmoid(Tolerance.Sigmoid.LINEAR).valueAtMargin(0);
    private static final Tolerance SMALL_CONTROL = Tolerance.bounds(0, 0)
            .margin(1).sigmoid(Tolerance.Sigmoid.QUADRATIC).valueAtMargin(0);
    private static final Tolerance DONT_MOVE = Tolerance.bounds(0, 0).margin(2);

    /** The speed term's tolerance; null for standing, which rewards stillness instead. */
    private final Tolerance move;
    private final int torso;
    private final int head;
    private final int[] extremities = new int[EXTREMITIES.length];
    private final int comVelocitySensor;

    /**
     * One of the three tasks.
     *
     * @param id {@link #STAND}, {@link #WALK} or {@link #RUN}
     * @param moveSpeed the target horizontal speed: 0, {@link #WALK_SPEED} or {@link #RUN_SPEED}
     */
    Humanoid(String id, double moveSpeed) {
        super(id, DmControl.mjcf("humanoid.xml"), OBSERVATION_DIM, 0.025);
        this.move = moveSpeed == 0 ? null : Tolerance.bounds(moveSpeed, Double.POSITIVE_INFINITY)
                .margin(moveSpeed).sigmoid(Tolerance.Sigmoid.LINEAR).valueAtMargin(0);
        torso = model.id(MjObjectType.BODY, "torso");
        head = model.id(MjObjectType.BODY, "head");
        for (int i = 0; i < EXTREMITIES.length; i++) {
            extremities[i] = model.id(MjObjectType.BODY, EXTREMITIES[i]);
        }
        comVelocitySensor = model.sensorAddress(model.id(MjObjectType.SENSOR, "torso_subtreelinvel"));
    }

    @Override
    void initializeEpisode(SplittableRandom random) {
        randomizeUntilNoContact(random);
    }

    /**
     * The head's height above the floor.
     *
     * @return meters
     */
    double headHeight() {
        return data.xpos(head, 2);
    }

    /**
     * The projection of the torso's z axis on the world's, 1 when upright.
     *
     * @return {@code xmat[torso, zz]}
     */
    double torsoUpright() {
        return data.xmat(torso, 8);
    }

    /**
     * A component of the torso subtree's center-of-mass velocity, world frame.
     *
     * @param axis 0, 1 or 2
     * @return meters per second
     */
    double comVelocity(int axis) {
        return data.sensordata(comVelocitySensor + axis);
    }

    /**
     * {@code standing * upright}: the head high and the torso vertical.
     *
     * @return a value in [0, 1]
     */
    double standReward() {
        return STANDING.apply(headHeight()) * UPRIGHT.apply(torsoUpright());
    }

    /**
     * {@code (4 + mean(tolerance(ctrl)))/5}: 1 without control, 0.8 at full control in every actuator.
     *
     * @return a value in [0.8, 1]
     */
    double smallControlReward() {
        int nu = model.nu();
        double sum = 0;
        for (int i = 0; i < nu; i++) {
            sum += SMALL_CONTROL.apply(data.ctrl(i));
        }
        return (4 + sum / nu) / 5;
    }

    /**
     * The speed term: for standing, how still the center of mass is horizontally; otherwise how close the
     * horizontal speed is to the target, with a floor of 1/6.
     *
     * @return a value in [0, 1]
     */
    double moveReward() {
        double vx = comVelocity(0);
        double vy = comVelocity(1);
        if (move == null) {
            return (DONT_MOVE.apply(vx) + DONT_MOVE.apply(vy)) / 2;
        }
        return (5 * move.apply(Math.sqrt(vx * vx + vy * vy)) + 1) / 6;
    }

    @Override
    void observe(float[] observation) {
        int nq = model.nq();
        int o = 0;
        for (int i = ROOT_QPOS; i < nq; i++) {
            observation[o++] = (float) data.qpos(i);
        }
        observation[o++] = (float) headHeight();
        for (int body : extremities) {
            double dx = data.xpos(body, 0) - data.xpos(torso, 0);
            double dy = data.xpos(body, 1) - data.xpos(torso, 1);
            double dz = data.xpos(body, 2) - data.xpos(torso, 2);
            // (limb - torso) . R: the offset in the torso's frame (xmat is row-major, columns are the torso's axes)
            for (int k = 0; k < 3; k++) {
                observation[o++] = (float) (dx * data.xmat(torso, k) + dy * data.xmat(torso, 3 + k)
                        + dz * data.xmat(torso, 6 + k));
            }
        }
        for (int k = 6; k < 9; k++) {
            observation[o++] = (float) data.xmat(torso, k);
        }
        for (int k = 0; k < 3; k++) {
            observation[o++] = (float) comVelocity(k);
        }
        putVelocity(observation, o);
    }

    @Override
    double reward() {
        return smallControlReward() * standReward() * moveReward();
    }
}
