package io.github.gorl.envs.dmc;

import io.github.gorl.envs.mujoco.MjObjectType;
import java.util.SplittableRandom;

/**
 * dm_control's {@code finger-turn_hard}: turn the body until its tip is inside a small target (radius
 * 0.03) placed at a random angle on the tip's circle.
 *
 * <ul>
 *   <li>Observation (12): {@code position} (4), {@code velocity} (3), {@code touch} (2), see
 *       {@link FingerTask}, then {@code target_position} = the target's (x, z) relative to the hinge (2)
 *       and {@code dist_to_target} = the tip's signed distance to the target's surface (1).
 *   <li>Action (2): proximal and distal torques in [-1, 1].
 *   <li>Reward: 1 while the tip is inside the target ({@code dist_to_target <= 0}), else 0.
 *   <li>Start: the target at an angle uniform in [-pi, pi] at radius 0.13 around the hinge; random
 *       collision-free joint angles.
 * </ul>
 */
final class FingerTurnHard extends FingerTask {

    static final String ID = "FingerTurnHard";
    static final int OBSERVATION_DIM = 12;
    static final double TARGET_RADIUS = 0.03;

    private final int targetSite;
    private final int cap1;

    FingerTurnHard() {
        super(ID, OBSERVATION_DIM);
        targetSite = model.id(MjObjectType.SITE, "target");
        cap1 = model.id(MjObjectType.GEOM, "cap1");
    }

    @Override
    void initializeEpisode(SplittableRandom random) {
        double angle = uniform(random, -Math.PI, Math.PI);
        double hingeX = data.xanchor(hingeJoint, 0);
        double hingeZ = data.xanchor(hingeJoint, 2);
        double radius = model.geomSize(cap1, 0) + model.geomSize(cap1, 1) + model.geomSize(cap1, 2);
        model.setSitePos(targetSite, 0, hingeX + radius * Math.sin(angle));
        model.setSitePos(targetSite, 2, hingeZ + radius * Math.cos(angle));
        model.setSiteSize(targetSite, 0, TARGET_RADIUS);
        setRandomJointAngles(random);
    }

    double targetX() {
        return data.sensordata(targetSensor) - data.sensordata(spinnerSensor);
    }

    double targetZ() {
        return data.sensordata(targetSensor + 2) - data.sensordata(spinnerSensor + 2);
    }

    /**
     * The signed distance from the tip to the target's surface, negative inside.
     *
     * @return meters
     */
    double distToTarget() {
        double dx = targetX() - tipX();
        double dz = targetZ() - tipZ();
        return Math.sqrt(dx * dx + dz * dz) - model.siteSize(targetSite, 0);
    }

    @Override
    void observe(float[] observation) {
        int o = observeCommon(observation);
        observation[o] = (float) targetX();
        observation[o + 1] = (float) targetZ();
        observation[o + 2] = (float) distToTarget();
    }

    @Override
    double reward() {
        return distToTarget() <= 0 ? 1.0 : 0.0;
    }
}
