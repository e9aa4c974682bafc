package io.github.gorl.envs.dmc;

import io.github.gorl.envs.mujoco.MjObjectType;
import java.util.SplittableRandom;

/**
 * dm_control's {@code fish-swim}: a fish in a fluid (no gravity) rewarded for bringing its mouth into a
 * randomly placed target while staying upright.
 *
 * <ul>
 *   <li>Observation (24): {@code joint_angles} of tail1, tail_twist, tail2, finright_roll,
 *       finright_pitch, finleft_roll, finleft_pitch (7), {@code upright} = the torso's {@code zz} (1),
 *       {@code target} = the target's position relative to the mouth in the mouth's frame (3),
 *       {@code velocity} = {@code qvel} (13).
 *   <li>Action (5): position targets for tail, tail twist, fin flap and the two fin pitches, in [-1, 1].
 *   <li>Reward: {@code (7 * in_target + (1 + upright) / 2) / 8}, with {@code in_target =
 *       tolerance(|target|, (0, r), margin=2r)}, r = mouth radius + target radius.
 *   <li>Start: a random orientation (normalized Gaussian quaternion), joint angles uniform in [-0.2,
 *       0.2], the target uniform in [-0.4, 0.4] x [-0.4, 0.4] x [0.1, 0.3].
 *   <li>Timing: physics 0.004 s, control 0.04 s (10 physics steps per control step).
 * </ul>
 */
final class FishSwim extends DmControlEnv {

    static final String ID = "FishSwim";
    static final int OBSERVATION_DIM = 24;
    private static final String[] JOINTS = {
        "tail1", "tail_twist", "tail2", "finright_roll", "finright_pitch", "finleft_roll", "finleft_pitch"
    };

    private final int[] jointQpos = new int[JOINTS.length];
    private final int rootQpos;
    private final int torso;
    private final int mouth;
    private final int target;
    private final Tolerance inTarget;

    FishSwim() {
        super(ID, DmControl.mjcf("fish.xml"), OBSERVATION_DIM, 0.04);
        for (int i = 0; i < JOINTS.length; i++) {
            jointQpos[i] = model.jointQposAddress(model.id(MjObjectType.JOINT, JOINTS[i]));
        }
        rootQpos = model.jointQposAddress(model.id(MjObjectType.JOINT, "root"));
        torso = model.id(MjObjectType.BODY, "torso");
        mouth = model.id(MjObjectType.GEOM, "mouth");
        target = model.id(MjObjectType.GEOM, "target");
        double radii = model.geomSize(mouth, 0) + model.geomSize(target, 0);
        inTarget = Tolerance.bounds(0, radii).margin(2 * radii);
    }

    @Override
    void initializeEpisode(SplittableRandom random) {
        randomQuaternion(random, rootQpos + 3, true);
        for (int adr : jointQpos) {
            data.setQpos(adr, uniform(random, -0.2, 0.2));
        }
        model.setGeomPos(target, 0, uniform(random, -0.4, 0.4));
        model.setGeomPos(target, 1, uniform(random, -0.4, 0.4));
        model.setGeomPos(target, 2, uniform(random, 0.1, 0.3));
    }

    /**
     * The projection of the torso's z axis on the world's.
     *
     * @return 1 when upright
     */
    double upright() {
        return data.xmat(torso, 8);
    }

    /**
     * A component of the vector from the mouth to the target, in the mouth's frame.
     *
     * @param axis 0, 1 or 2
     * @return meters
     */
    double mouthToTarget(int axis) {
        double s = 0;
        for (int k = 0; k < 3; k++) {
            double v = data.geomXpos(target, k) - data.geomXpos(mouth, k);
            s += v * data.geomXmat(mouth, 3 * k + axis);
        }
        return s;
    }

    @Override
    void observe(float[] observation) {
        int o = 0;
        for (int adr : jointQpos) {
            observation[o++] = (float) data.qpos(adr);
        }
        observation[o++] = (float) upright();
        for (int k = 0; k < 3; k++) {
            observation[o++] = (float) mouthToTarget(k);
        }
        putVelocity(observation, o);
    }

    @Override
    double reward() {
        double x = mouthToTarget(0);
        double y = mouthToTarget(1);
        double z = mouthToTarget(2);
        double inside = inTarget.apply(Math.sqrt(x * x + y * y + z * z));
        return (7 * inside + 0.5 * (upright() + 1)) / 8;
    }
}
