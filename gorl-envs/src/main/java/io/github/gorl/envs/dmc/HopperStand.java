package io.github.gorl.envs.dmc;

import io.github.gorl.envs.mujoco.MjObjectType;
import java.util.SplittableRandom;

/**
 * dm_control's {@code hopper-stand}: a planar one-legged hopper rewarded for standing tall with little
 * control effort.
 *
 * <ul>
 *   <li>Observation (15): {@code position} = {@code qpos[1:]} (6), {@code velocity} = {@code qvel} (7),
 *       {@code touch} = {@code log1p} of the toe and heel touch sensors (2).
 *   <li>Action (4): waist, hip, knee and ankle torques in [-1, 1].
 *   <li>Reward: {@code standing * small_control}, with {@code standing = tolerance(height, (0.6, 2))}
 *       (height = torso center of mass above the foot's) and {@code small_control = (4 +
 *       mean(tolerance(ctrl, margin=1, value_at_margin=0, quadratic))) / 5}.
 *   <li>Start: {@code randomize_limited_and_rotational_joints} (the torso pitch uniform in [-pi, pi]).
 *   <li>Timing: physics 0.005 s, control 0.02 s (4 physics steps per control step).
 * </ul>
 */
final class HopperStand extends DmControlEnv {

    static final String ID = "HopperStand";
    static final int OBSERVATION_DIM = 15;
    private static final double STAND_HEIGHT = 0.6;

    private static final Tolerance STANDING = Tolerance.bounds(STAND_HEIGHT, 2);
    private static final Tolerance SMALL_CONTROL = Tolerance.bounds(0, 0)
            .margin(1).sigmoid(Tolerance.Sigmoid.QUADRATIC).valueAtMargin(0);

    private final int torso;
    private final int foot;
    private final int toeSensor;
    private final int heelSensor;

    HopperStand() {
        super(ID, DmControl.mjcf("hopper.xml"), OBSERVATION_DIM, 0.02);
        torso = model.id(MjObjectType.BODY, "torso");
        foot = model.id(MjObjectType.BODY, "foot");
        toeSensor = model.sensorAddress(model.id(MjObjectType.SENSOR, "touch_toe"));
        heelSensor = model.sensorAddress(model.id(MjObjectType.SENSOR, "touch_heel"));
    }

    @Override
    void initializeEpisode(SplittableRandom random) {
        randomizeLimitedAndRotationalJoints(random);
    }

    /**
     * The height of the torso's center of mass above the foot's.
     *
     * @return meters
     */
    double height() {
        return data.xipos(torso, 2) - data.xipos(foot, 2);
    }

    @Override
    void observe(float[] observation) {
        int nq = model.nq();
        for (int i = 1; i < nq; i++) {
            observation[i - 1] = (float) data.qpos(i);
        }
        int o = putVelocity(observation, nq - 1);
        observation[o] = (float) Math.log1p(data.sensordata(toeSensor));
        observation[o + 1] = (float) Math.log1p(data.sensordata(heelSensor));
    }

    @Override
    double reward() {
        double standing = STANDING.apply(height());
        int nu = model.nu();
        double sum = 0;
        for (int i = 0; i < nu; i++) {
            sum += SMALL_CONTROL.apply(data.ctrl(i));
        }
        double smallControl = (sum / nu + 4) / 5;
        return standing * smallControl;
    }
}
