package io.github.gorl.envs.dmc;

import io.github.gorl.envs.mujoco.MjObjectType;
import java.util.SplittableRandom;

/**
 * dm_control's {@code cheetah-run}: a planar cheetah rewarded for running forward at 10 m/s or faster.
 *
 * <ul>
 *   <li>Observation (17): {@code position} = {@code qpos[1:]} (8, horizontal position left out), then
 *       {@code velocity} = {@code qvel} (9).
 *   <li>Action (6): motor torques for back thigh, shin, foot and front thigh, shin, foot, in [-1, 1].
 *   <li>Reward: {@code tolerance(speed, bounds=(10, inf), margin=10, value_at_margin=0, linear)}, with
 *       speed the x velocity of the torso subtree's center of mass (the {@code torso_subtreelinvel}
 *       sensor).
 *   <li>Start: limited joints uniform in their ranges, then 200 physics steps of settling.
 *   <li>Timing: physics 0.01 s, control 0.01 s (one physics step per control step).
 * </ul>
 */
final class CheetahRun extends DmControlEnv {

    static final String ID = "CheetahRun";
    static final int OBSERVATION_DIM = 17;
    private static final double RUN_SPEED = 10;
    private static final int SETTLE_STEPS = 200;

    private static final Tolerance RUN = Tolerance.bounds(RUN_SPEED, Double.POSITIVE_INFINITY)
            .margin(RUN_SPEED).sigmoid(Tolerance.Sigmoid.LINEAR).valueAtMargin(0);

    private final int speedSensor;

    CheetahRun() {
        super(ID, DmControl.mjcf("cheetah.xml"), OBSERVATION_DIM, 0.01);
        speedSensor = model.sensorAddress(model.id(MjObjectType.SENSOR, "torso_subtreelinvel"));
    }

    @Override
    void initializeEpisode(SplittableRandom random) {
        for (int j = 0; j < model.njnt(); j++) {
            if (model.jointLimited(j)) {
                data.setQpos(model.jointQposAddress(j), uniform(random, model.jointRange(j, 0), model.jointRange(j, 1)));
            }
        }
        data.step(SETTLE_STEPS);
    }

    /**
     * The forward speed of the torso subtree's center of mass.
     *
     * @return meters per second along x
     */
    double speed() {
        return data.sensordata(speedSensor);
    }

    @Override
    void observe(float[] observation) {
        int nq = model.nq();
        for (int i = 1; i < nq; i++) {
            observation[i - 1] = (float) data.qpos(i);
        }
        putVelocity(observation, nq - 1);
    }

    @Override
    double reward() {
        return RUN.apply(speed());
    }
}
